"""The dependency floors are written in three places, and must agree.

``pyproject.toml`` declares them, ``.ci/oldest.txt`` pins the versions CI
tests them with, and the README tells users. A floor raised in one place and
not the others is a promise CI does not test.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("numpy", "scipy", "scikit-learn", "scikit-image", "threadpoolctl", "joblib")


def release(version):
    return tuple(int(part) for part in version.split("."))


def pyproject_floors():
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    return dict(re.findall(r'"([\w-]+)>=([\d.]+)"', block))


def test_the_floors_are_the_versions_ci_tests_and_the_readme_states():
    oldest = ROOT / ".ci" / "oldest.txt"
    if not oldest.exists():
        pytest.skip("needs a clone of the repository: .ci/oldest.txt is not "
                    "in the source distribution")
    floors = pyproject_floors()
    assert set(floors) == set(CORE)
    pins = dict(re.findall(r"^([\w-]+)==([\d.]+)", oldest.read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    requirements = readme.split("## Requirements", 1)[1].split("##", 1)[0]
    stated = dict(re.findall(r"([\w-]+) >= ([\d.]+)", requirements))
    for name, floor in floors.items():
        assert stated.get(name) == floor, f"README states {name} >= {stated.get(name)}"
        # The pin is the floor's release, or a patch release of it.
        pin = release(pins[name])
        assert pin[: len(release(floor))] == release(floor), (
            f".ci/oldest.txt pins {name}=={pins[name]}, not the floor {floor}"
        )


def private_scikit_learn_imports(source):
    """The imports of a private module or name of scikit-learn in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        module = getattr(node, "module", None) or ""
        if isinstance(node, ast.ImportFrom) and module.split(".")[0] == "sklearn":
            parts = module.split(".")
            names = [alias.name for alias in node.names]
            if any(p.startswith("_") for p in parts) or any(
                n.startswith("_") for n in names
            ):
                found.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names
                      if alias.name.split(".")[0] == "sklearn"
                      and any(p.startswith("_") for p in alias.name.split("."))]
    return found


def test_private_scikit_learn_api_is_used_in_one_module_only():
    # sklinear/utils/_fixes.py is the one place to mend when scikit-learn
    # changes what it keeps private.
    package = ROOT / "sklinear"
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted(package.rglob("*.py"))
        if path.name != "_fixes.py"
        and (found := private_scikit_learn_imports(path.read_text()))
    }
    assert offenders == {}
    # The check sees what it must.
    assert sorted(private_scikit_learn_imports(
        "from sklearn.utils._param_validation import Interval\n"
        "def f():\n    from sklearn.base import _fit_context\n"
        "import sklearn.linear_model._base\n"
        "from sklearn.utils import check_array\n"
    )) == ["from sklearn.base import _fit_context",
           "from sklearn.utils._param_validation import Interval",
           "sklearn.linear_model._base"]

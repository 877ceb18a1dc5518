"""The dependency floors are written in three places, and must agree.

``pyproject.toml`` declares them, ``.ci/oldest.txt`` pins the versions CI
tests them with, and the README tells users. A floor raised in one place and
not the others is a promise CI does not test.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("numpy", "scipy", "scikit-learn", "scikit-image", "threadpoolctl")


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

"""The docstrings of the public API: their examples import public names only,
and their parameters are the signature's.

A reader copies the ``>>>`` lines of an API page; an import from a private
module (``from sklinear.feature_extraction._hog import HoG``) works today and
breaks when the module is reorganised, and teaches a path that is not the
API. Every public object's docstring, and those of its methods, must import
from public modules (no component of the path starting with an underscore),
and only names those modules export (in their ``__all__`` when they have one).
"""

import ast
import doctest
import importlib
import inspect

import pytest

# The modules whose __all__ is sklinear's public API (docs/api.rst documents
# each of them in full).
PUBLIC_MODULES = [
    "sklinear",
    "sklinear.losses",
    "sklinear.gradient_check",
    "sklinear.linear_model",
    "sklinear.feature_extraction",
    "sklinear.datasets",
    "sklinear.inspection",
    "sklinear.augmentation",
    "sklinear.utils.estimator_checks",
]


def public_objects():
    """``(qualified name, object)`` for each public name, once each, under the
    first module that exports it (``sklinear.HoG`` rather than
    ``sklinear.feature_extraction.HoG``)."""
    seen, objects = set(), []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        objects.append((module_name, module))
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) not in seen and (callable(obj) or inspect.ismodule(obj)):
                seen.add(id(obj))
                objects.append((f"{module_name}.{name}", obj))
    return objects


def docstrings(obj):
    """The docstring of ``obj`` and, for a class, of each of its methods and
    properties that sklinear defines (scikit-learn's inherited ones are
    scikit-learn's to keep)."""
    found = [obj.__doc__ or ""]
    if inspect.isclass(obj):
        for klass in obj.__mro__:
            if not klass.__module__.startswith("sklinear"):
                continue
            for name, member in vars(klass).items():
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if not name.startswith("_") and getattr(member, "__doc__", None):
                    found.append(member.__doc__)
    return found


def private_imports(docstring):
    """The import statements of the ``>>>`` lines of ``docstring`` that reach a
    private module or a name that is not exported, with the reason."""
    problems = []
    for example in doctest.DocTestParser().get_examples(docstring):
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue  # not Python that imports anything; doctest reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [(alias.name, []) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [(node.module or "", [alias.name for alias in node.names])]
            else:
                continue
            statement = example.source.strip()
            for module_name, names in modules:
                if any(part.startswith("_") for part in module_name.split(".")):
                    problems.append(f"{statement!r}: {module_name} is private")
                    continue
                exported = getattr(importlib.import_module(module_name), "__all__",
                                   None)
                for name in names:
                    if name.startswith("_") or (
                        exported is not None and name != "*" and name not in exported
                    ):
                        problems.append(
                            f"{statement!r}: {name} is not a public name of "
                            f"{module_name}"
                        )
    return problems


OBJECTS = public_objects()


@pytest.mark.parametrize("obj", [obj for _, obj in OBJECTS],
                         ids=[name for name, _ in OBJECTS])
def test_docstring_examples_import_public_names_only(obj):
    problems = [problem for docstring in docstrings(obj)
                for problem in private_imports(docstring)]
    assert not problems, (
        "The docstring examples import private names; import them from the "
        "public module that exports them instead:\n" + "\n".join(problems)
    )


def test_the_check_sees_a_private_import():
    docstring = """
    >>> import numpy as np
    >>> from sklinear.feature_extraction import HoG
    >>> from sklinear.feature_extraction._hog import hog
    >>> from sklinear.linear_model import BaseSGDLinearClassifier
    >>> import sklinear._private_module
    """
    assert private_imports(docstring) == [
        "'from sklinear.feature_extraction._hog import hog': "
        "sklinear.feature_extraction._hog is private",
        "'from sklinear.linear_model import BaseSGDLinearClassifier': "
        "BaseSGDLinearClassifier is not a public name of sklinear.linear_model",
        "'import sklinear._private_module': sklinear._private_module is private",
    ]


def documented_parameters(docstring):
    """The names in the Parameters section of a numpydoc ``docstring``
    (``a, b : int`` documents two)."""
    lines = inspect.cleandoc(docstring or "").splitlines()
    names, inside = [], False
    for line, underline in zip(lines, lines[1:] + [""], strict=True):
        if set(underline.strip()) == {"-"} and line.strip():
            inside = line.strip() == "Parameters"
            continue
        if inside and line and not line[0].isspace() and set(line.strip()) != {"-"}:
            names += [name.strip() for name in line.split(" : ")[0].split(",")]
    return names


def signature_parameters(obj):
    """The parameters a caller passes to ``obj`` (its ``__init__`` for a
    class), ``*args`` and ``**kwargs`` written with their stars."""
    if inspect.isclass(obj) and obj.__init__ is object.__init__:
        return []  # an abstract base: its subclasses' __init__ has the parameters
    target = obj.__init__ if inspect.isclass(obj) else obj
    stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [stars.get(p.kind, "") + p.name
            for p in inspect.signature(target).parameters.values()
            if p.name != "self"]


@pytest.mark.parametrize(
    "obj",
    [obj for _, obj in OBJECTS if inspect.isclass(obj) or inspect.isfunction(obj)],
    ids=[name for name, obj in OBJECTS
         if inspect.isclass(obj) or inspect.isfunction(obj)],
)
def test_documented_parameters_are_the_signature(obj):
    # Each parameter documented once, in the order of the signature: a
    # parameter added, renamed or removed without its documentation fails.
    assert documented_parameters(obj.__doc__) == signature_parameters(obj)


def test_the_parameter_check_reads_numpydoc():
    def f(a, b=1, *args, c, **kwargs):
        """Summary.

        Parameters
        ----------
        a, b : int
            Two numbers.
        *args : tuple
        c : str
        **kwargs : dict
            Passed on.

        Returns
        -------
        out : int
        """

    assert documented_parameters(f.__doc__) == signature_parameters(f)
    f.__doc__ = f.__doc__.replace("c : str", "d : str")
    assert documented_parameters(f.__doc__) != signature_parameters(f)

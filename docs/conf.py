"""Sphinx configuration of the sklinear documentation.

Build from the repository root, as the CI does, with warnings as errors:

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery examples under ``examples/`` run during the build. Nothing is
fetched from the network at build time (no intersphinx); MathJax is loaded by
the reader's browser.
"""

import importlib
import os
import subprocess
import sys
import types
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

import sklinear

logger = logging.getLogger(__name__)

# -- Project -----------------------------------------------------------------

project = "sklinear"
author = "The sklinear developers"
copyright = "the sklinear developers (BSD-3-Clause)"
release = sklinear.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]
root_doc = "index"
# `text` in reST (and in docstrings) is code, as in scikit-learn's docs.
default_role = "literal"
add_function_parentheses = False

# Docstrings cite papers with :doi:`...`, as scikit-image's do.
extlinks = {"doi": ("https://doi.org/%s", "doi:%s")}

# -- autodoc, autosummary and numpydoc ----------------------------------------

# One page per public class and function, generated from the tables of api.rst
# with the templates of _templates/ (scikit-learn's pattern).
autosummary_generate = True
autodoc_typehints = "none"
# The class pages list their methods through autodoc; numpydoc's own tables of
# members would document every method and attribute a second time.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- HTML ---------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklinear {release}"
html_short_title = "sklinear"
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "show_prev_next": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_sidebars = {
    # Pages without sub-pages need no primary sidebar.
    "index": [],
    "install": [],
    "quick_start": [],
    "api": [],
}

# -- sphinx-gallery -----------------------------------------------------------

# Examples are executed during the build; they draw with matplotlib's Agg.
os.environ.setdefault("MPLBACKEND", "Agg")

# The examples on images use the CIFAR-10 subset of ../shared/data beside the
# repository, or the archive named by SKLINEAR_CIFAR10, and fall back to
# load_digits without it. sphinx-gallery runs each example in its own folder
# and without __file__, so tell them where the subset is.
CIFAR10_SUBSET = (
    Path(__file__).resolve().parents[2]
    / "shared" / "data" / "cifar-10-subset-python.tar.gz"
)
if "SKLINEAR_CIFAR10" not in os.environ and CIFAR10_SUBSET.exists():
    os.environ["SKLINEAR_CIFAR10"] = str(CIFAR10_SUBSET)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run every example: each file named plot_*.py, in every folder.
    "filename_pattern": r"[\\/]plot_",
    "plot_gallery": "True",
    # The course's order: the losses, how they are minimised, the classifiers,
    # the features, then the comparisons; a new folder goes before the end.
    "subsection_order": [
        "../examples/losses",
        "../examples/optimization",
        "../examples/classifiers",
        "../examples/features",
        "*",
        "../examples/comparison",
    ],
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    # "Examples using ..." on each API page: sphinx-gallery records which
    # sklinear names each example uses, in generated/<name>.examples, and the
    # minigallery directive of the autosummary templates shows them.
    "backreferences_dir": "generated",
    "doc_module": ("sklinear",),
    "reference_url": {"sklinear": None},
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- doctest ------------------------------------------------------------------

# The >>> blocks of the pages (user guide, quick start, and the docstrings' own
# Examples on the API pages) run as doctests, without running the gallery, with
#   python -m sphinx -b doctest -D plot_gallery=0 docs docs/_build/doctest
# Each page is one namespace and does its own imports.

# -- Cross-references ---------------------------------------------------------

SKLEARN_EXAMPLES = "https://scikit-learn.org/stable/auto_examples/"


def _unlink_scikit_learn_refs(app, env, node, contnode):
    """Show the labels and glossary terms of scikit-learn's own docs as text.

    The class pages list the methods the estimators inherit from scikit-learn
    (``score``, ``get_params``, ``set_output``, ...), whose docstrings point into
    scikit-learn's user guide and glossary. Those targets exist only in
    scikit-learn's documentation, whose inventory this build does not download:
    they become plain text, except scikit-learn's gallery examples, whose
    addresses follow from their labels.
    """
    if node.get("refdomain") != "std" or node.get("reftype") not in ("ref", "term"):
        return None
    if "docstring of sklearn." not in (node.source or ""):
        return None
    target = node.get("reftarget", "")
    prefix = "sphx_glr_auto_examples_"
    if node["reftype"] == "ref" and target.startswith(prefix) and "_plot_" in target:
        folder, name = target[len(prefix):].removesuffix(".py").rsplit("_plot_", 1)
        text = contnode.astext() if node.get("refexplicit") else f"plot_{name}.py"
        return nodes.reference(
            "", text, refuri=f"{SKLEARN_EXAMPLES}{folder}/plot_{name}.html"
        )
    return contnode


def _external_url(target):
    """The address of a scikit-learn, scikit-image or numpy object in its
    project's documentation, from the object's name alone, or None.

    A stand-in for intersphinx, which would download the projects'
    inventories at build time: only names that import are linked, to the pages
    these projects generate for each public object.
    """
    parts = target.split(".")
    if parts[0] not in ("sklearn", "skimage", "numpy"):
        return None
    # The page of a class or function; a method is on its class's page.
    for page in (target, ".".join(parts[:-1])):
        module, _, name = page.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            continue
        if isinstance(obj, types.ModuleType) or (
            page != target and not hasattr(obj, parts[-1])
        ):
            return None
        break
    else:
        return None
    if parts[0] == "sklearn":
        return f"https://scikit-learn.org/stable/modules/generated/{page}.html#{target}"
    if parts[0] == "skimage" and page == target:
        return f"https://scikit-image.org/docs/stable/api/{module}.html#{target}"
    if parts[0] == "numpy" and page == target and module == "numpy":
        return f"https://numpy.org/doc/stable/reference/generated/{target}.html"
    return None


def _link_external_python_names(app, env, node, contnode):
    """Link ``sklearn.*``, ``skimage.*`` and ``numpy.*`` names to their docs."""
    if node.get("refdomain") != "py" or node.get("reftype") == "mod":
        return None
    url = _external_url(node.get("reftarget", ""))
    if url is None:
        return None
    return nodes.reference("", "", contnode, refuri=url, internal=False)


def _resolve_short_python_names(app, env, node, contnode):
    """Link a bare name such as ``hog`` in a See Also to the one sklinear object
    of that name, as a ``.hog`` reference would.

    numpydoc writes See Also entries as references relative to the current
    module, which is ``sklinear`` on the pages of the classes exported there:
    ``hog`` under ``HoG`` means ``sklinear.feature_extraction.hog``.
    """
    if node.get("refdomain") != "py" or node.get("refspecific"):
        return None
    target = node.get("reftarget", "")
    if not target or target.startswith(("~", ".")) or "." in target:
        return None
    domain = env.get_domain("py")
    matches = [
        (name, obj)
        for name, obj in domain.find_obj(
            env, node.get("py:module"), node.get("py:class"), target, None, 1
        )
        if name.startswith("sklinear.")
    ]
    if len(matches) != 1:
        return None
    name, obj = matches[0]
    return make_refnode(
        app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name
    )


# -- The main job's --help, for user_guide/main_job.rst -----------------------


def _write_main_job_help(app):
    """Write ``python -m sklinear --help`` where main_job.rst includes it, so
    that the page always shows the options of the installed package."""
    env = {**os.environ, "COLUMNS": "79", "NO_COLOR": "1", "PYTHON_COLORS": "0"}
    text = subprocess.run(
        [sys.executable, "-m", "sklinear", "--help"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout
    path = Path(app.srcdir) / "generated" / "sklinear_help.txt"
    path.parent.mkdir(exist_ok=True)
    # Rewritten only when it changes, so that an unchanged build stays cached.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


# -- Every public name has a page -----------------------------------------------

# The modules whose __all__ api.rst documents, in full.
PUBLIC_MODULES = [
    "sklinear",
    "sklinear.losses",
    "sklinear.gradient_check",
    "sklinear.linear_model",
    "sklinear.feature_extraction",
    "sklinear.datasets",
    "sklinear.inspection",
    "sklinear.utils.estimator_checks",
]


def _check_public_names_documented(app, env):
    """Warn, and so fail the -W build, for a public name without a page.

    A name re-exported by the top-level package (``sklinear.HoG`` is
    ``sklinear.feature_extraction.HoG``) is documented once, at the top.
    """
    documented = set(env.get_domain("py").objects)
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if f"{module_name}.{name}" in documented:
                continue
            if getattr(sklinear, name, None) is getattr(module, name) and (
                f"sklinear.{name}" in documented
            ):
                continue
            logger.warning(
                "%s.%s is public (in __all__) but has no page in the API "
                "reference: add it to an autosummary table of docs/api.rst.",
                module_name, name, location="api",
            )


def setup(app):
    app.connect("env-check-consistency", _check_public_names_documented)
    app.connect("builder-inited", _write_main_job_help)
    app.connect("missing-reference", _unlink_scikit_learn_refs)
    app.connect("missing-reference", _link_external_python_names)
    app.connect("missing-reference", _resolve_short_python_names)

"""Sphinx configuration of the sklinear documentation.

Build from the repository root, as the CI does, with warnings as errors:

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery examples under ``examples/`` run during the build. The ones on
CIFAR-10 run only when the ``SKLINEAR_CIFAR10`` environment variable names the
archive or folder to read, and are otherwise shown unrun, with a note:

    SKLINEAR_CIFAR10=path/to/cifar-10-python.tar.gz \
        python -m sphinx -W --keep-going -b html docs docs/_build/html

Nothing is fetched from the network at build time (no intersphinx, no
download of CIFAR-10), and nothing by the pages either: MathJax is served with
them (sphinx-mathjax-offline), and the build fails if a page loads anything
from another host.
"""

import importlib
import os
import re
import subprocess
import sys
import types
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from docutils import nodes
from sphinx.errors import ConfigError
from sphinx.pycode import ModuleAnalyzer
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
    # MathJax 3 in the site's _static/, so that formulas render offline.
    "sphinx-mathjax-offline",
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
# rich, which draws the progress bars of the example on callbacks, lays them
# out for COLUMNS characters when its output is not a terminal (80 by default,
# which cuts off their last column).
os.environ.setdefault("COLUMNS", "96")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# The examples on CIFAR-10 read it through sklinear.datasets: the archive or
# folder that SKLINEAR_CIFAR10 names, or else what fetch_cifar10 downloads. The
# build never downloads: without SKLINEAR_CIFAR10 they are shown without being
# run, each with a note that says so (_note_cifar10_examples). An example is one
# of them if it reads SKLINEAR_CIFAR10.
CIFAR10 = os.environ.get("SKLINEAR_CIFAR10") or None
CIFAR10_EXAMPLES = sorted(
    path.relative_to(EXAMPLES).as_posix()
    for path in EXAMPLES.rglob("plot_*.py")
    if "SKLINEAR_CIFAR10" in path.read_text(encoding="utf-8")
)
# Run every example named plot_*.py, in every folder, except those on CIFAR-10
# when there is no CIFAR-10 to give them.
RUN_EXAMPLES = r"[\\/]plot_"
if CIFAR10 is None and CIFAR10_EXAMPLES:
    RUN_EXAMPLES += "(?!(?:{})$)".format(
        "|".join(re.escape(Path(name).name[len("plot_"):])
                 for name in CIFAR10_EXAMPLES)
    )

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": RUN_EXAMPLES,
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
    "image_scrapers": ("matplotlib",),
    # No repr of a block's last expression: the examples print what they
    # show, as they do when run as scripts, and no <...Legend object at 0x...>
    # or Text(0.5, ...) of a plotting call leaks into the page.
    "capture_repr": (),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    # No "computation times" pages: their sortable table loads jQuery and
    # DataTables from CDNs, which an offline reader cannot reach.
    "write_computation_times": False,
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


# -- The CIFAR-10 examples: run on the data given, or shown unrun ---------------

# The record, in the gallery's output folder, of the data the CIFAR-10 examples
# last ran on.
CIFAR10_RECORD = "auto_examples/cifar10_source.txt"


def _gallery_runs(app):
    # What sphinx-gallery made of plot_gallery (-D plot_gallery=0 turns it off).
    return bool(app.config.sphinx_gallery_conf.get("plot_gallery"))


def _cifar10_source():
    """What the CIFAR-10 examples run on, as one line: the file or folder that
    SKLINEAR_CIFAR10 names, with the size and modification time of each file,
    so that changing the data changes the line; "none" without it."""
    if CIFAR10 is None:
        return "none"
    path = Path(CIFAR10).expanduser().resolve()
    if not path.exists():
        raise ConfigError(
            f"SKLINEAR_CIFAR10 is set to {CIFAR10!r}, which does not exist: set it "
            "to the CIFAR-10 python-version archive (cifar-10-python.tar.gz) or its "
            "extracted folder, or unset it to build without running the CIFAR-10 "
            "examples."
        )
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    stats = " ".join(
        f"{file.relative_to(path) if path.is_dir() else file.name}:"
        f"{file.stat().st_size}:{file.stat().st_mtime_ns}"
        for file in files if file.is_file()
    )
    return f"{path} {stats}"


def _rerun_cifar10_examples_on_new_data(app):
    """Make sphinx-gallery run the CIFAR-10 examples again when their data changed.

    sphinx-gallery runs an example again only when its source changes (the
    MD5 it keeps beside its copy in auto_examples/): given other data, or none,
    it would show the outputs of the last data. When the data differ from the
    record of the last build, their MD5 files are deleted, which makes it run
    the examples again, or, without data, write their pages anew without
    outputs.
    """
    if not _gallery_runs(app):
        return
    source = _cifar10_source()
    record = Path(app.srcdir) / CIFAR10_RECORD
    if record.exists() and record.read_text(encoding="utf-8") == source:
        return
    for name in CIFAR10_EXAMPLES:
        md5 = Path(app.srcdir) / "auto_examples" / f"{name}.md5"
        if md5.exists():
            logger.info("%s: made anew, for other CIFAR-10 data than last time", name)
            md5.unlink()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(source, encoding="utf-8")


# At the top of each CIFAR-10 example, in a build without the data.
CIFAR10_NOTE = """\
.. admonition:: Not run in this build
   :class: warning

   This example works on CIFAR-10, which this build of the documentation was
   not given: its code and text are shown, without the output and figures of
   a run. The text describes what the example shows on CIFAR-10. Run it as a
   script (it downloads CIFAR-10 once, 163 MB), or see
   :ref:`install_docs` to build the documentation with the data.

"""


def _note_cifar10_examples(app, docname, source):
    """Say at the top of each CIFAR-10 example, and of the gallery, whether the
    CIFAR-10 examples ran in this build, and on what."""
    if not _gallery_runs(app) or not docname.startswith("auto_examples/"):
        return
    if docname == "auto_examples/index":
        if CIFAR10 is None:
            names = ", ".join(
                f":ref:`sphx_glr_auto_examples_{name.replace('/', '_')}`"
                for name in CIFAR10_EXAMPLES
            )
            note = (
                ".. admonition:: Built without CIFAR-10\n   :class: warning\n\n"
                f"   The examples on CIFAR-10 were not run in this build: {names}. "
                "Each shows its code and text, without output and figures "
                "(:ref:`install_docs` says how to build with the data).\n\n"
            )
        else:
            note = (
                ".. note::\n\n   The examples on CIFAR-10 ran on "
                f"``{Path(CIFAR10).name}``, the data given to this build by "
                "``SKLINEAR_CIFAR10``.\n\n"
            )
    elif CIFAR10 is None and f"{docname.partition('/')[2]}.py" in CIFAR10_EXAMPLES:
        note = CIFAR10_NOTE
    else:
        return
    # After the page's title, a line of text underlined with "=" (or first).
    title = re.search(r"^[^\s=.][^\n]*\n=+\n", source[0], flags=re.MULTILINE)
    end = title.end() if title else 0
    source[0] = source[0][:end] + "\n" + note + source[0][end:]


# An example's output holds the warnings it raised, as the warnings module
# prints them: "path:line: SomeWarning: message", with the builder's paths.
_WARNING_OUTPUT = re.compile(r"^\s+(\S+:\d+: \w*Warning: .*)$", flags=re.MULTILINE)


def _check_example_output(app, docname, source):
    """Warn, and so fail the -W build, when an example's output shows a warning.

    A warning the example expects is filtered in the example, where its reader
    sees why; any other is a problem to fix, not to publish.
    """
    if not docname.startswith("auto_examples/"):
        return
    for match in _WARNING_OUTPUT.finditer(source[0]):
        logger.warning(
            "the output of this example shows a warning: %s. Filter it in the "
            "example if it is expected, or remove its cause.",
            match.group(1), location=docname,
        )


# -- [source] links (viewcode) ------------------------------------------------------


def _check_viewcode_parsed(app, env):
    """Warn, and so fail the -W build, for a module viewcode could not parse.

    viewcode gives the objects of such a module no [source] link, silently.
    """
    for modname, entry in sorted(getattr(env, "_viewcode_modules", {}).items()):
        if entry is not False or not modname.startswith("sklinear"):
            continue
        try:
            ModuleAnalyzer.for_module(modname).find_tags()
        except Exception as error:  # what viewcode caught
            reason = str(error)
        else:
            reason = "no error on a second try"
        logger.warning(
            "viewcode could not parse %s, so its objects have no [source] link: "
            "%s", modname, reason, location="api",
        )


def _fix_viewcode_backlinks(app, pagename, templatename, context, doctree):
    """Point each [docs] link of a highlighted module to the object's anchor.

    viewcode builds every [docs] link of a module from one module name, the
    first one under which an object of it was documented: ``HoG`` documented
    as ``sklinear.HoG`` sends the [docs] link of ``hog``, documented as
    ``sklinear.feature_extraction.hog``, to a ``#sklinear.hog`` that does not
    exist. Each link is given the anchor of the object on its page.
    """
    if not pagename.startswith("_modules/") or "body" not in context:
        return
    modname = pagename[len("_modules/"):].replace("/", ".")
    entry = getattr(app.env, "_viewcode_modules", {}).get(modname)
    if not entry:
        return
    _, _, used, refname = entry
    objects = app.env.get_domain("py").objects
    body = context["body"]
    for name, docname in used.items():
        if objects.get(f"{refname}.{name}", (None,))[0] == docname:
            continue
        anchors = [
            entry.node_id for fullname, entry in objects.items()
            if entry.docname == docname and fullname.endswith(f".{name}")
            and not entry.aliased
        ]
        if len(anchors) == 1:
            body = body.replace(f'#{refname}.{name}"', f'#{anchors[0]}"')
    context["body"] = body


# -- Every link within the site leads somewhere ----------------------------------


class _Links(HTMLParser):
    """The anchors (``id``, ``<a name>``) and the link targets of a page."""

    def __init__(self):
        super().__init__()
        self.anchors, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.anchors.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.anchors.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _check_internal_links(app, exception):
    """Warn, and so fail the -W build, for a link to a page of the site, or to
    an anchor of one, that is not there."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir).resolve()
    pages = {}
    for page in outdir.rglob("*.html"):
        if "_static" not in page.relative_to(outdir).parts:
            pages[page] = _Links()
            pages[page].feed(page.read_text(encoding="utf-8"))
    for page, parsed in sorted(pages.items()):
        for link in parsed.links:
            url = urlsplit(link)
            if url.scheme or url.netloc or not (url.path or url.fragment):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.suffix != ".html" or "_static" in target.parts:
                continue
            where = page.relative_to(outdir)
            if target not in pages:
                logger.warning("%s links to %s, which is not a page of the site",
                               where, link)
            elif url.fragment and unquote(url.fragment) not in pages[target].anchors:
                logger.warning("%s links to %s, which has no anchor %r", where,
                               target.relative_to(outdir), unquote(url.fragment))


# -- Nothing loads from another host ---------------------------------------------


class _Loads(HTMLParser):
    """What a page loads: scripts, stylesheets, images, frames, media."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed"):
            self.urls.append(attrs.get("src"))
        elif tag == "link" and attrs.get("rel") not in ("canonical", "next", "prev",
                                                         "index", "search"):
            self.urls.append(attrs.get("href"))


def _elsewhere(url):
    return bool(url) and (urlsplit(url).netloc != "" or url.startswith("//"))


def _check_nothing_loads_from_other_hosts(app, exception):
    """Warn, and so fail the -W build, for a page or stylesheet of the site that
    loads anything from another host: the site must work offline (a reader
    behind a firewall would see raw LaTeX for formulas from a CDN)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir).resolve()
    for page in sorted(outdir.rglob("*.html")):
        loads = _Loads()
        loads.feed(page.read_text(encoding="utf-8"))
        for url in filter(_elsewhere, loads.urls):
            logger.warning("%s loads %s from another host; the site must work "
                           "offline", page.relative_to(outdir), url)
    for sheet in sorted(outdir.rglob("*.css")):
        for url in re.findall(r"""(?:url\(|@import\s+)["']?([^"')\s]+)""",
                              sheet.read_text(encoding="utf-8", errors="replace")):
            if _elsewhere(url):
                logger.warning("%s loads %s from another host; the site must "
                               "work offline", sheet.relative_to(outdir), url)


# -- What set_callbacks reports, on the classifiers' pages ------------------------


def _say_what_callbacks_get(app, what, name, obj, options, lines):
    """Point scikit-learn's docstring of ``set_callbacks``, on the pages of
    sklinear's classifiers, to what these report to callbacks."""
    if what == "method" and name.startswith("sklinear.") and name.endswith(
        ".set_callbacks"
    ):
        lines += [
            "",
            "sklinear reports each ``fit`` (and each call of ``partial_fit``) as a "
            "task, and each of its epochs as a subtask named ``\"epoch\"``, with "
            "the model as it stands at the end of that epoch: the class's Notes "
            "say what a callback gets. The example "
            ":ref:`sphx_glr_auto_examples_optimization_plot_callbacks.py` shows "
            "callbacks on a classifier, in a pipeline and in a grid search.",
        ]


def setup(app):
    app.connect("env-check-consistency", _check_public_names_documented)
    app.connect("env-check-consistency", _check_viewcode_parsed)
    app.connect("builder-inited", _write_main_job_help)
    # Before sphinx-gallery's generate_gallery_rst (priority 500), after it
    # has read plot_gallery (10).
    app.connect("builder-inited", _rerun_cifar10_examples_on_new_data, priority=400)
    app.connect("source-read", _note_cifar10_examples)
    app.connect("source-read", _check_example_output)
    app.connect("autodoc-process-docstring", _say_what_callbacks_get)
    app.connect("html-page-context", _fix_viewcode_backlinks)
    app.connect("build-finished", _check_internal_links)
    # After sphinx-mathjax-offline's copy of MathJax (priority 500).
    app.connect("build-finished", _check_nothing_loads_from_other_hosts, priority=900)
    app.connect("missing-reference", _unlink_scikit_learn_refs)
    app.connect("missing-reference", _link_external_python_names)
    app.connect("missing-reference", _resolve_short_python_names)

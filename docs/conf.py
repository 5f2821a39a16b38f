"""Sphinx configuration of the algan-sklearn documentation.

Build (from the repository root, warnings are errors)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``ALGAN_FAST=1`` in the environment makes every gallery example train for a few
iterations only (for quick checks; the figures are then not meaningful).
``-D plot_gallery=0`` skips running the examples altogether.

The build needs no network. Intersphinx links point to the online documentation of
scikit-learn, numpy, torch and a few other projects, but the inventories that list
their names are small files committed in ``docs/_inv/`` and written by
``docs/_inv/make_inventories.py`` (see its docstring to link a new name). With
``nitpicky = True`` a reference that resolves nowhere fails the build.
"""

import argparse
import os
import re
import sys
from pathlib import Path

import algan_sklearn

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

# -- Project -----------------------------------------------------------------------------

project = "algan-sklearn"
author = "algan_sklearn developers"
copyright = "algan_sklearn developers"
version = release = algan_sklearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_inv",
    "sphinxext",
    "generated/algan_defaults.rst",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]
default_role = "literal"  # `x` reads as ``x``
nitpicky = True
nitpick_ignore = [
    # Private base class shown in the signature of subclasses' inherited members.
    ("py:class", "algan_sklearn._base.BaseDetector"),
]

# -- autodoc / autosummary / numpydoc -------------------------------------------------------

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
autodoc_typehints = "none"
add_module_names = False

numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"  # link only the names below, the rest stays plain text
# numpydoc links None, bool, int, str, iterable, ... to Python's docs by itself.
_aliases = [
    "torch.device",
    "torch.Generator",
    "torch.Tensor",
    "torch.nn.Module",
    "pathlib.Path",
    "os.PathLike",
    "object",
]
numpydoc_xref_aliases = {name: name for name in _aliases}
numpydoc_xref_aliases.update(
    {
        "array-like": ":term:`array-like`",
        "ndarray": "numpy.ndarray",
        "RandomState": "numpy.random.RandomState",
        "DataFrame": "pandas.DataFrame",
        "Axes": "matplotlib.axes.Axes",
        "StandardScaler": "sklearn.preprocessing.StandardScaler",
        "RobustScaler": "sklearn.preprocessing.RobustScaler",
        "NearestNeighbors": "sklearn.neighbors.NearestNeighbors",
        "Pipeline": "sklearn.pipeline.Pipeline",
        "ALGANDetector": "algan_sklearn.ALGANDetector",
        "KNNDetector": "algan_sklearn.KNNDetector",
        "ZScoreDetector": "algan_sklearn.ZScoreDetector",
    }
)

# -- intersphinx (offline: local inventories, see the module docstring) -----------------------

intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", "_inv/sklearn.inv"),
    "numpy": ("https://numpy.org/doc/stable/", "_inv/numpy.inv"),
    "torch": ("https://docs.pytorch.org/docs/stable/", "_inv/torch.inv"),
    "python": ("https://docs.python.org/3/", "_inv/python.inv"),
    "pandas": ("https://pandas.pydata.org/docs/", "_inv/pandas.inv"),
    "matplotlib": ("https://matplotlib.org/stable/", "_inv/matplotlib.inv"),
    "joblib": ("https://joblib.readthedocs.io/en/stable/", "_inv/joblib.inv"),
    "dask": ("https://docs.dask.org/en/stable/", "_inv/dask.inv"),
}

# -- sphinx-gallery -------------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Only plot_*.py files form the gallery (examples/ also holds command-line scripts).
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"^(?!plot_).*\.py$",  # matched against the file name
    "within_subsection_order": "gallery_order.ExampleOrder",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("algan_sklearn",),
    "reference_url": {"algan_sklearn": None},
    "remove_config_comments": True,
    "min_reported_time": 1,
    "download_all_examples": False,
    "abort_on_example_error": False,  # report every failing example, then fail the build
}

# -- matplotlib plot directive (the method diagram) ------------------------------------------

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

# -- HTML -----------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"algan-sklearn {version}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_show_sourcelink = False

# -- Generated text: the command line's --help ----------------------------------------------


def _write_cli_help(app):
    """Write the ``--help`` text of each subcommand to ``generated/cli_*.txt``."""
    from algan_sklearn.cli import build_parser

    out = Path(app.srcdir) / "generated"
    out.mkdir(exist_ok=True)
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        texts = {"cli_main.txt": parser.format_help()}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    texts[f"cli_{name}.txt"] = sub.format_help()
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    for name, text in texts.items():
        _write_if_changed(out / name, text)


def _write_if_changed(path, text):
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _write_algan_defaults(app):
    """Write the defaults of ALGANDetector's parameters as a table (``generated/algan_defaults.rst``)."""
    from algan_sklearn import ALGANDetector

    params = ALGANDetector().get_params()
    rows = [(f"``{name}``", f"``{value!r}``") for name, value in params.items()]
    w1 = max(len(a) for a, _ in rows + [("parameter", "")])
    w2 = max(len(b) for _, b in rows + [("", "default")])
    rule = "=" * w1 + "  " + "=" * w2
    lines = [rule, "parameter".ljust(w1) + "  default", rule]
    lines += [a.ljust(w1) + "  " + b for a, b in rows]
    lines += [rule, ""]
    out = Path(app.srcdir) / "generated"
    out.mkdir(exist_ok=True)
    _write_if_changed(out / "algan_defaults.rst", "\n".join(lines))


# -- Types in numpydoc sections --------------------------------------------------------------
# With ``numpydoc_xref_ignore = "all"`` numpydoc leaves the words of a type it does not link
# as raw reST, where a word ending in "_" is a hyperlink reference and "*" starts emphasis:
# ``(n_features_in_,)`` or ``default="*.npz"`` would fail the build. Escape both in type
# specs (the part after " : " of a parameter line) before numpydoc reads the docstring.

_PARAM_LINE = re.compile(r"^(\s*\**[A-Za-z_][\w, *]*\s:\s)(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[\s,.;:)\]}]|$)")


def _escape_type_specs(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        match = _PARAM_LINE.match(line)
        if match and "`" not in match.group(2):
            spec = _TRAILING_UNDERSCORE.sub(r"\\_", match.group(2)).replace("*", r"\*")
            lines[i] = match.group(1) + spec


def setup(app):
    app.connect("autodoc-process-docstring", _escape_type_specs, priority=100)
    app.connect("builder-inited", _write_cli_help)
    app.connect("builder-inited", _write_algan_defaults)

"""Sphinx configuration of the sklearn_echo documentation.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import os
import sys
from pathlib import Path

import sklearn_echo

HERE = Path(__file__).resolve().parent
# The local Sphinx helpers become importable only after this line, hence E402.
sys.path.insert(0, str(HERE / "sphinxext"))

from doc_helpers import (  # noqa: E402
    offline_intersphinx_mapping,
    online_intersphinx_mapping,
)

# -- Project -------------------------------------------------------------------

project = "sklearn_echo"
author = "The sklearn_echo developers"
copyright = "The sklearn_echo developers"
version = release = sklearn_echo.__version__

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "sphinxext", "Thumbs.db", ".DS_Store"]
default_role = "literal"  # `x` renders as code, as ``x`` does
pygments_style = "sphinx"

# -- autodoc, autosummary, numpydoc --------------------------------------------

autosummary_generate = True
# "fit()" rather than "LSTMClassifier.fit()" in the page's table of contents.
toc_object_entries_show_parents = "hide"
autodoc_typehints = "none"
# numpydoc lists a class's methods itself from the autosummary templates; its
# own "Methods" table would list them twice.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- intersphinx ---------------------------------------------------------------

# The build machines have no internet access: the inventories are written from
# the installed packages (see sphinxext/doc_helpers.py for how, and what the
# links point to).  With internet access, SKLEARN_ECHO_DOCS_ONLINE=1 uses the
# projects' own inventories instead.
if os.environ.get("SKLEARN_ECHO_DOCS_ONLINE") == "1":
    intersphinx_mapping = online_intersphinx_mapping()
else:
    intersphinx_mapping = offline_intersphinx_mapping(HERE / "_build" / "inventories")

# -- sphinx-gallery ------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "doc_helpers.GalleryOrder",
    # "Examples using X" on each API page.
    "doc_module": ("sklearn_echo",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_echo": None},
    # An example that raises fails the build.
    "abort_on_example_error": True,
    "min_reported_time": 1,
    "image_srcset": ["2x"],
    "remove_config_comments": True,
}

# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_echo {version}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# No left sidebar on single pages, nor on the examples, whose code blocks need
# the width (the gallery index and the next/previous links navigate them).
html_sidebars = {
    "index": [],
    "install": [],
    "quickstart": [],
    "user_guide": [],
    "changelog": [],
    "auto_examples/plot_*": [],
}
html_show_sourcelink = False

"""Helpers for the Sphinx build: offline intersphinx inventories, gallery order.

Offline inventories
-------------------
intersphinx normally downloads each project's ``objects.inv``; the machines that
build these docs (CI included) have no internet access, and a failed download is
a warning, hence an error under ``-W``.  So the build writes small inventories
itself, from the packages installed next to sklearn_echo, and intersphinx reads
them from disk.  Each entry maps an object to the page that documents it on the
project's site, following that site's layout:

- scikit-learn: one page per public object, ``modules/generated/<name>.html``,
  listed here from the installed scikit-learn (its public submodules'
  ``__all__``), with the methods of each class; plus the few glossary terms
  these docs use.
- skorch: one page per module (``classifier.html``, ``callbacks.html``, ...),
  listed from the installed skorch.
- numpy and torch: the handful of objects these docs name, each checked against
  the project's site by hand.

The links point to the projects' *stable* documentation, which may be newer
than the installed versions.  A build with internet access can use the real
inventories instead: set ``SKLEARN_ECHO_DOCS_ONLINE=1``.
"""

import importlib
import inspect
import zlib
from pathlib import Path

SKLEARN_URL = "https://scikit-learn.org/stable/"
SKORCH_URL = "https://skorch.readthedocs.io/en/stable/"
NUMPY_URL = "https://numpy.org/doc/stable/"
TORCH_URL = "https://docs.pytorch.org/docs/stable/"

# Public scikit-learn modules documented object by object, beyond the top-level
# subpackages listed in ``sklearn.__all__``.
_SKLEARN_EXTRA_MODULES = [
    "sklearn.utils.validation",
    "sklearn.utils.estimator_checks",
    "sklearn.utils.multiclass",
    "sklearn.utils.discovery",
]
_SKLEARN_SKIPPED = {"experimental", "externals"}
# Glossary terms and user-guide labels used by these docs, by sklearn_echo's
# docstrings and by the docstrings of the scikit-learn methods that sklearn_echo's
# estimators inherit (score, get_metadata_routing, set_*_request).
_SKLEARN_TERMS = [
    "random_state",
    "n_jobs",
    "warm_start",
    "partial_fit",
    "meta-estimator",
]
_SKLEARN_LABELS = {
    "metadata_routing": ("metadata_routing.html#metadata-routing", "Metadata Routing"),
    "accuracy_score": (
        "modules/model_evaluation.html#accuracy-score",
        "Accuracy score",
    ),
}

_NUMPY = {
    "numpy.ndarray": ("py:class", "reference/generated/numpy.ndarray.html"),
    "numpy.memmap": ("py:class", "reference/generated/numpy.memmap.html"),
    "numpy.argmax": ("py:function", "reference/generated/numpy.argmax.html"),
    "numpy.random.RandomState": ("py:class", "reference/random/legacy.html"),
}
_TORCH = {
    name: (role, f"generated/{name}.html")
    for name, role in [
        ("torch.nn.LSTM", "py:class"),
        ("torch.nn.Embedding", "py:class"),
        ("torch.nn.CrossEntropyLoss", "py:class"),
        ("torch.optim.Adam", "py:class"),
        ("torch.optim.AdamW", "py:class"),
        ("torch.optim.RMSprop", "py:class"),
        ("torch.optim.SGD", "py:class"),
        ("torch.set_num_threads", "py:function"),
        ("torch.get_num_threads", "py:function"),
        ("torch.manual_seed", "py:function"),
        ("torch.cuda.is_available", "py:function"),
    ]
}
_TORCH["torch.nn.Module"] = ("py:class", "generated/torch.nn.Module.html")
_TORCH["torch.device"] = ("py:class", "tensor_attributes.html")


def _public_members(cls):
    """Yield the public methods and properties of a class, inherited included."""
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            yield name, "py:property"
        elif callable(member) and not inspect.isclass(member):
            yield name, "py:method"


def _object_entries(name, obj, page):
    """Return inventory entries for one documented object and its members."""
    if inspect.isclass(obj):
        entries = [(name, "py:class", f"{page}#{name}")]
        for member, role in _public_members(obj):
            entries.append((f"{name}.{member}", role, f"{page}#{name}.{member}"))
        return entries
    if callable(obj):
        return [(name, "py:function", f"{page}#{name}")]
    return []


def sklearn_entries():
    """Return inventory entries for the installed scikit-learn's public API."""
    import sklearn

    modules = [
        f"sklearn.{name}"
        for name in sklearn.__all__
        if name not in _SKLEARN_SKIPPED and not callable(getattr(sklearn, name, None))
    ]
    entries = []
    for name in sklearn.__all__:
        obj = getattr(sklearn, name, None)
        if callable(obj):  # clone, set_config, ...: top-level functions
            full = f"sklearn.{name}"
            entries += _object_entries(full, obj, f"modules/generated/{full}.html")
    for module_name in modules + _SKLEARN_EXTRA_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [
                name
                for name, obj in vars(module).items()
                if not name.startswith("_")
                and getattr(obj, "__module__", "") == module_name
            ]
        for name in names:
            full = f"{module_name}.{name}"
            try:
                obj = getattr(module, name)
            except ImportError:  # experimental, e.g. HalvingGridSearchCV
                continue
            entries += _object_entries(full, obj, f"modules/generated/{full}.html")
    for term in _SKLEARN_TERMS:
        entries.append((term, "std:term", f"glossary.html#term-{term}", term))
    for label, (uri, title) in _SKLEARN_LABELS.items():
        entries.append((label, "std:label", uri, title))
    return entries


def skorch_entries():
    """Return inventory entries for the installed skorch's public API."""
    import skorch
    import skorch.callbacks

    entries = []
    public = [(f"skorch.{name}", getattr(skorch, name)) for name in skorch.__all__]
    public += [
        (f"skorch.callbacks.{name}", getattr(skorch.callbacks, name))
        for name in skorch.callbacks.__all__
    ]
    for name, obj in public:
        if not inspect.isclass(obj):
            continue
        # skorch documents each module on one page, under the defining module's
        # name (skorch.classifier.NeuralNetClassifier), except the callbacks,
        # documented under skorch.callbacks.
        if name.startswith("skorch.callbacks."):
            module = "skorch.callbacks"
        else:
            module = obj.__module__
        page = module.removeprefix("skorch.").replace(".", "/") + ".html"
        target = f"{module}.{obj.__name__}"
        for entry_name, role, uri in _object_entries(target, obj, page):
            entries.append((entry_name, role, uri))
            if name != target:  # the public alias: skorch.NeuralNetClassifier
                alias = name + entry_name[len(target) :]
                entries.append((alias, role, uri))
    return entries


def _curated_entries(objects):
    return [(name, role, f"{page}#{name}") for name, (role, page) in objects.items()]


def write_inventory(path, project, version, entries):
    """Write a Sphinx ``objects.inv`` (version 2) listing ``entries``.

    Each entry is ``(name, role, uri)`` or ``(name, role, uri, title)``.
    """
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = set()
    for name, role, uri, *title in entries:
        priority = "-1" if role.startswith("std:") else "1"
        display = title[0] if title else "-"
        lines.add(f"{name} {role} {priority} {uri} {display}\n")
    lines = sorted(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode()))
    return path


def offline_intersphinx_mapping(directory):
    """Write the four inventories under ``directory``; return the mapping."""
    import numpy
    import sklearn
    import skorch
    import torch

    directory = Path(directory)
    projects = {
        "sklearn": (SKLEARN_URL, "scikit-learn", sklearn, sklearn_entries()),
        "skorch": (SKORCH_URL, "skorch", skorch, skorch_entries()),
        "numpy": (NUMPY_URL, "NumPy", numpy, _curated_entries(_NUMPY)),
        "torch": (TORCH_URL, "PyTorch", torch, _curated_entries(_TORCH)),
    }
    mapping = {}
    for key, (url, project, module, entries) in projects.items():
        path = write_inventory(
            directory / f"{key}.inv", project, module.__version__, entries
        )
        mapping[key] = (url, str(path))
    return mapping


def online_intersphinx_mapping():
    """Return the mapping to the projects' own inventories (needs internet)."""
    return {
        "sklearn": (SKLEARN_URL, None),
        "skorch": (SKORCH_URL, None),
        "numpy": (NUMPY_URL, None),
        "torch": (TORCH_URL, None),
    }


class GalleryOrder:
    """Sort the gallery: the tutorial first, then by topic (sphinx-gallery key)."""

    ORDER = (
        "plot_tutorial_fixed.py",
        "plot_memory_horizon.py",
        "plot_onehot_vs_tokens.py",
    )

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        if name in self.ORDER:
            return (self.ORDER.index(name), name)
        return (len(self.ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"

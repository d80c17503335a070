"""The oldest scikit-learn, skorch and torch that sklearn_echo works with.

``sklearn_echo/__init__.py`` checks them before it imports anything else, so
that an environment with an older release fails at import, with the version it
needs, rather than later with an error that names neither: scikit-learn 1.5
lacks ``validate_data``, skorch 1.0 rejects ``torch_load_kwargs`` in every fit,
torch 2.3 refuses ``fused=True`` on CPU.  pip enforces the same floors from
``pyproject.toml``; this catches environments put together without it.
"""

import importlib
import re

# The floors of pyproject.toml (a test checks that the two agree): distribution
# name -> (module name, oldest version).  The reasons are in the comments there.
MINIMUM_VERSIONS = {
    "scikit-learn": ("sklearn", "1.6.0"),
    "skorch": ("skorch", "1.2.0"),
    "torch": ("torch", "2.4.0"),
}


def release(version):
    """Return the release numbers of ``version``: ``(2, 13, 0)`` for '2.13.0+cpu'.

    Pre-release and local parts are ignored ('1.6.0rc1' counts as 1.6.0), and
    so are missing numbers ('1.6' is ``(1, 6, 0)``).  Text that does not start
    with a number gives None.
    """
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(version))
    if match is None:
        return None
    return tuple(int(part or 0) for part in match.groups())


def check_dependencies():
    """Raise ImportError naming every dependency older than sklearn_echo needs."""
    too_old = []
    for distribution, (module_name, minimum) in MINIMUM_VERSIONS.items():
        installed = getattr(importlib.import_module(module_name), "__version__", "")
        found = release(installed)
        # An unreadable version (a source checkout, say) is given the benefit
        # of the doubt.
        if found is not None and found < release(minimum):
            too_old.append((distribution, minimum, installed))
    if too_old:
        needs = ", ".join(f"{name} >= {minimum}" for name, minimum, _ in too_old)
        found = ", ".join(f"{name} {installed}" for name, _, installed in too_old)
        pins = " ".join(f'"{name}>={minimum}"' for name, minimum, _ in too_old)
        raise ImportError(
            f"sklearn_echo needs {needs}; this environment has {found}. Upgrade "
            f"with: python -m pip install --upgrade {pins}"
        )

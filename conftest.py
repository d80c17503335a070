"""Set-up that must run before pytest imports anything of the package.

scikit-learn's common checks need scipy's array API support switched on before
scipy is first imported, or some of them skip themselves.  pytest loads this
file, at the repository's root, before the conftest files of ``sklearn_echo/``
(its doctests) and ``tests/``; importing either imports scikit-learn, and with
it scipy.  The assertion keeps it that way.
"""

import os
import sys

assert "scipy" not in sys.modules, "scipy was imported before SCIPY_ARRAY_API was set"
os.environ.setdefault("SCIPY_ARRAY_API", "1")

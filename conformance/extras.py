"""What the harness needs beyond refgrad's NumPy (the ``conformance`` extra), and the message
that names what is missing: shared by the console script and ``python -m conformance``."""
from __future__ import annotations

import importlib.util
import sys

EXTRA_INSTALL = "pip install 'refgrad[conformance]'"
# import name -> distribution
NEEDED = {"pytest": "pytest", "xdist": "pytest-xdist", "torch": "torch",
          "hypothesis": "hypothesis", "jinja2": "jinja2"}


def missing_dependencies() -> list[str]:
    """The distributions of the ``conformance`` extra that cannot be imported."""
    return [dist for name, dist in NEEDED.items() if importlib.util.find_spec(name) is None]


def refuse_without(missing: list[str]) -> int:
    """Say which distributions are missing and how to install them; the exit code (2)."""
    print(f"conformance: the harness needs {', '.join(missing)}, which "
          f"{'is' if len(missing) == 1 else 'are'} not installed in this environment "
          f"({sys.executable}).\nInstall the harness's extra: {EXTRA_INSTALL}",
          file=sys.stderr)
    return 2

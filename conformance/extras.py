"""What the harness needs beyond refgrad's NumPy (the ``conformance`` extra), and the message
that names what is missing: shared by the console script and ``python -m conformance``."""
from __future__ import annotations

import importlib.util
import sys

EXTRA_INSTALL = "pip install 'refgrad[conformance]'"
# import name -> distribution
NEEDED = {"pytest": "pytest", "xdist": "pytest-xdist", "torch": "torch",
          "hypothesis": "hypothesis", "jinja2": "jinja2"}


def missing_dependencies(argv: list[str] | None = None) -> list[str]:
    """The distributions of the ``conformance`` extra that cannot be imported; torch only
    when the command needs it (``argv``, default sys.argv[1:]): not to replay references
    (``run --reference``) nor to read reports (html, compare, merge, reproducer)."""
    argv = sys.argv[1:] if argv is None else argv
    needed = dict(NEEDED)
    if not needs_torch(argv):
        del needed["torch"]
    return [dist for name, dist in needed.items() if not _importable(name)]


def needs_torch(argv: list[str]) -> bool:
    """Whether the command line runs torch in this process: ``record``, ``fuzz``, and ``run``
    without ``--reference``."""
    own = argv[:argv.index("--")] if "--" in argv else argv
    command = next((arg for arg in own if not arg.startswith("-")), None)
    if command in ("html", "compare", "merge", "reproducer"):
        return False
    return not (command == "run" and any(arg == "--reference" or arg.startswith("--reference=")
                                         for arg in own))


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):       # a finder that refuses it: not importable here
        return False


def refuse_without(missing: list[str]) -> int:
    """Say which distributions are missing and how to install them; the exit code (2)."""
    print(f"conformance: the harness needs {', '.join(missing)}, which "
          f"{'is' if len(missing) == 1 else 'are'} not installed in this environment "
          f"({sys.executable}).\nInstall the harness's extra: {EXTRA_INSTALL}",
          file=sys.stderr)
    return 2

"""The ``conformance`` console script: ``python -m conformance`` as an installed command.

Two things differ from ``python -m``, and this module puts them right before handing over to
:func:`conformance.__main__.main`:

- ``python -m`` puts the current folder on ``sys.path``; a console script does not, so a
  target module beside the user (``conformance run --target mymodule``) would not be found.
- ``pip install refgrad`` installs the script without the harness's dependencies (they are
  the ``conformance`` extra); a missing one is named with the command that installs it.
"""
from __future__ import annotations

import importlib.util
import os
import sys

EXTRA_INSTALL = "pip install 'refgrad[conformance]'"
# import name -> distribution, for what the harness needs beyond refgrad's NumPy
NEEDED = {"pytest": "pytest", "xdist": "pytest-xdist", "torch": "torch",
          "hypothesis": "hypothesis", "jinja2": "jinja2"}


def missing_dependencies() -> list[str]:
    """The distributions of the ``conformance`` extra that cannot be imported."""
    return [dist for name, dist in NEEDED.items() if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    missing = missing_dependencies()
    if missing and argv == ["--version"]:
        from conformance import __version__
        print(f"conformance {__version__}")
        return 0
    if missing:
        print(f"conformance: the harness needs {', '.join(missing)}, which "
              f"{'is' if len(missing) == 1 else 'are'} not installed in this environment "
              f"({sys.executable}).\nInstall the harness's extra: {EXTRA_INSTALL}",
              file=sys.stderr)
        return 2
    # as ``python -m conformance`` does: modules in the current folder can be targets
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    from conformance.__main__ import main as run_main
    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main())

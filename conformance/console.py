"""The ``conformance`` console script: ``python -m conformance`` as an installed command.

Two things differ from ``python -m``, and this module puts them right before handing over to
:func:`conformance.__main__.main`:

- ``python -m`` puts the current folder on ``sys.path``; a console script does not, so a
  target module beside the user (``conformance run --target mymodule``) would not be found.
- ``pip install refgrad`` installs the script without the harness's dependencies (they are
  the ``conformance`` extra); a missing one is named with the command that installs it.
"""
from __future__ import annotations

import os
import sys

from conformance.extras import EXTRA_INSTALL, missing_dependencies, refuse_without

def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    missing = missing_dependencies(argv)
    if missing and argv == ["--version"]:
        from conformance import __version__
        print(f"conformance {__version__}")
        return 0
    if missing:
        return refuse_without(missing)
    # as ``python -m conformance`` does: modules in the current folder can be targets
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    from conformance.__main__ import main as run_main
    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main())

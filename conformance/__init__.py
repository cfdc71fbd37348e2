"""Differential conformance harness: runs every case on a target PyTorch-like module and on
real PyTorch (CPU, and CUDA when present), compares what each lane observed, and writes JSON
and HTML diff reports. The target enters only through conformance.lanes, by module name.

PYTEST_DONT_REWRITE: the CLI imports this package before it starts pytest, and the ``pytest11``
entry point then names it for assertion rewriting; the marker keeps pytest from warning
"Module already imported so cannot be rewritten" (the harness's checks do not use assert)."""
import importlib.metadata
import importlib.util
import re


def _version() -> str:
    """The distribution's one version, ``refgrad.__version__``, read from refgrad's source
    beside this package (a checkout or an install) without importing refgrad."""
    spec = importlib.util.find_spec("refgrad")
    if spec is not None and spec.origin:
        with open(spec.origin, encoding="utf-8") as source:
            found = re.search(r'^__version__ = "([^"]+)"', source.read(), re.MULTILINE)
        if found:
            return found.group(1)
    try:
        return importlib.metadata.version("refgrad")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


__version__ = _version()


"""Reports of a conformance run: the JSON document (schema.py) and its HTML page."""
from __future__ import annotations

import os


def write_html(report: dict, path: str | os.PathLike) -> bool:
    """Render the HTML page if the renderer is installed; say so clearly if it is not."""
    try:
        from conformance.report.html import write_html as render
    except ImportError as exc:
        print(f"conformance: cannot write the HTML report ({exc}); the JSON report is "
              f"written regardless")
        return False
    render(report, path)
    return True

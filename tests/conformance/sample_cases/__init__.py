"""A small case package for the harness's own tests: every kind of observable, all of which
real torch must match on itself (the false-positive control)."""

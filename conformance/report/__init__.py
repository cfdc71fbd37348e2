"""Reports of a conformance run: the JSON document (schema.py) and its HTML page."""

"""Conformance cases, one module per area. See conformance.case for what a case is."""

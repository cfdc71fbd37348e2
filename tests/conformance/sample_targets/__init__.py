"""Torch-like targets with known defects, for the harness's own tests."""

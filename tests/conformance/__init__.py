"""Tests of the conformance harness, mirroring conformance/."""

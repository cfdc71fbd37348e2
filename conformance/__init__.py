"""Differential conformance harness: runs every case on a target PyTorch-like module and on
real PyTorch (CPU, and CUDA when present), compares what each lane observed, and writes JSON
and HTML diff reports. The target enters only through conformance.lanes, by module name."""

__version__ = "0.1.0"

"""Torch-like targets with one planted autograd bug each, for the fuzzer's own tests.

Each module is PyTorch itself seen through a module-level ``__getattr__``, with one function
replaced; the fuzzer must find the bug, shrink it to a few ops, and write a reproducer.
"""

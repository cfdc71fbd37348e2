"""The JSON report's schema: one document per conformance run.

This module is the single description of the format; the writer, the merger, ``compare`` and
the HTML renderer all read it from here. Bump SCHEMA_VERSION on any incompatible change.

Top level::

    {
      "schema_version": 1,
      "complete": true,              # false when interrupted (Ctrl-C) or a worker was lost
      "created": "2026-11-26T14:00:00+00:00",
      "environment": {
        "target": "refgrad", "target_version": "0.1.0",
        "python": "3.11.7", "numpy": "2.4.6", "torch": "2.13.0+cpu",
        "cuda_available": false, "cuda_device": null,      # e.g. "NVIDIA H200"
        "platform": "Linux-...-x86_64", "commit": "abc1234" | null,
        "command": "python -m conformance run ...",
        "fuzz": {"profile": "ci", "seed": 0, "shard": "1/1", "programs": 300} | absent
      },
      "lanes": {
        "target":     {"status": "run", "module": "refgrad", "device": "cpu"},
        "torch-cpu":  {"status": "run", "module": "torch", "device": "cpu"},
        "torch-cuda": {"status": "not_run", "reason": "CUDA is not available", ...}
      },
      "pairs": ["target~torch-cpu", "target~torch-cuda", "torch-cuda~torch-cpu"],
      "summary": {
        "statuses": ["match", "diverge", "known", "fixed", "missing", "not_run", "timeout",
                     "crash"],
        "total":   {"match": 812, "diverge": 3, ...},            # every status present, 0s too
        "by_pair": {"target~torch-cpu": {"match": ..., ...}, ...},
        "by_area": {"accumulation": {"target~torch-cpu": {"match": ..., ...}, ...}, ...},
        "unexpected": 3                # records with status diverge, timeout or crash
      },
      "known_unmatched": ["entry id that matched no case", ...],
      "records": [ RECORD, ... ]        # sorted by id
    }

A RECORD is one case on one lane pair (left is the lane under test, right the reference)::

    {
      "id": "accumulation::zero_grad[target~torch-cpu]",
      "case": "accumulation::zero_grad", "area": "accumulation", "name": "zero_grad",
      "param_id": "",
      "pair": "target~torch-cpu", "left": "target", "right": "torch-cpu",
      "status": "match" | "diverge" | "known" | "fixed" | "missing" | "not_run" | "timeout"
                | "crash",
      "reason": "why: the known-divergence reason, the missing name, the timeout, ...",
      "duration_s": 0.0012,
      "observables": [ OBSERVABLE, ... ],   # in the order the case returned them
      "graphs": {"target": GRAPH, "torch-cpu": GRAPH},   # every graph observable, per lane,
                                                         # keyed by lane then observable name:
                                                         # {"target": {"loss": GRAPH}, ...}
      "source": "def case_zero_grad(torch, device): ...",   # the case function's source
      "reproducer": "#!/usr/bin/env python3 ..." | null     # set on every non-match record
    }

An OBSERVABLE compares one named value::

    {
      "name": "w.grad",
      "kind": "tensor" | "scalar" | "text" | "error" | "warnings" | "graph" | "value",
      "status": "exact" | "close" | "diverge",    # close = within the dtype's tolerance
      "left": VALUE, "right": VALUE,
      "detail": "one line saying what differs, empty when exact",
      # tensors only:
      "max_abs": 1.2e-3, "max_rel": 4.0e-4, "where": [1, 2],   # index of the worst element
      "atol": 1e-5, "rtol": 1.3e-6,
      "mismatch": [[0, 1], [1, 2]]        # indices of elements out of tolerance (at most 200)
    }

A VALUE is plain JSON:

- tensor: ``{"type": "tensor", "dtype": "torch.float32", "shape": [2, 3], "device": "cpu",
  "requires_grad": true, "is_leaf": false, "grad_fn": "AddBackward0" | null,
  "values": nested lists (floats; "nan", "inf", "-inf" as strings), "truncated": false,
  "stats": {"min": .., "max": .., "mean": .., "nan": 0, "inf": 0}}``. Tensors over 10,000
  elements keep their first 1,000 values (flattened) and ``"truncated": true``.
- error: ``{"type": "error", "class": "RuntimeError", "base": "RuntimeError",
  "message": "..."}``
- warnings: ``{"type": "warnings", "result": VALUE,
  "warnings": [{"category": "UserWarning", "message": "..."}]}``
- graph (GRAPH): ``{"type": "graph", "nodes": [{"id": 0, "name": "AddBackward0",
  "variable": null}], "edges": [{"src": 0, "dst": 1, "input_nr": 0}]}``
- missing: ``{"type": "missing", "name": "torch.linalg.norm"}``
- anything else: ``{"type": "value", "repr": "...", "value": <JSON-able or null>}``
  (Python scalars, strings, bools, None, lists, tuples, dicts).
"""

SCHEMA_VERSION = 1

STATUSES = ("match", "diverge", "known", "fixed", "missing", "not_run", "timeout", "crash")
UNEXPECTED = ("diverge", "timeout", "crash")
LANES = ("target", "torch-cpu", "torch-cuda")
PAIRS = ("target~torch-cpu", "target~torch-cuda", "torch-cuda~torch-cpu")
OBSERVABLE_STATUSES = ("exact", "close", "diverge")

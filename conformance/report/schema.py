"""The JSON report's schema: one document per conformance run.

This module is the single description of the format; the writer, the merger, ``compare`` and
the HTML renderer all read it from here. Bump SCHEMA_VERSION on any incompatible change.

Top level::

    {
      "schema_version": 1,
      "complete": true,              # false when interrupted (Ctrl-C), or when a selected
                                     # item has no record (a worker was lost, -x stopped it)
      "strict": false,               # --strict: a "fixed" record counts as unexpected
      "allow_missing": false,        # --allow-missing: "missing" records do not fail the
                                     # run (a target whose records are all missing still
                                     # fails); absent in older reports (false)
      "created": "2026-11-26T14:00:00+00:00",
      "environment": {
        "target": "refgrad", "target_version": "0.1.0",
        "target_follows_torch": "2.13" | null,   # the target's __torch_version__
        "torch_note": "refgrad follows torch 2.13, but the reference torch is 2.14.1..."
                      | absent,      # only when the reference torch is another release
        "python": "3.11.7", "numpy": "2.4.6", "torch": "2.13.0+cpu",
        "cuda_available": false, "cuda_device": null,      # e.g. "NVIDIA H200"
        "platform": "Linux-...-x86_64",
        "commit": "abc1234" | null,    # the harness's own commit: only when it runs from a
                                       # checkout of its project, never the HEAD of a
                                       # repository it happens to be installed in
        "harness_version": "0.1.0",    # conformance.__version__
        "error": "the case process could not start: ..." | absent,   # why no lane ran
        "command": "python -m conformance run ...",
        "fuzz": {"profile": "ci", "seed": 0, "shard": "1/1", "programs": 300} | absent
        # run --reference: torch's lanes replayed from recorded files (torch is not imported):
        "reference": {"torch-cpu": {"file": "...ref.json.gz", "torch": "2.13.0+cpu"}} | absent,
        "torch_installed": "2.13.0+cpu" | null,      # read from its metadata; replay only
        "reference_warning": "the reference was recorded with torch 2.11.0; ..." | absent,
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
        "unexpected": 3                # records with status diverge, timeout or crash (and
      },                               # fixed when strict); run's exit code is 1 when > 0
      "known_unmatched": ["refgrad target~torch-cpu ops::gone", ...],   # "target pair case"
                                       # of each entry that matches no case (empty if
                                       # the run is incomplete)
      "records": [ RECORD, ... ]        # sorted by id
      "drift": {...} | absent           # a drift report only (conformance.drift): its pairs
    }                                   # are two torch versions' lanes ("torch-2.13.0~
                                        # torch-2.14.1", "...-cuda~...-cuda"); "drift" has
                                        # the sides "a" and "b" (label, from, torch, ...),
                                        # "statuses", and per kind of change ("kinds", in
                                        # observe.CHANGE_KINDS order, then "failure"):
                                        # "counts" (observables), "records", "items" (record,
                                        # case, pair, observable, detail); each changed
                                        # OBSERVABLE carries its "change" (the kind);
                                        # a "match" record keeps no observables, graphs or
                                        # source (its reason: "unchanged (N observables
                                        # equal)")

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
      "reproducer": "#!/usr/bin/env python3 ..." | null,    # on every record whose lanes
                              # ran and differed or failed (diverge, known, missing, timeout,
                              # crash); null on match, fixed and not_run records
      "tracebacks": {"left": "Traceback ..."},  # only when a lane raised an uncaught exception
      "sanitised": true,    # only when text in the record (a target's message, repr or
                            # traceback) held lone surrogates, which UTF-8 cannot encode:
                            # each was replaced by its escape, the six characters "\\ud800"
      "reference": {"torch-cpu": {"file": "torch-2.13.0-cpu.ref.json.gz",
                                  "torch": "2.13.0+cpu"}}   # only when a lane of the pair
                            # was replayed from a reference file (run --reference)
    }

A lane whose work got an object of the wrong type from the target (``x.sum()`` returning a
list) diverges with the reason "target returned the wrong type: x.sum() returned list [...]
(which has no attribute 'backward')"; "missing" is only for an attribute absent on the
target's namespace, on a tensor-like, or on an object or class of the target's package. An
exception that ends a thread the case started is the observable "uncaught exception in a
thread" (missing when it names a missing feature). A lane that runs out of memory (the case
process's limit, or a MemoryError the case caught) is a crash whose reason starts
"<lane>: out of memory".

Observables come from the dict a case returns, in its order (reference side first, then names
only the left side reported). A list, tuple or dict holding tensors or records is split into
one observable per element, named ``grads[0]``, ``flags[requires_grad]`` and so on. A lane
that raised an uncaught exception reports the single observable "uncaught exception" (an
error VALUE) instead. A "missing" record has one observable per missing name, whose left is a
missing VALUE. timeout, crash and not_run records have none.

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

Scalars (Python and NumPy numbers) also carry "atol", "rtol", "max_abs" and "max_rel". The
tolerance policy is stated once, in :mod:`conformance.compare`.

A VALUE is plain JSON:

- tensor: ``{"type": "tensor", "dtype": "torch.float32", "shape": [2, 3], "device": "cpu",
  "requires_grad": true, "is_leaf": false, "grad_fn": "AddBackward0" | null,
  "values": nested lists (floats; "nan", "inf", "-inf" as strings), "truncated": false,
  "stats": {"min": .., "max": .., "mean": .., "nan": 0, "inf": 0}}``. Tensors over 10,000
  elements keep their first 1,000 values (flattened) and ``"truncated": true``. Complex
  values are ``[re, im]`` pairs. A NumPy array a case returned is a tensor VALUE with dtype
  "numpy.float32" (say) and null device and autograd fields.
- error: ``{"type": "error", "class": "RuntimeError", "base": "RuntimeError",
  "message": "..."}``
- warnings: ``{"type": "warnings", "result": VALUE,
  "warnings": [{"category": "UserWarning", "message": "..."}]}``
- graph (GRAPH): ``{"type": "graph", "nodes": [{"id": 0, "name": "AddBackward0",
  "variable": null}], "edges": [{"src": 0, "dst": 1, "input_nr": 0}]}``
- missing: ``{"type": "missing", "name": "torch.linalg.norm"}``
- anything else: ``{"type": "value", "repr": "...", "pytype": "float", "value": <JSON-able
  or null>}`` (Python scalars, strings, bools, None, lists, tuples, dicts). ``pytype`` is the
  Python type's name ("int", "float", "bool", "str", "tuple", "Size", "dtype", ...; NumPy
  scalars "numpy.float32"); non-finite floats are "nan"/"inf"/"-inf" strings. A container that
  holds tensors or records has ``"value": null`` and its elements as VALUEs in ``"items"`` (a
  list, or an object for a dict). Other objects have ``"value": null`` and compare by repr
  (addresses normalised to ``0x…``).
"""

from conformance.records import UNEXPECTED as _UNEXPECTED, Status

SCHEMA_VERSION = 1

# Top-level keys a reader needs (json_report.load refuses a report without them).
REPORT_KEYS = ("complete", "environment", "lanes", "summary", "records")

STATUSES = tuple(status.value for status in Status)
UNEXPECTED = tuple(status.value for status in Status if status in _UNEXPECTED)
LANES = ("target", "torch-cpu", "torch-cuda")
PAIRS = ("target~torch-cpu", "target~torch-cuda", "torch-cuda~torch-cpu")
OBSERVABLE_STATUSES = ("exact", "close", "diverge")

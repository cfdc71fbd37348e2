"""The lanes a case runs on, built by module name: the target, torch on the CPU, torch on CUDA.

The target is ``refgrad`` unless ``--target MODULE`` or the environment variable
``CONFORMANCE_TARGET`` names another importable torch-like module. It always runs with device
"cpu"; the reference is ``torch-cpu``; ``torch-cuda`` runs when CUDA is available and is
reported as not run (with the reason) otherwise, never as passed.

The target's namespace is wrapped so that an attribute it lacks (``torch.linalg`` on a target
without ``linalg``) raises :class:`conformance.observe.MissingFeature` naming what was asked for:
the case is then reported as "missing" on that target instead of diverging.
"""
from __future__ import annotations

import importlib
import os
import types
from dataclasses import dataclass
from typing import Any

from conformance.observe import MissingFeature

DEFAULT_TARGET = "refgrad"
TARGET_ENV = "CONFORMANCE_TARGET"
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


@dataclass
class Lane:
    name: str                 # "target", "torch-cpu" or "torch-cuda"
    module_name: str          # the module the namespace came from
    namespace: Any            # what a case receives as ``torch``
    device: str               # what a case receives as ``device``
    status: str = "run"       # "run" or "not_run"
    reason: str = ""          # why not run
    reference: Any = None     # a torch lane replayed from this conformance.reference.Reference

    def describe(self) -> dict:
        """The lane as the report's "lanes" entry (schema.py)."""
        info = {"status": self.status, "module": self.module_name, "device": self.device}
        if self.reason:
            info["reason"] = self.reason
        if self.reference is not None:
            info["reference"] = self.reference.source()
        return info


def resolve_target(target: str | None = None) -> str:
    """``--target`` if given, else ``$CONFORMANCE_TARGET``, else refgrad."""
    return target or os.environ.get(TARGET_ENV) or DEFAULT_TARGET


def pin_threads() -> None:
    """One thread for torch and NumPy: several worker processes share few cores, and torch's
    default thread pool makes small ops many times slower under that contention.

    The environment variables only take effect before NumPy/torch are imported, so call this
    first thing in every process that runs cases; torch.set_num_threads covers the rest.
    """
    for name in THREAD_ENV:
        os.environ[name] = "1"
    import sys
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


class TargetNamespace:
    """A target module seen through a wrapper that names any attribute it lacks.

    Submodules are wrapped too, so ``torch.nn.functional.mse_loss`` on a target without it
    raises MissingFeature("refgrad.nn.functional.mse_loss"). Everything else is the module's
    own object, untouched.
    """

    __slots__ = ("_module", "_qualname")

    def __init__(self, module: types.ModuleType, qualname: str | None = None):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_qualname", qualname or module.__name__)

    def __getattr__(self, name: str) -> Any:
        module = object.__getattribute__(self, "_module")
        qualname = object.__getattribute__(self, "_qualname")
        try:
            value = getattr(module, name)
        except AttributeError as exc:
            if name.startswith("__") and name.endswith("__"):
                raise
            raise MissingFeature(f"{qualname}.{name}", str(exc)) from None
        if isinstance(value, types.ModuleType):
            return TargetNamespace(value, f"{qualname}.{name}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_module"), name, value)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_module"))

    def __repr__(self) -> str:
        return repr(object.__getattribute__(self, "_module"))


def import_target(module_name: str) -> types.ModuleType:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"conformance target {module_name!r} cannot be imported ({exc}); name an "
            f"importable torch-like module with --target or {TARGET_ENV}") from exc


def cuda_status(torch: Any) -> tuple[bool, str]:
    """(available, reason when not): never initialises CUDA beyond the availability query."""
    try:
        if torch.cuda.is_available():
            return True, ""
    except Exception as exc:  # noqa: BLE001 - a broken CUDA setup is a reason, not a crash
        return False, f"CUDA check failed: {type(exc).__name__}: {exc}"
    return False, f"CUDA is not available (torch {torch.__version__})"


RECORDING = "recording torch's lanes only (conformance record)"


def make_lanes(target: str | None = DEFAULT_TARGET, want_cuda: bool = True, *,
               references: tuple[str, ...] = (), record: bool = False) -> dict[str, Lane]:
    """The three lanes, in the order the report lists them (target, torch-cpu, torch-cuda).

    ``record``: torch's lanes only; the target is not imported (its lane does not run).
    ``references``: reference files (conformance.reference) whose recorded torch lanes stand
    in for torch's; torch is then never imported."""
    target = resolve_target(target)
    if record:
        lanes = {"target": Lane("target", target, None, "cpu", "not_run", RECORDING)}
    else:
        lanes = {"target": Lane("target", target, TargetNamespace(import_target(target)),
                                "cpu")}
    if references:
        lanes.update(replayed_lanes(references, want_cuda))
        return lanes
    import torch
    torch.set_num_threads(1)
    lanes["torch-cpu"] = Lane("torch-cpu", "torch", torch, "cpu")
    if not want_cuda:
        available, reason = False, "the CUDA lane was turned off (--no-cuda)"
    else:
        available, reason = cuda_status(torch)
    lanes["torch-cuda"] = Lane("torch-cuda", "torch", torch, "cuda",
                               "run" if available else "not_run", reason)
    return lanes


def recording(lanes: dict[str, Lane]) -> bool:
    """Whether these lanes record torch (``conformance record``): the target does not run."""
    return lanes["target"].namespace is None and lanes["target"].reason == RECORDING


def replayed_lanes(paths: tuple[str, ...], want_cuda: bool = True) -> dict[str, Lane]:
    """torch-cpu and torch-cuda from reference files: each lane from the first file in which
    it ran; a lane no file ran is not run, with the recorded reason. A file that adds no lane
    is refused (ReferenceError), so that no file given is silently ignored."""
    from conformance import reference as reference_module
    read = [reference_module.read(path) for path in paths]
    lanes: dict[str, Lane] = {}
    for ref in read:
        adds = [name for name, info in ref.lanes.items()
                if info["status"] == "run" and name not in lanes]
        if not adds:
            raise reference_module.ReferenceError(
                f"{ref.path} adds no lane: its running lanes come from an earlier --reference "
                f"already (give one file per lane set: a CPU file, then a CUDA file)")
        for name in adds:
            lanes[name] = Lane(name, "torch", None, ref.lanes[name].get("device", "cpu"),
                               reference=ref)
    for name, device in (("torch-cpu", "cpu"), ("torch-cuda", "cuda")):
        if name not in lanes:
            recorded = read[0].lanes.get(name, {})
            reason = recorded.get("reason") or f"no reference file has the {name} lane"
            lanes[name] = Lane(name, "torch", None, device, "not_run", reason,
                               reference=read[0])     # where its not running comes from
    if not want_cuda and lanes["torch-cuda"].status == "run":
        lanes["torch-cuda"] = Lane("torch-cuda", "torch", None, "cuda", "not_run",
                                   "the CUDA lane was turned off (--no-cuda)")
    return {"torch-cpu": lanes["torch-cpu"], "torch-cuda": lanes["torch-cuda"]}

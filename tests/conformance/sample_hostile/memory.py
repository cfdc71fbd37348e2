"""Sizes are fixed, not read from the environment: the case process comes from a fork
server, whose environment is the one it started with."""
import numpy as np

TOO_MUCH = 1 << 30      # one allocation, past the tests' limits (256 and 512 MiB)
LEAK = 100 << 20        # what case_leaks keeps alive in its process, each time
KEPT = []


def _is_target(torch):
    return type(torch).__name__ == "TargetNamespace"


def _touched(nbytes):
    return np.ones(nbytes // 8)         # written: resident, not only reserved


def case_fine(torch, device):
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_allocates_too_much(torch, device):
    """Asks for TOO_MUCH at once on the target lane."""
    if _is_target(torch):
        _touched(TOO_MUCH)
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_catches_its_memory_error(torch, device):
    """Runs out of memory inside observe.error: the MemoryError is not an observation."""
    from conformance import observe
    size = TOO_MUCH if _is_target(torch) else 8
    return {"made": observe.error(lambda: _touched(size).shape)}


def case_leaks(torch, device):
    """Keeps LEAK bytes alive in its process after it returns, on the target lane."""
    if _is_target(torch):
        KEPT.append(_touched(LEAK))
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}

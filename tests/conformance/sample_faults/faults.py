import os
import time

import numpy as np


def case_fine(torch, device):
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_sleeps(torch, device):
    time.sleep(float(os.environ.get("SAMPLE_SLEEP_S", "30")))
    return {}


def _is_target(torch):
    return type(torch).__name__ == "TargetNamespace"


def case_exits(torch, device):
    """Kills its process on the target lane only; the reference lanes still answer."""
    if _is_target(torch):
        os._exit(3)
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_ignores_alarm(torch, device):
    """A hang the in-process alarm cannot stop (SIGALRM blocked): the process is killed."""
    import signal
    if _is_target(torch):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(float(os.environ.get("SAMPLE_SLEEP_S", "30")))
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_kills_its_worker(torch, device):
    """Kills the process the harness runs cases for (a pytest-xdist worker), on the target lane,
    when SAMPLE_KILL_WORKER is set: what is left when a worker itself dies."""
    import signal
    if _is_target(torch) and os.environ.get("SAMPLE_KILL_WORKER"):
        os.kill(int(os.environ["CONFORMANCE_OWNER_PID"]), signal.SIGKILL)
        time.sleep(30)
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_segfaults(torch, device):
    """Dereferences a null pointer on the target lane: the process dies of SIGSEGV."""
    if _is_target(torch):
        import ctypes
        ctypes.string_at(0)
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}

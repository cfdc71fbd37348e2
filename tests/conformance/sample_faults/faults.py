import os
import time

import numpy as np


def case_fine(torch, device):
    return {"ones": torch.tensor(np.ones(3, np.float32), device=device)}


def case_sleeps(torch, device):
    time.sleep(float(os.environ.get("SAMPLE_SLEEP_S", "30")))
    return {}


def case_exits(torch, device):
    os._exit(3)


def case_ignores_alarm(torch, device):
    """A hang the in-process alarm cannot stop (SIGALRM blocked): the process is killed."""
    import signal
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(float(os.environ.get("SAMPLE_SLEEP_S", "30")))
    return {}

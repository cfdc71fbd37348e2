"""A target whose import kills its process with SIGSEGV."""
import os
import signal

os.kill(os.getpid(), signal.SIGSEGV)

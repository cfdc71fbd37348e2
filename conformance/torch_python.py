"""Torch lanes from another interpreter: ``--torch-python PATH`` (``run``) and ``python:PATH``
(``drift``).

There is one way to get torch's lanes from elsewhere: record them into a reference there
(``PATH -m conformance record``, with this checkout's harness on ``PYTHONPATH``) and replay the
file (:mod:`conformance.reference`). So torch 2.13 and 2.14.1, each in its own virtualenv, are
compared in one command without a second executor.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import conformance

PREFIX = "python:"
RECORD_TIMEOUT_S = 3 * 3600.0


class InterpreterError(ValueError):
    """The other interpreter could not record its reference (the message says why)."""


def checkout_root() -> str:
    """The folder holding this harness's ``conformance`` package (and refgrad)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(conformance.__file__)))


def check_interpreter(python: str) -> str:
    """``python`` as an executable path, or InterpreterError naming what is wrong."""
    found = shutil.which(python) if os.sep not in python else python
    if not found or not os.path.isfile(found):
        raise InterpreterError(f"{python}: no such interpreter")
    if not os.access(found, os.X_OK):
        raise InterpreterError(f"{python}: not executable")
    return found


def record_command(python: str, output: str, keyword: str | None = None,
                   want_cuda: bool = True, workers: int | str | None = None,
                   cases: str | None = None) -> list[str]:
    """``PATH -m conformance record`` with the options that choose what is recorded."""
    command = [python, "-m", "conformance", "record", "--out", output, "-q"]
    if cases:
        command += ["--cases", cases]
    if keyword:
        command += ["-k", keyword]
    if not want_cuda:
        command.append("--no-cuda")
    if workers is not None:
        command += ["-n", str(workers)]
    return command


def record(python: str, output: str, keyword: str | None = None, want_cuda: bool = True,
           workers: int | str | None = None, cases: str | None = None) -> str:
    """Record torch's lanes in the interpreter ``python`` into the reference ``output``;
    its output goes to this process's stderr. InterpreterError when it fails."""
    python = check_interpreter(python)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [checkout_root()] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    command = record_command(python, output, keyword, want_cuda, workers, cases)
    print(f"recording torch's lanes with {python}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                              stdout=sys.stderr, timeout=RECORD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise InterpreterError(f"{python} did not finish recording in "
                               f"{RECORD_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise InterpreterError(f"{python} cannot be run ({exc.strerror or exc})") from None
    if done.returncode != 0 or not os.path.exists(output):
        raise InterpreterError(f"{python} could not record a reference (exit code "
                               f"{done.returncode}; its output is above)")
    return output

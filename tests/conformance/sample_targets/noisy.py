"""torch, except that ``exp`` raises with a message holding a lone surrogate and ANSI/OSC
escape sequences (colour, clear screen, set the terminal's title), and ``__version__``
holds a surrogate too."""
import torch as _torch

NOISE = "exp failed \ud800 \x1b[31mred\x1b[0m \x1b[2J \x1b]0;pwned\x07 done"
__version__ = "0.0.1\udcff"


def exp(*args, **kwargs):
    raise RuntimeError(NOISE)


def __getattr__(name):
    return getattr(_torch, name)

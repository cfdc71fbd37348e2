"""``torch.func.vmap`` as a loop over the batch: the reference semantics of vectorising map.

``vmap(f, in_dims, out_dims)(*args)`` calls ``f`` once per batch index ``b`` with each mapped
argument replaced by its slice ``arg.select(in_dim, b)`` (unmapped arguments, ``in_dim=None``,
and keyword arguments are passed whole), then stacks each output along its ``out_dim``. The
slices and the stack are ordinary differentiable ops, so vmap composes with the other
transforms and with itself. Argument checks and their messages are torch's.

Where a loop differs from torch's batched execution: with ``out_dims=None`` torch returns an
output that does not depend on the batch and refuses one that does; the loop cannot see
dependence, so it accepts an output that is equal at every batch index and refuses one that
differs. A differentiable output's ``grad_fn`` is the stack (``StackBackward0``) where torch's
is the batched op's node. ``.item()`` inside the function is not refused.
"""
from __future__ import annotations

import functools
import importlib
from contextlib import contextmanager
from typing import Callable

from . import _pytree as pytree


def _ns():
    return importlib.import_module("..", __package__)


def _name(func) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _flat_in_dims(ns, name: str, in_dims, args: tuple) -> tuple[list, list]:
    """The arguments' leaves and one in_dim per leaf, checked as torch checks them."""
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a"
            f" (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}.")
    if not args:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are"
            " trying to vmap over a function with no inputs. The latter is unsupported.")
    leaves, args_spec = pytree.flatten(args)
    dims = pytree.broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`. in_dims has structure {pytree.structure(in_dims)!r} "
            f"but inputs has structure {args_spec!r}.")
    prefix = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError(f"{prefix}: Got in_dim={dim} for an input but in_dim must be either"
                             " an integer dimension or None.")
        if not isinstance(leaf, ns.Tensor):
            raise ValueError(
                f"{prefix}: Got in_dim={dim} for an input but the input is of type "
                f"{type(leaf)}. We cannot vmap over non-Tensor arguments, please use None as "
                "the respective in_dim")
        if not -leaf.dim() <= dim < leaf.dim():
            raise ValueError(
                f"{prefix}: Got in_dim={dim} for some input, but that input is a Tensor of "
                f"dimensionality {leaf.dim()} so expected in_dim to satisfy "
                f"-{leaf.dim()} <= in_dim < {leaf.dim()}.")
    return leaves, dims


def _batch_size(leaves, dims) -> int:
    sizes = [leaf.shape[dim] for leaf, dim in zip(leaves, dims) if dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(size != sizes[0] for size in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _flat_out_dims(name: str, out_dims, first_output, out_spec) -> list:
    def incompatible():
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
            f"with the structure of `outputs`. out_dims has structure "
            f"{pytree.structure(out_dims)!r} but outputs has structure {out_spec!r}.")
    if out_spec.is_leaf:
        if out_dims is None or (isinstance(out_dims, int) and not isinstance(out_dims, bool)):
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        incompatible()
    dims = pytree.broadcast_prefix(out_dims, first_output)
    if dims is None:
        incompatible()
    return dims


def _same_values(ns, samples) -> bool:
    first = samples[0]
    return all(s is first or (isinstance(s, ns.Tensor) and s.shape == first.shape
                              and bool(ns.equal(s.detach(), first.detach())))
               for s in samples[1:])


def _unbatched(ns, name: str, samples):
    """An output with ``out_dim=None``: one value for the whole batch."""
    if isinstance(samples[0], ns.Tensor) and not _same_values(ns, samples):
        raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                         "out_dim is None")
    return samples[0]


class _NoRandomness:
    """The default generator's NumPy source while vmap runs with ``randomness="error"``."""

    def __getattr__(self, name):
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap")


@contextmanager
def _randomness(ns, randomness: str):
    """Around the whole loop: random draws refused (``"error"``), or left alone."""
    generator = ns.default_generator
    source = generator.rng
    if randomness == "error":
        generator.rng = _NoRandomness()
    try:
        yield source
    finally:
        generator.rng = source


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size=None) -> Callable:
    """``func`` mapped over a batch dimension of its arguments (see the module docstring).

    ``randomness``: ``"error"`` refuses random draws inside ``func``, ``"different"`` lets
    each batch index draw its own numbers, ``"same"`` gives every index the same ones.
    ``chunk_size`` only changes how torch batches the work."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = _name(func)

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        ns = _ns()
        leaves, dims = _flat_in_dims(ns, name, in_dims, args)
        size = _batch_size(leaves, dims)
        args_spec = pytree.structure(args)
        per_sample = []
        with _randomness(ns, randomness) as source:
            replays = randomness == "same" and not isinstance(source, _NoRandomness)
            start = source.bit_generator.state if replays else None
            for b in range(size):
                if start is not None:
                    source.bit_generator.state = start     # "same": every index replays
                sliced = [leaf if dim is None else leaf.select(dim, b)
                          for leaf, dim in zip(leaves, dims)]
                per_sample.append(func(*pytree.unflatten(sliced, args_spec), **kwargs))
        if not per_sample:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        flats = [pytree.flatten(output) for output in per_sample]
        out_spec = flats[0][1]
        flat_dims = _flat_out_dims(name, out_dims, per_sample[0], out_spec)
        results = []
        for i, dim in enumerate(flat_dims):
            samples = [flat[0][i] for flat in flats]
            if dim is None:
                results.append(_unbatched(ns, name, samples))
                continue
            if not isinstance(samples[0], ns.Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                    f"{type(samples[0])}. Did you mean to set out_dims= to None for output?")
            results.append(ns.stack(samples, dim))
        return pytree.unflatten(results, out_spec)

    return wrapped


__all__ = ["vmap"]

"""refgrad against torch (CPU), and mygrad / HIPS autograd when installed: speed and memory.

Run by hand, one thread everywhere:

    python benchmarks/bench.py             # the full table (a few minutes)
    python benchmarks/bench.py --quick     # fewer repeats, chains up to 10,000 nodes
    python benchmarks/bench.py --profile mlp   # cProfile of refgrad on one benchmark

Benchmarks (per iteration, best of several repeats of an auto-ranged loop):

- ``tutorial``: the seed tutorial's graph, ``bce_with_logits(x @ w + b, y)``, forward+backward;
- ``mlp``: one SGD training step of a 64x784 -> 256 -> relu -> 10 MLP with cross-entropy;
- ``matmul``: ``(A @ B).sum()`` forward+backward at 1024x1024 float32, against the NumPy floor
  of the same three matmuls (``A @ B``, ``G @ B.T``, ``A.T @ G``);
- ``chain N``: backward through a chain of N ``y = y * c`` nodes, time per node
  (HIPS autograd has no separate backward: its column is forward+backward);
- ``chain+gc N``: build N steps of ``y = y * c + 0.0`` (two nodes a step), backward, drop;
  CPU time per step with the cycle collector ON, as users run (the collector's passes over a
  growing graph of Python objects are what it measures);
- ``peak memory``: one MLP step at batch 1024 in a fresh subprocess per library, after a
  batch-1 warm-up step. Two measures: the peak resident set size during the step over the
  resident size before it (Linux: ``VmHWM`` reset through ``/proc/self/clear_refs``) -- the
  same method for every library, torch included, and the one the target uses -- and, for the
  NumPy-based libraries, the tracemalloc peak of the step (tracemalloc slows the step down,
  so it is measured separately from any timing);
- ``graph freed``: with ``gc.disable()``, whether a hidden activation held only by the graph
  dies as soon as the loss is dropped (reference counting alone).

Targets for refgrad: tutorial <= 1.0x torch, MLP step <= 1.1x torch, matmul <= 1.05x the
NumPy floor, chain time per node <= 1.5x torch's and flat (largest / smallest per-node time
<= 1.5) from 1,000 to 100,000 nodes, the same for chain+gc per step, peak memory <= 1.5x
torch's, graph freed by refcount.

    python benchmarks/bench.py --refgrad-before ../before --rounds 5

runs refgrad from another checkout (``../before``), this tree's refgrad and torch, each in a
fresh interpreter, in turn for the given rounds, and prints median times and the median of the
per-round ratios to torch for the tutorial, the MLP step and chain+gc.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy or torch is imported

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import weakref  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LR = 0.01


# ---------------------------------------------------------------------------------------------
# shared inputs (NumPy, seeded): every library sees the same numbers


def tutorial_data():
    rng = np.random.default_rng(0)
    return (np.ones(5, np.float32), np.zeros(3, np.float32),
            rng.standard_normal((5, 3)).astype(np.float32),
            rng.standard_normal(3).astype(np.float32))


def mlp_data(batch: int):
    rng = np.random.default_rng(1)
    params = [
        (rng.standard_normal((784, 256)) * 0.05).astype(np.float32),
        np.zeros(256, np.float32),
        (rng.standard_normal((256, 10)) * 0.05).astype(np.float32),
        np.zeros(10, np.float32),
    ]
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    labels = rng.integers(0, 10, batch).astype(np.int64)
    return params, x, labels


def matmul_data(n: int = 1024):
    rng = np.random.default_rng(2)
    return (rng.standard_normal((n, n)).astype(np.float32),
            rng.standard_normal((n, n)).astype(np.float32))


# ---------------------------------------------------------------------------------------------
# one adapter per library


class TorchLike:
    """refgrad and torch share one adapter: the same torch code runs on either module."""

    def __init__(self, module_name: str):
        self.name = module_name
        self.t = importlib.import_module(module_name)
        if hasattr(self.t, "set_num_threads"):
            self.t.set_num_threads(1)
        self.F = self.t.nn.functional

    def param(self, array):
        return self.t.tensor(array, requires_grad=True)

    # tutorial graph
    def tutorial_setup(self):
        x, y, w, b = tutorial_data()
        self.tut = (self.t.tensor(x), self.t.tensor(y), self.param(w), self.param(b))

    def tutorial_step(self):
        x, y, w, b = self.tut
        z = self.t.matmul(x, w) + b
        loss = self.F.binary_cross_entropy_with_logits(z, y)
        loss.backward()

    # MLP training step
    def mlp_setup(self, batch: int = 64):
        params, x, labels = mlp_data(batch)
        self.params = [self.param(p) for p in params]
        self.x = self.t.tensor(x)
        self.labels = self.t.tensor(labels)

    def mlp_loss(self):
        w1, b1, w2, b2 = self.params
        hidden = self.F.relu(self.x @ w1 + b1)
        return self.F.cross_entropy(hidden @ w2 + b2, self.labels)

    def mlp_first_gradient(self):
        """(loss, dloss/dW2) of a fresh batch-64 MLP: checks that every library does the same
        arithmetic."""
        self.mlp_setup(64)
        loss = self.mlp_loss()
        loss.backward()
        return loss.item(), self.params[2].grad.numpy().copy()

    def mlp_step(self):
        loss = self.mlp_loss()
        loss.backward()
        with self.t.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None

    # (A @ B).sum()
    def matmul_setup(self):
        a, b = matmul_data()
        self.mm = (self.param(a), self.param(b))

    def matmul_step(self):
        a, b = self.mm
        (a @ b).sum().backward()
        a.grad = None
        b.grad = None

    # chains
    def chain_build(self, n: int):
        x = self.param(np.ones(4, np.float32))
        y = x
        for _ in range(n):
            y = y * 1.0001
        self.chain = (x, y.sum())

    def chain_backward(self):
        self.chain[1].backward()

    def chain_gc_step(self, n: int):
        """Build ``y = y * c + 0.0`` n times from a leaf, then backward (timed as a whole)."""
        x = self.param(np.ones(4, np.float32))
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0
        y.sum().backward()

    # graph lifetime
    def graph_freed(self):
        self.mlp_setup(8)
        w1, b1, w2, b2 = self.params
        hidden = self.F.relu(self.x @ w1 + b1)
        loss = self.F.cross_entropy(hidden @ w2 + b2, self.labels)
        probe = weakref.ref(hidden)
        del hidden
        alive_with_loss = probe() is not None
        del loss
        return alive_with_loss and probe() is None


class MyGrad:
    name = "mygrad"

    def __init__(self):
        self.mg = importlib.import_module("mygrad")
        from mygrad.nnet.activations import relu
        from mygrad.nnet.losses import softmax_crossentropy
        self.relu, self.xent = relu, softmax_crossentropy

    def tutorial_setup(self):
        x, y, w, b = tutorial_data()
        self.tut = (x, y, self.mg.tensor(w), self.mg.tensor(b))

    def tutorial_step(self):
        mg = self.mg
        x, y, w, b = self.tut
        z = mg.matmul(x, w) + b
        # BCE with logits, the stable form: max(z, 0) - z y + log(1 + exp(-|z|))
        loss = mg.mean(mg.maximum(z, 0) - z * y + mg.log1p(mg.exp(-mg.abs(z))))
        loss.backward()

    def mlp_setup(self, batch: int = 64):
        params, x, labels = mlp_data(batch)
        self.params = [self.mg.tensor(p) for p in params]
        self.x, self.labels = x, labels

    def mlp_loss(self):
        w1, b1, w2, b2 = self.params
        hidden = self.relu(self.mg.matmul(self.x, w1) + b1)
        return self.xent(self.mg.matmul(hidden, w2) + b2, self.labels)

    def mlp_first_gradient(self):
        self.mlp_setup(64)
        loss = self.mlp_loss()
        loss.backward()
        return float(loss.item()), np.array(self.params[2].grad)

    def mlp_step(self):
        loss = self.mlp_loss()
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad

    def matmul_setup(self):
        a, b = matmul_data()
        self.mm = (self.mg.tensor(a), self.mg.tensor(b))

    def matmul_step(self):
        a, b = self.mm
        self.mg.sum(self.mg.matmul(a, b)).backward()

    def chain_build(self, n: int):
        x = self.mg.tensor(np.ones(4, np.float32))
        y = x
        for _ in range(n):
            y = y * 1.0001
        self.chain = (x, self.mg.sum(y))

    def chain_backward(self):
        self.chain[1].backward()

    def chain_gc_step(self, n: int):
        x = self.mg.tensor(np.ones(4, np.float32))
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0
        self.mg.sum(y).backward()

    def graph_freed(self):
        self.mlp_setup(8)
        w1, b1, w2, b2 = self.params
        hidden = self.relu(self.mg.matmul(self.x, w1) + b1)
        loss = self.xent(self.mg.matmul(hidden, w2) + b2, self.labels)
        probe = weakref.ref(hidden)
        del hidden
        alive_with_loss = probe() is not None
        del loss
        return alive_with_loss and probe() is None


class HipsAutograd:
    """HIPS autograd: gradients of whole functions; forward and backward always together."""

    name = "autograd"

    def __init__(self):
        import autograd
        import autograd.numpy as anp
        self.anp, self.grad = anp, autograd.grad

    def tutorial_setup(self):
        anp = self.anp
        x, y, w, b = tutorial_data()

        def loss(params):
            w_, b_ = params
            z = anp.dot(x, w_) + b_
            return anp.mean(anp.maximum(z, 0) - z * y + anp.log1p(anp.exp(-anp.abs(z))))

        self.tut = (self.grad(loss), (w, b))

    def tutorial_step(self):
        gradient, params = self.tut
        gradient(params)

    def mlp_setup(self, batch: int = 64):
        anp = self.anp
        params, x, labels = mlp_data(batch)
        onehot = np.eye(10, dtype=np.float32)[labels]

        def loss(ps):
            w1, b1, w2, b2 = ps
            hidden = anp.maximum(anp.dot(x, w1) + b1, 0)
            logits = anp.dot(hidden, w2) + b2
            shifted = logits - anp.max(logits, axis=1, keepdims=True)
            log_probs = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
            return -anp.mean(anp.sum(log_probs * onehot, axis=1))

        self.mlp = (self.grad(loss), list(params))
        self.mlp_loss_fn = loss

    def mlp_first_gradient(self):
        self.mlp_setup(64)
        gradient, params = self.mlp
        return float(self.mlp_loss_fn(params)), np.array(gradient(params)[2])

    def mlp_step(self):
        gradient, params = self.mlp
        grads = gradient(params)
        for i, g in enumerate(grads):
            params[i] = params[i] - LR * g

    def matmul_setup(self):
        anp = self.anp
        self.mm = (self.grad(lambda ab: anp.sum(anp.dot(ab[0], ab[1]))), matmul_data())

    def matmul_step(self):
        gradient, ab = self.mm
        gradient(ab)

    def chain_build(self, n: int):
        anp = self.anp

        def chain(x):
            for _ in range(n):
                x = x * 1.0001
            return anp.sum(x)

        self.chain = (self.grad(chain), np.ones(4, np.float32))

    def chain_backward(self):  # forward + backward: autograd has no other way
        gradient, x = self.chain
        gradient(x)

    def chain_gc_step(self, n: int):
        anp = self.anp

        def chain(x):
            for _ in range(n):
                x = x * 1.0001 + 0.0
            return anp.sum(x)

        self.grad(chain)(np.ones(4, np.float32))

    def graph_freed(self):
        return None  # the graph never outlives a grad() call


def load_libraries(names=("refgrad", "torch", "mygrad", "autograd")) -> dict:
    """refgrad and torch are required (when asked for); mygrad and autograd are optional."""
    libraries = {}
    for name in names:
        try:
            libraries[name] = load_one(name)
        except ImportError:
            if name in ("refgrad", "torch"):
                raise
            print(f"({name} is not installed: its column is left out)")
    return libraries


# ---------------------------------------------------------------------------------------------
# timing


def best_time(func, repeat: int) -> float:
    """Seconds per call: the best of ``repeat`` auto-ranged loops."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def attempt(func):
    try:
        return func()
    except RecursionError:
        return "RecursionError"
    except Exception as exc:  # reported in the table, never hidden
        return f"{type(exc).__name__}: {exc}"[:60]


def time_tutorial(lib, repeat):
    lib.tutorial_setup()
    return best_time(lib.tutorial_step, repeat)


def time_mlp(lib, repeat):
    lib.mlp_setup(64)
    return best_time(lib.mlp_step, repeat)


def time_matmul(lib, repeat):
    lib.matmul_setup()
    return best_time(lib.matmul_step, repeat)


def time_numpy_tutorial_floor(repeat):
    """The tutorial step written out in NumPy: what no autograd can beat."""
    x, y, w, b = tutorial_data()
    w_grad, b_grad = np.zeros_like(w), np.zeros_like(b)

    def step():
        z = x @ w + b
        # mean(max(z, 0) - z y + log1p(exp(-|z|))) and its gradient (sigmoid(z) - y) / n
        np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        dz = (1 / (1 + np.exp(-z)) - y) / z.size
        w_grad.__iadd__(np.outer(x, dz))
        b_grad.__iadd__(dz)

    return best_time(step, repeat)


def time_numpy_mlp_floor(repeat):
    """The MLP step written out in NumPy (forward, backward, SGD update)."""
    params, x, labels = mlp_data(64)
    w1, b1, w2, b2 = params
    onehot = np.eye(10, dtype=np.float32)[labels]

    def step():
        pre = x @ w1 + b1
        hidden = np.maximum(pre, 0)
        logits = hidden @ w2 + b2
        shifted = logits - logits.max(1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(1, keepdims=True)
        -((shifted - np.log(total)) * onehot).sum() / len(x)
        dlogits = (exp / total - onehot) / len(x)
        dw2, db2 = hidden.T @ dlogits, dlogits.sum(0)
        dpre = np.where(pre > 0, dlogits @ w2.T, 0)
        dw1, db1 = x.T @ dpre, dpre.sum(0)
        for p, g in ((w1, dw1), (b1, db1), (w2, dw2), (b2, db2)):
            p -= LR * g

    return best_time(step, repeat)


def time_numpy_matmul_floor(repeat):
    a, b = matmul_data()
    grad_out = np.ones((a.shape[0], b.shape[1]), np.float32)

    def three_matmuls():
        a @ b
        grad_out @ b.T
        a.T @ grad_out

    return best_time(three_matmuls, repeat)


def time_chain(lib, n, repeat):
    """Seconds per node of one backward through an n-node chain (graph rebuilt each time)."""
    times = []
    for _ in range(repeat):
        lib.chain_build(n)
        gc.collect()
        start = timeit.default_timer()
        lib.chain_backward()
        times.append(timeit.default_timer() - start)
        lib.chain = None
    return min(times) / n


def time_chain_gc(lib, n, repeat):
    """CPU seconds per step of building an n-step ``y = y * c + 0.0`` chain (two nodes a step),
    running its backward and dropping it, with the cycle collector on, as users run. The
    collector's passes over a growing graph are what this row is about: it is left as it is,
    only emptied of earlier garbage before each repeat. CPU time of this process (one thread),
    not wall time: on a shared machine waiting for a core is not the library's cost."""
    if not gc.isenabled():
        raise RuntimeError("the collector is off: this row measures it on")
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        lib.chain_gc_step(n)
        times.append(time.process_time() - start)
    return min(times) / n


# ---------------------------------------------------------------------------------------------
# memory (one fresh interpreter per library)

_MEMORY_CHILD = r"""
import gc, json, sys, tracemalloc
sys.path.insert(0, {repo!r})
import benchmarks.bench as bench
lib = bench.load_one({name!r})
lib.mlp_setup(1)
lib.mlp_step()                      # warm-up: lazy initialisation happens here
lib.mlp_setup(1024)
gc.collect()
def status_kib(field):
    with open("/proc/self/status") as f:
        return int(next(ln for ln in f if ln.startswith(field)).split()[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                    # reset the peak RSS (VmHWM) to the current RSS
steady = status_kib("VmRSS:")
traced = {numpy_based!r}
if traced:
    tracemalloc.start()
lib.mlp_step()
trace_peak = tracemalloc.get_traced_memory()[1] if traced else None
print(json.dumps({{"rss_growth_kib": status_kib("VmHWM:") - steady,
                  "tracemalloc_kib": None if trace_peak is None else trace_peak // 1024}}))
"""


def load_one(name: str):
    if name in ("refgrad", "torch"):
        return TorchLike(name)
    return {"mygrad": MyGrad, "autograd": HipsAutograd}[name]()


def measure_memory(name: str) -> dict | str:
    code = _MEMORY_CHILD.format(repo=str(REPO), name=name,
                                numpy_based=name != "torch")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ), timeout=600)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1][:60] if proc.stderr else "failed"
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# the report


def fmt_time(seconds) -> str:
    if isinstance(seconds, str):
        return seconds[:22]
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(mine, reference):
    if isinstance(mine, (int, float)) and isinstance(reference, (int, float)) and reference:
        return mine / reference
    return None


def verdict(value, limit) -> str:
    if value is None:
        return "MISS (no result)"
    return "PASS" if value <= limit else "MISS"


def print_table(rows, lib_names, header=None):
    header = header or ["benchmark"] + lib_names + ["refgrad/ref", "target", "result"]
    table = [header] + rows
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    for k, r in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def check_same_arithmetic(libraries) -> str:
    reference = libraries["torch"].mlp_first_gradient() if "torch" in libraries else None
    verdicts = []
    for name, lib in libraries.items():
        if name == "torch" or reference is None:
            continue
        result = attempt(lib.mlp_first_gradient)
        if isinstance(result, str):
            verdicts.append(f"{name} failed ({result})")
            continue
        agrees = (np.isclose(result[0], reference[0], rtol=1e-4)
                  and np.allclose(result[1], reference[1], rtol=1e-3, atol=1e-6))
        verdicts.append(f"{name} {'agrees' if agrees else 'DISAGREES'}")
    return ", ".join(verdicts) or "(torch not measured)"


def version_of(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return getattr(sys.modules.get(name), "__version__", "(source tree)")


def run(quick: bool, names) -> int:
    libraries = load_libraries(names)
    names = list(libraries)
    repeat = 3 if quick else 7
    chain_sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    rows, misses = [], 0

    def add(label, results, reference, limit, unit=fmt_time, note=""):
        nonlocal misses
        r = ratio(results.get("refgrad"), reference)
        v = verdict(r, limit) if limit is not None else note
        misses += v.startswith("MISS")
        rows.append([label] + [unit(results.get(n)) for n in names]
                    + ["-" if r is None else f"{r:.2f}x",
                       "-" if limit is None else f"<= {limit}x", v])

    same_work = check_same_arithmetic(libraries)
    results = {n: attempt(lambda lib=lib: time_tutorial(lib, repeat))
               for n, lib in libraries.items()}
    add("tutorial fwd+bwd", results, results.get("torch"), 1.0)
    rows.append(["  numpy floor: tutorial step", fmt_time(time_numpy_tutorial_floor(repeat))]
                + [""] * (len(names) + 2))

    results = {n: attempt(lambda lib=lib: time_mlp(lib, repeat)) for n, lib in libraries.items()}
    add("MLP step 64x784-256-10", results, results.get("torch"), 1.1)
    rows.append(["  numpy floor: MLP step", fmt_time(time_numpy_mlp_floor(repeat))]
                + [""] * (len(names) + 2))

    results = {n: attempt(lambda lib=lib: time_matmul(lib, repeat))
               for n, lib in libraries.items()}
    floor = time_numpy_matmul_floor(repeat)
    rows.append(["  numpy floor: 3 matmuls", fmt_time(floor)] + [""] * (len(names) + 2))
    add("(A@B).sum() 1024 fwd+bwd", results, floor, 1.05)
    rows.append(rows.pop(-2))  # the floor row under the row it is the reference of

    per_node = {}
    for n in chain_sizes:
        results = {name: attempt(lambda lib=lib: time_chain(lib, n, repeat))
                   for name, lib in libraries.items()}
        per_node[n] = results
        add(f"chain {n:,} (per node)", results, results.get("torch"), 1.5)
    flat = flatness([per_node[n].get("refgrad") for n in chain_sizes])
    misses += flat is None or flat > 1.5
    rows.append(["chain flatness (max/min)"] + [""] * len(names)
                + ["-" if flat is None else f"{flat:.2f}", "<= 1.5",
                   verdict(flat, 1.5)])

    per_step = {}
    for n in chain_sizes:
        results = {name: attempt(lambda lib=lib: time_chain_gc(lib, n, chain_gc_repeat(n, quick)))
                   for name, lib in libraries.items()}
        per_step[n] = results
        add(f"chain+gc {n:,} (per step)", results, results.get("torch"), 1.5)
    flats = {name: flatness([per_step[n].get(name) for n in chain_sizes]) for name in names}
    misses += flats["refgrad"] is None or flats["refgrad"] > 1.5
    rows.append(["chain+gc flatness (max/min)"]
                + ["-" if flats[n] is None else f"{flats[n]:.2f}" for n in names]
                + ["-" if flats["refgrad"] is None else f"{flats['refgrad']:.2f}", "<= 1.5",
                   verdict(flats["refgrad"], 1.5)])

    memory = {n: measure_memory(n) for n in names}
    rss = {n: (m["rss_growth_kib"] if isinstance(m, dict) else m) for n, m in memory.items()}
    add("MLP step b=1024 peak RSS growth", rss, rss.get("torch"), 1.5,
        unit=lambda v: v if isinstance(v, str) else "-" if v is None else f"{v / 1024:.1f} MiB")
    traced = {n: (m["tracemalloc_kib"] if isinstance(m, dict) else None)
              for n, m in memory.items()}
    rows.append(["  tracemalloc peak (NumPy libs)"]
                + ["-" if traced.get(n) is None else f"{traced[n] / 1024:.1f} MiB"
                   for n in names] + ["", "", ""])

    gc.disable()
    try:
        freed = {n: attempt(lib.graph_freed) for n, lib in libraries.items()}
    finally:
        gc.enable()
    ok = freed.get("refgrad") is True
    misses += not ok
    rows.append(["graph freed on del loss (gc off)"]
                + [{True: "yes", False: "NO", None: "n/a"}.get(freed[n], str(freed[n]))
                   for n in names] + ["", "yes", "PASS" if ok else "MISS"])

    print(f"one thread; numpy {np.__version__}; "
          + ", ".join(f"{n} {version_of(n)}" for n in names))
    print("chain: backward only (autograd: forward+backward); times are per iteration/node")
    print("chain+gc: build y = y * c + 0.0 (two nodes a step) and backward, collector on")
    print(f"same arithmetic (MLP loss and dL/dW2 against torch's): {same_work}\n")
    print_table(rows, names)
    return misses


def flatness(per_size):
    """Largest over smallest of per-node (per-step) times, or None when one is missing."""
    if not all(isinstance(t, float) for t in per_size):
        return None
    return max(per_size) / min(per_size)


def chain_gc_repeat(n: int, quick: bool) -> int:
    return (3 if quick else 5) if n < 100_000 else 3


# ---------------------------------------------------------------------------------------------
# two refgrad trees side by side (--refgrad-before): each lane in its own interpreter


def measure_lane(name: str, quick: bool) -> dict:
    """The rows compared across trees, for one library."""
    lib = load_one(name)
    repeat = 3 if quick else 5
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    return {"tutorial": time_tutorial(lib, repeat), "mlp": time_mlp(lib, repeat),
            "chain_gc": {str(n): time_chain_gc(lib, n, chain_gc_repeat(n, quick))
                         for n in sizes},
            "module": getattr(lib.t, "__file__", "?")}


def run_lane(lib: str, tree: str | None, quick: bool) -> dict:
    """One lane in a fresh interpreter: ``lib`` imported from ``tree`` (None: torch)."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--lane", lib]
    if tree is not None:
        argv += ["--tree", tree]
    if quick:
        argv.append("--quick")
    proc = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ),
                          timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"lane {lib} ({tree}) failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def compare_trees(before: str, rounds: int, quick: bool) -> int:
    """refgrad from ``before`` and from this tree, next to torch, ``rounds`` times in turn;
    prints median times and the median of each round's ratio to torch."""
    lanes = {"before": ("refgrad", str(Path(before).resolve())),
             "after": ("refgrad", str(REPO)), "torch": ("torch", None)}
    seen = {lane: [] for lane in lanes}
    for k in range(rounds):
        for lane, (lib, tree) in lanes.items():
            seen[lane].append(run_lane(lib, tree, quick))
        print(f"round {k + 1}/{rounds} done", file=sys.stderr)
    for lane in ("before", "after"):
        print(f"{lane}: refgrad from {seen[lane][0]['module']}")
    sizes = list(seen["torch"][0]["chain_gc"])

    def times(lane, row):
        if row.startswith("chain_gc "):
            return [r["chain_gc"][row.split()[1]] for r in seen[lane]]
        return [r[row] for r in seen[lane]]

    labels = {"tutorial": ("tutorial fwd+bwd", 1.0), "mlp": ("MLP step 64x784-256-10", 1.1)}
    labels.update({f"chain_gc {n}": (f"chain+gc {int(n):,} (per step)", 1.5) for n in sizes})
    header = ["benchmark", "before", "after", "torch", "before/torch", "after/torch",
              "after/before", "target"]
    rows = []
    for row, (label, limit) in labels.items():
        t = {lane: times(lane, row) for lane in lanes}
        to_torch = {lane: median([a / b for a, b in zip(t[lane], t["torch"])])
                    for lane in ("before", "after")}
        rows.append([label] + [fmt_time(median(t[lane])) for lane in lanes]
                    + [f"{to_torch['before']:.2f}x", f"{to_torch['after']:.2f}x",
                       f"{median([a / b for a, b in zip(t['after'], t['before'])]):.2f}x",
                       f"after/torch <= {limit}x"])
    flat = {lane: median([flatness([r["chain_gc"][n] for n in sizes]) for r in seen[lane]])
            for lane in lanes}
    rows.append(["chain+gc flatness (max/min)"] + [f"{flat[lane]:.2f}" for lane in lanes]
                + ["", "", "", "after <= 1.5"])
    print(f"{rounds} round(s), lanes in turn, each in a fresh interpreter; medians over rounds"
          " (ratios: median of the per-round ratios)\n")
    print_table(rows, header[1:-4], header=header)
    return 0


def profile(benchmark: str) -> None:
    """cProfile refgrad on one benchmark; the chain is profiled over one 100,000-node backward
    (per iteration = per node there)."""
    lib = TorchLike("refgrad")
    if benchmark == "chain":
        lib.chain_build(100_000)
        step, loops = lib.chain_backward, 1
        per = 100_000
    else:
        setup, step = {"tutorial": (lib.tutorial_setup, lib.tutorial_step),
                       "mlp": (lambda: lib.mlp_setup(64), lib.mlp_step),
                       "matmul": (lib.matmul_setup, lib.matmul_step)}[benchmark]
        setup()
        step()  # warm-up
        loops = per = 5 if benchmark == "matmul" else 300
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(loops):
        step()
    profiler.disable()
    unit = "node" if benchmark == "chain" else "iteration"
    print_profile(pstats.Stats(profiler), per, f"refgrad, {benchmark} (per {unit})")


def print_profile(stats: pstats.Stats, loops: int, title: str, top: int = 25) -> None:
    """The functions with the most own time, per iteration: where the time goes."""
    rows = []
    total = 0.0
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        total += tottime
        short = filename.replace(str(REPO) + "/", "").split("site-packages/")[-1]
        rows.append((tottime, cumtime, ncalls, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    print(f"{title}: {total / loops * 1e6:.1f} us each under cProfile "
          "(which inflates small calls)")
    print(f"{'own us':>9} {'cum us':>9} {'calls':>7} {'us/call':>8}  function")
    for tottime, cumtime, ncalls, where in rows[:top]:
        print(f"{tottime / loops * 1e6:9.2f} {cumtime / loops * 1e6:9.2f} "
              f"{ncalls / loops:7.2f} {tottime / ncalls * 1e6:8.2f}  {where}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller chains")
    parser.add_argument("--libs", default="refgrad,torch,mygrad,autograd",
                        help="comma-separated libraries to measure (default: all)")
    parser.add_argument("--profile", choices=["tutorial", "mlp", "matmul", "chain"],
                        help="cProfile refgrad on one benchmark instead of the table")
    parser.add_argument("--refgrad-before", metavar="PATH",
                        help="compare refgrad imported from PATH (a checkout of an earlier "
                        "tree) with this tree's, side by side with torch, in fresh "
                        "interpreters: tutorial, MLP step, chain+gc")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --refgrad-before: rounds of the three lanes (default 3)")
    parser.add_argument("--lane", choices=["refgrad", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lane:
        if args.tree:
            sys.path.insert(0, args.tree)
        print(json.dumps(measure_lane(args.lane, args.quick)))
        return 0
    if args.refgrad_before:
        return compare_trees(args.refgrad_before, args.rounds, args.quick)
    if args.profile:
        profile(args.profile)
        return 0
    misses = run(args.quick, args.libs.split(","))
    print(f"\n{misses} target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

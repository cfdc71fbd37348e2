"""Campaign profiles, and the one adapter to Hypothesis's engine.

Every program is a pure function of ``(profile, seed, Hypothesis version)``: the seed drives
Hypothesis's generator, so ``--replay SEED`` rebuilds the same program, whatever the process
imported before (Hypothesis's default provider mixes constants found in every imported local
module into its draws; :func:`seed_only_provider` leaves them out). Another Hypothesis
version may draw another program: the report records the version (:func:`hypothesis_version`)
and a replay under another one is refused.

Drawing one example from a seeded generator and shrinking from a recorded one are not what
Hypothesis's public API offers (it runs tests, it does not hand out examples), so the
functions that need its internals, :func:`generate`, :func:`minimal_example` and
:func:`seed_only_provider`, live here and nowhere else
(``tests/conformance/fuzz/test_profiles.py`` pins what they rely on).
:func:`hypothesis_storage` keeps Hypothesis's files out of the user's folder during a run.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

from conformance.fuzz.program import Program

PROFILE_ENV = "CONFORMANCE_FUZZ_PROFILE"


@dataclass(frozen=True)
class Profile:
    name: str
    programs: int            # programs in a campaign (before sharding)
    max_steps: int
    max_actions: int
    derandomize: bool        # campaign seeds start at 0 instead of a random base
    shrinks: int             # divergences shrunk per campaign (the rest keep their program)
    shrink_seconds: float    # time allowed to shrink one divergence


PROFILES = {
    "ci": Profile("ci", 300, 5, 3, True, 4, 15.0),
    "dev": Profile("dev", 2000, 6, 4, False, 12, 40.0),
    "thorough": Profile("thorough", 20000, 8, 5, False, 40, 60.0),
}


def profile_named(name: str | None) -> Profile:
    name = name or os.environ.get(PROFILE_ENV) or "ci"
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown fuzz profile {name!r}; choose one of "
                         f"{', '.join(PROFILES)} (--profile or ${PROFILE_ENV})") from None


def program_strategy(profile: Profile):
    from conformance.fuzz import strategies
    return strategies.programs(max_steps=profile.max_steps, max_actions=profile.max_actions)


# ------------------------------------------------------------------ the Hypothesis adapter

def hypothesis_version() -> str:
    from hypothesis import __version__
    return __version__


# Older versions cannot draw a seeded example (ConjectureData's arguments and the providers
# module changed) or cannot shrink one (no hypothesis.database.choices_to_bytes).
MIN_HYPOTHESIS = (6, 124, 9)


def unsupported_hypothesis() -> str | None:
    """Why the installed Hypothesis cannot run the fuzzer, or None."""
    version = hypothesis_version()
    try:
        numbers = tuple(int(part) for part in version.split(".")[:3])
    except ValueError:
        return None
    if numbers < MIN_HYPOTHESIS:
        floor = ".".join(map(str, MIN_HYPOTHESIS))
        return (f"the fuzzer needs hypothesis>={floor},<7 but {version} is installed "
                f"(pip install 'hypothesis>={floor},<7')")
    return None


@functools.lru_cache(maxsize=1)
def seed_only_provider():
    """Hypothesis's own provider (its default backend) without constants.

    The default provider replaces about one draw in twenty by a constant: a fixed set (all
    far outside the small ranges the program strategies draw from) or one collected from
    the source of every local module imported so far, which makes a seed's program depend
    on what was imported before (pytest or the CLI, a checkout or a wheel). Without them a
    draw is a function of the random generator alone.
    """
    from hypothesis.internal.conjecture.providers import HypothesisProvider

    class SeedOnlyProvider(HypothesisProvider):
        def _maybe_draw_constant(self, *args, **kwargs):
            return None

    return SeedOnlyProvider


STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"


@contextlib.contextmanager
def hypothesis_storage():
    """Hypothesis's storage (example database, caches) in a temporary folder for the
    duration, never ``.hypothesis/`` in the current folder; the previous setting and the
    environment (inherited by worker processes) are restored after, the folder removed."""
    from hypothesis import configuration

    folder = tempfile.mkdtemp(prefix="conformance-hypothesis-")
    previous_env = os.environ.get(STORAGE_ENV)
    # the explicitly set home, if any (None: Hypothesis works it out again when asked)
    previous_home = getattr(configuration, "__hypothesis_home_directory", None)
    os.environ[STORAGE_ENV] = folder
    configuration.set_hypothesis_home_dir(folder)
    try:
        yield folder
    finally:
        configuration.set_hypothesis_home_dir(previous_home)
        if previous_env is None:
            os.environ.pop(STORAGE_ENV, None)
        else:
            os.environ[STORAGE_ENV] = previous_env
        shutil.rmtree(folder, ignore_errors=True)


def draw_seeded(strategy, seed_text: str, attempts: int = 8) -> tuple[Any, tuple]:
    """One example of ``strategy`` drawn from a generator seeded by ``seed_text`` alone, and
    the choices that drew it. An example that runs past Hypothesis's size limit is drawn
    again from a new stream (``seed_text:1``, ...)."""
    from hypothesis.errors import StopTest
    from hypothesis.internal.conjecture.data import ConjectureData

    for attempt in range(attempts):
        data = ConjectureData(random=random.Random(f"{seed_text}:{attempt}"),
                              provider=seed_only_provider())
        try:
            example = data.draw(strategy)
        except StopTest:
            continue
        data.freeze()
        return example, tuple(data.choices)
    raise RuntimeError(f"{seed_text}: no example within hypothesis's size limit")


def generate(profile: Profile, seed: int) -> tuple[Program, tuple]:
    """The program of ``seed`` under ``profile``, and the choices that drew it (for shrinking).
    """
    return draw_seeded(program_strategy(profile), f"{profile.name}:{seed}")


@contextlib.contextmanager
def _engine_seed(key: bytes):
    """Hypothesis's engine seeded by ``key`` for the duration, so that the same example
    shrinks the same way every time (its shrinker makes random choices). ``find(random=...)``
    would drop the database that holds the example to start from, so this sets the seed that
    Hypothesis's own pytest plugin sets for ``--hypothesis-seed``, and restores it after."""
    from hypothesis import core

    previous = core.global_force_seed
    core.global_force_seed = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
    try:
        yield
    finally:
        core.global_force_seed = previous


def minimal_example(strategy, condition: Callable[[Any], bool], choices: tuple,
                    key: bytes):
    """The smallest example of ``strategy`` Hypothesis finds that satisfies ``condition``,
    starting from the example that ``choices`` drew (put in as a previously failing one:
    reused, then shrunk, deterministically for a given ``key``); None when that example no
    longer satisfies it. An exception that
    is not an Exception (a time limit) raised by ``condition`` goes through."""
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings
    from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes
    from hypothesis.errors import NoSuchExample

    database = InMemoryExampleDatabase()
    database.save(key + b".secondary", choices_to_bytes(choices))
    shrink_settings = settings(database=database, phases=[Phase.reuse, Phase.shrink],
                               max_examples=10_000, deadline=None, verbosity=Verbosity.quiet,
                               suppress_health_check=list(HealthCheck))
    try:
        with _engine_seed(key):
            return find(strategy, condition, settings=shrink_settings, database_key=key)
    except NoSuchExample:
        return None

"""The Hypothesis adapter (conformance.fuzz.profiles): the two things it takes from
Hypothesis's engine, pinned, so that a Hypothesis upgrade that changes them fails here."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import strategies as st

from conformance.fuzz.profiles import (PROFILES, STORAGE_ENV, draw_seeded, generate,
                                       hypothesis_storage, minimal_example, program_strategy,
                                       seed_only_provider)

REPO = Path(__file__).resolve().parents[3]

PAIRS = st.lists(st.integers(0, 1000), min_size=1, max_size=8)


def test_a_seeded_draw_is_a_function_of_its_seed_text():
    first, choices = draw_seeded(PAIRS, "adapter:1")
    again, choices_again = draw_seeded(PAIRS, "adapter:1")
    assert first == again and choices == choices_again and choices
    others = {tuple(draw_seeded(PAIRS, f"adapter:{n}")[0]) for n in range(2, 12)}
    assert len(others) > 1                          # other seeds, other examples
    # generate is the same draw over the profile's program strategy
    program, program_choices = generate(PROFILES["ci"], 3)
    assert generate(PROFILES["ci"], 3) == (program, program_choices)


def test_shrinking_starts_from_the_recorded_choices():
    example, choices = next(
        (value, drawn) for value, drawn in (draw_seeded(PAIRS, f"big:{n}") for n in range(50))
        if sum(value) > 500)

    def big(values):
        return sum(values) > 500
    smallest = minimal_example(PAIRS, big, choices, b"adapter-test")
    assert smallest is not None and big(smallest)
    assert len(smallest) <= len(example) and smallest == [501]

    def never(values):
        return False
    assert minimal_example(PAIRS, never, choices, b"adapter-never") is None


# A module of the user's (outside any tests folder) full of integers the program strategies
# could draw (GRID is 4096): Hypothesis's default provider would mix them into draws.
CONSTANTS_MODULE = "TABLE = (" + ", ".join(str(100 + 97 * i) for i in range(40)) + ")\n"
PROGRAMS_DIGEST = """
import hashlib, sys
if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])
    import many_constants, conformance.runner, conformance.report.html  # noqa: F401
from conformance.fuzz.profiles import PROFILES, generate
digest = hashlib.sha256()
for seed in range(40):
    digest.update(generate(PROFILES["ci"], seed)[0].source().encode())
print(digest.hexdigest())
"""


def _programs_digest(*argv: str) -> str:
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", PROGRAMS_DIGEST, *argv], env=env,
                         capture_output=True, text=True, timeout=300, cwd=argv[0] if argv
                         else None)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_seed_draws_the_same_program_whatever_was_imported(tmp_path):
    (tmp_path / "many_constants.py").write_text(CONSTANTS_MODULE)
    fresh = _programs_digest()
    assert _programs_digest(str(tmp_path)) == fresh
    assert not (tmp_path / ".hypothesis").exists()


def test_the_provider_override_still_has_something_to_override():
    """SeedOnlyProvider silences HypothesisProvider._maybe_draw_constant: if a Hypothesis
    upgrade renames it, constants would come back unnoticed."""
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.conjecture.providers import HypothesisProvider

    if hasattr(providers, "_get_local_constants"):     # Hypothesis collects constants
        assert callable(getattr(HypothesisProvider, "_maybe_draw_constant", None))
    assert issubclass(seed_only_provider(), HypothesisProvider)
    assert seed_only_provider()._maybe_draw_constant(None, "integer", {}) is None


def _storage(name: str) -> Path:
    from hypothesis.configuration import storage_directory

    found = storage_directory(name, intent_to_write=False)
    return getattr(found, "path", found)          # a plain Path in older Hypothesis


def test_hypothesis_storage_is_a_temporary_folder_for_the_run_only(monkeypatch, tmp_path):
    monkeypatch.setenv(STORAGE_ENV, str(tmp_path / "users"))
    before = _storage("examples")
    with hypothesis_storage() as folder:
        assert os.environ[STORAGE_ENV] == folder          # inherited by worker processes
        inside = _storage("examples")
        assert inside.is_relative_to(folder) and Path(folder).is_dir()
    assert os.environ[STORAGE_ENV] == str(tmp_path / "users")
    assert _storage("examples") == before
    assert not Path(folder).exists()
    monkeypatch.delenv(STORAGE_ENV)
    with hypothesis_storage():
        pass
    assert STORAGE_ENV not in os.environ


def test_the_same_program_shrinks_the_same_way_every_time():
    """Hypothesis's shrinker makes random choices: seeded by the key, two shrinks of one
    program try the same candidates in the same order and end on the same program."""
    profile = PROFILES["ci"]

    def interesting(program) -> bool:
        return program.op_count >= 2 and bool({s.op for s in program.steps}
                                               & {"sigmoid", "exp", "cos", "abs"})
    program, choices = next(drawn for drawn in (generate(profile, n) for n in range(100))
                            if drawn[0].op_count >= 4 and interesting(drawn[0]))

    def shrink_once():
        tried = []

        def condition(candidate):
            tried.append(candidate.source())
            return interesting(candidate)
        smallest = minimal_example(program_strategy(profile), condition, choices, b"same-way")
        return smallest, tried
    first, tried = shrink_once()
    again, tried_again = shrink_once()
    assert first == again and tried == tried_again and len(tried) > 1
    assert first.op_count < program.op_count

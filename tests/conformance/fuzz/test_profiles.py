"""The Hypothesis adapter (conformance.fuzz.profiles): the two things it takes from
Hypothesis's engine, pinned, so that a Hypothesis upgrade that changes them fails here."""
from __future__ import annotations

from hypothesis import strategies as st

from conformance.fuzz.profiles import PROFILES, draw_seeded, generate, minimal_example

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

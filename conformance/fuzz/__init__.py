"""Differential fuzzing of autograd programs: generate, run on every lane, compare, shrink.

- :mod:`.program`: the program model (leaves, steps, actions) and its rendering as source;
- :mod:`.strategies`: Hypothesis strategies that draw valid programs over the op catalogue;
- :mod:`.profiles`: campaign sizes, and the one adapter to Hypothesis's engine;
- :mod:`.oracle`: a program as work for the executor, what is compared, the finite-difference
  tie-breaker;
- :mod:`.shrink`: the smallest program that still diverges the same way;
- :mod:`.campaign`: seeds through the isolated executor into records; the CLI.
"""


def main(argv: list[str] | None = None) -> int:
    """``python -m conformance fuzz``: see :func:`conformance.fuzz.campaign.main`."""
    from conformance.fuzz.campaign import main as campaign_main
    return campaign_main(argv)

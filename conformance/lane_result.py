"""What one lane showed for one piece of work (a case, a fuzz program): :class:`LaneResult`.

The executor (:mod:`conformance.execute`) makes them; records are built from them
(:mod:`conformance.pair_records`); a reference file (:mod:`conformance.reference`) keeps them
as JSON (:meth:`LaneResult.to_json`) so that torch's lanes can be replayed without torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from conformance.records import Status


@dataclass
class LaneResult:
    """What one lane showed for one piece of work."""
    observations: dict = field(default_factory=dict)   # name -> plain value, untruncated
    failure: Status | None = None   # MISSING, TIMEOUT, CRASH, or NOT_RUN (a replayed lane
                                    # whose reference lacks the work); None when it ran
    reason: str = ""
    missing: str | None = None      # the missing attribute (failure MISSING)
    traceback: str | None = None    # an uncaught exception's, shortened
    duration_s: float = 0.0
    wrong_type: str | None = None   # the target returned an object the work could not use
    recycle: bool = False           # the process that ran it should be replaced (a soft
                                    # timeout, out of memory)

    def to_json(self) -> dict:
        """The result as plain JSON (a reference file's entry): what the lane showed, without
        the duration or the process bookkeeping; optional keys only when set."""
        data: dict = {"observations": self.observations}
        if self.failure is not None:
            data["failure"] = str(self.failure)
        for key in ("reason", "missing", "traceback", "wrong_type"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_json(cls, data) -> LaneResult:
        """A result from :meth:`to_json`'s data; ValueError says what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("observations"), dict):
            raise ValueError("a lane result is an object with an 'observations' object")
        unknown = set(data) - _LANE_RESULT_KEYS
        if unknown:
            raise ValueError(f"a lane result has unknown keys: {', '.join(sorted(unknown))}")
        failure = data.get("failure")
        if failure is not None:
            try:
                failure = Status(failure)
            except ValueError:
                raise ValueError(f"unknown lane failure {failure!r}") from None
        texts = {key: data.get(key) for key in ("reason", "missing", "traceback", "wrong_type")}
        if any(value is not None and not isinstance(value, str) for value in texts.values()):
            raise ValueError("a lane result's reason, missing, traceback and wrong_type are "
                             "strings")
        return cls(observations=data["observations"], failure=failure,
                   reason=texts["reason"] or "", missing=texts["missing"],
                   traceback=texts["traceback"], wrong_type=texts["wrong_type"])


_LANE_RESULT_KEYS = frozenset({"observations", "failure", "reason", "missing", "traceback",
                               "wrong_type"})

"""Campaigns: seeds -> programs -> the executor -> records, shrinking, reproducers, the CLI.

``python -m conformance fuzz``: every seed's program (:mod:`conformance.fuzz.profiles`) runs
on every lane through the isolated executor (:mod:`conformance.execute`), so a program that
hangs is reported as ``timeout`` and one that kills its process as ``crash``, and the
campaign goes on. Records come from :mod:`conformance.pair_records`, as for cases. Up to
``profile.shrinks`` divergences (one of each kind first) are then shrunk
(:mod:`conformance.fuzz.shrink`), judged by finite differences, and given a reproducer
(:mod:`conformance.reproduce`), also written to ``--repro-dir``. Progress goes to stderr
(:mod:`conformance.fuzz.progress`); Hypothesis keeps its files in a temporary folder.

A seed's program depends on the Hypothesis version that drew it: the report records it, the
replay commands name it, and a replay under another version is refused.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import shlex
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from conformance import known as known_module
from conformance import lanes as lanes_module
from conformance.execute import Isolated
from conformance.fuzz import progress as progress_module
from conformance.fuzz.oracle import (ProgramWork, divergence_category,
                                     finite_difference_verdict)
from conformance.fuzz.profiles import (PROFILE_ENV, PROFILES, Profile, generate,
                                       hypothesis_storage, hypothesis_version, profile_named,
                                       unsupported_hypothesis)
from conformance.fuzz.shrink import Outcome, judge, shrink
from conformance.pair_records import records_for
from conformance.records import Record, Status

DEFAULT_TIMEOUT_S = 30.0   # per program and lane: fuzz programs are small
INTERRUPT_GRACE_S = 10.0   # after Ctrl-C: how long workers may take to hand back what they ran
CHUNK = 50   # seeds per task at most: workers stay short-lived and evenly loaded
# a seed's status on the progress line: the worst of its records'
SEVERITY = (Status.CRASH, Status.TIMEOUT, Status.DIVERGE, Status.MISSING, Status.KNOWN,
            Status.MATCH)


def replay_command(profile: str, seed: int, target: str) -> str:
    """The command that runs ``seed``'s program again, under the Hypothesis that drew it."""
    return (f"python -m conformance fuzz --replay {seed} --profile {profile} "
            f"--target {shlex.quote(target)} --hypothesis-version {hypothesis_version()}")


@dataclass(frozen=True)
class Job:
    profile: str
    seeds: tuple[int, ...]
    target: str
    want_cuda: bool
    shrink: bool              # run_job: shrink every divergence; shrink_job: the records given
    repro_dir: str | None
    known: str | None
    records: tuple = ()       # shrink_job: the diverging records to shrink
    timeout_s: float = DEFAULT_TIMEOUT_S


@dataclass
class JobResult:
    records: list[Record]
    stats: dict               # lane -> seconds of its own time; "programs" -> count
    lane_info: dict
    environment: dict
    interrupted: bool = False     # Ctrl-C stopped the job: ``records`` are the programs run


def _apply_known(records: list[Record], entries, target: str,
                 torch_version: str | None) -> None:
    """known.py's rule on typed records (it reads and marks JSON records)."""
    data = [record.to_json() for record in records]
    known_module.apply(data, entries, target, torch_version=torch_version)
    for record, marked in zip(records, data):
        record.status, record.reason = Status(marked["status"]), marked["reason"]


_EXECUTORS: dict[tuple, Isolated] = {}


def _executor(job: Job) -> Isolated:
    """This process's isolated executor for the job's target: started once, kept for the
    next job (a worker runs several), stopped by :func:`stop_executors` or at exit."""
    key = (job.target, job.want_cuda, job.timeout_s)
    if key not in _EXECUTORS:
        _EXECUTORS[key] = Isolated(job.target, job.want_cuda, job.timeout_s)
    return _EXECUTORS[key]


def stop_executors() -> None:
    """Stop this process's executors (their children end with them)."""
    while _EXECUTORS:
        _EXECUTORS.popitem()[1].stop()


def run_job(job: Job) -> JobResult:
    """Run ``job.seeds`` through this process's isolated executor. The next program is drawn
    while the child runs the current one.

    Every diverging record gets the tie-breaker's verdict and a reproducer; with
    ``job.shrink`` its program is shrunk first (campaigns shrink in a second phase instead,
    one divergence of each kind: :func:`shrink_job`).
    """
    profile = profile_named(job.profile)
    entries = known_module.resolve(job.known)
    executor = _executor(job)
    records: list[Record] = []
    stats: dict = {"programs": 0}
    try:
        executor.ensure_started()
        _run_seeds(job, profile, entries, executor, records, stats)
    except KeyboardInterrupt:
        # Keep what ran: the campaign writes a partial report instead of losing it.
        return JobResult(records, stats, executor.lane_info or {},
                         executor.environment or {}, True)
    return JobResult(records, stats, executor.lane_info, executor.environment)


def _run_seeds(job: Job, profile: Profile, entries, executor: Isolated, records: list,
               stats: dict) -> None:
    upcoming = generate(profile, job.seeds[0]) if job.seeds else None
    for index, seed in enumerate(job.seeds):
        program, choices = upcoming
        work = ProgramWork(seed, program)
        executor.submit(work)
        if index + 1 < len(job.seeds):
            upcoming = generate(profile, job.seeds[index + 1])
        results = executor.result()
        for lane, result in results.items():
            stats[lane] = stats.get(lane, 0.0) + result.duration_s
        stats["programs"] += 1
        seed_records = records_for(work, executor.lane_info, results, job.target)
        _apply_known(seed_records, entries, job.target, executor.environment.get("torch"))
        outcome = Outcome(seed, program, choices,
                          {lane: r.observations for lane, r in results.items()},
                          {lane: r.duration_s for lane, r in results.items()})
        for record in seed_records:
            if record.status not in (Status.MATCH, Status.NOT_RUN):
                record.fuzz["replay"] = replay_command(profile.name, seed, job.target)
            if record.status in (Status.TIMEOUT, Status.CRASH):
                record.reason += f" (seed {seed}: {record.fuzz['replay']})"
            elif record.status == Status.DIVERGE:
                explain_divergence(record, outcome, profile, executor, job.shrink,
                                   job.repro_dir)
        records.extend(seed_records)
        statuses = {record.status for record in seed_records}
        progress_module.emit("ran", seed=seed,
                             status=next((str(s) for s in SEVERITY if s in statuses), "match"))


def shrink_job(job: Job) -> list[Record]:
    """Shrink the programs of ``job.records`` (rebuilt from their seeds) and explain them."""
    profile = profile_named(job.profile)
    executor = _executor(job)
    out = []
    for record in job.records:
        seed = record.fuzz["seed"]
        program, choices = generate(profile, seed)
        work = ProgramWork(seed, program)
        again, results = judge(work, executor, record.pair)
        if again.status != Status.DIVERGE:
            # Shrinking needs the divergence to come back; say so rather than pretend.
            out.append(replace(record, reason=record.reason + (
                f"; not shrunk: {again.status} when run again (a flaky divergence, or the "
                f"target changed during the campaign)")))
            continue
        record = replace(record, fuzz=dict(record.fuzz))
        record.reason = record.fuzz.get("first_reason", record.reason)
        outcome = Outcome(seed, program, choices,
                          {lane: r.observations for lane, r in results.items()})
        explain_divergence(record, outcome, profile, executor, True, job.repro_dir)
        out.append(record)
    return out


def explain_divergence(record: Record, outcome: Outcome, profile: Profile, executor,
                       shrink_it: bool, repro_dir: str | None) -> None:
    """Shrink a diverging record's program, say which side finite differences agree with,
    and attach (and write) the standalone reproducer."""
    import torch

    left, right = record.left, record.right
    category = divergence_category(record.observables)
    program = outcome.program
    if shrink_it:
        progress_module.emit("shrinking", seed=outcome.seed, ops=program.op_count)
        program = shrink(profile, outcome, executor, record.pair, category)
        progress_module.emit("shrunk", seed=outcome.seed, ops=program.op_count)
    needed = list(dict.fromkeys([left, right, "torch-cpu"]))
    judged, results = judge(ProgramWork(outcome.seed, program), executor, record.pair, needed)
    if judged.status != Status.DIVERGE:    # cannot happen for a shrunk program: keep the first
        program = outcome.program
        judged, results = judge(ProgramWork(outcome.seed, program), executor, record.pair,
                                needed)
    try:
        verdict = finite_difference_verdict(torch, program, judged.observables, left, right,
                                            results[left].observations,
                                            results[right].observations)
    except Exception as exc:  # noqa: BLE001 - the tie-breaker is advice, never a crash
        verdict = f"finite differences failed: {type(exc).__name__}: {exc}"
    record.fuzz.setdefault("first_reason", record.reason)
    shrunk_note = (f"shrunk from {outcome.program.op_count} to {program.op_count} op(s)"
                   if shrink_it else f"not shrunk ({program.op_count} op(s))")
    record.reason = "; ".join(part for part in (record.reason, shrunk_note, verdict) if part)
    text = ProgramWork(outcome.seed, program).reproducer(record, executor.target)
    path = write_reproducer(repro_dir, record.id, text) if repro_dir else None
    record.reproducer = text
    if path is not None:
        record.reason += f"; reproducer {path}"
    record.fuzz.update(shrunk_ops=program.op_count, shrunk_summary=program.summary(),
                       shrunk_source=program.source(), verdict=verdict,
                       reproducer_path=None if path is None else str(path))


def write_reproducer(directory: str | Path, record_id: str, text: str) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in record_id)
    path = directory / f"{safe}.py"
    path.write_text(text)
    return path


def campaign_seeds(profile: Profile, programs: int | None, base: int | None,
                   shard: tuple[int, int]) -> tuple[int, list[int]]:
    """(base seed, this shard's seeds): shard I of N takes the I-th contiguous slice."""
    total = profile.programs if programs is None else programs
    if base is None:
        base = 0 if profile.derandomize else random.SystemRandom().randrange(2 ** 31)
    index, count = shard
    start, stop = base + (index - 1) * total // count, base + index * total // count
    return base, list(range(start, stop))


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes I/N (e.g. 2/8), not {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"--shard {text}: need 1 <= I <= N")
    return index, count


def parse_jobs(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"-n takes a number or 'auto', not {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("-n must be at least 1")
    return jobs




def _pool_map(function, work: list, jobs: int, events=None) -> list:
    """``function`` over ``work`` in up to ``jobs`` processes; their progress events go to
    ``events`` (a queue). Work whose worker died is done again here (the programs
    themselves run in the isolated executor's child either way)."""
    if jobs <= 1 or len(work) <= 1:
        results = []
        for item in work:
            results.append(function(item))
            if getattr(results[-1], "interrupted", False):
                break                       # Ctrl-C: the work not started is not run
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(min(jobs, len(work)), mp_context=context,
                               initializer=progress_module.worker_init, initargs=(events,))
    futures = [pool.submit(function, item) for item in work]
    results = []
    try:
        for future, item in zip(futures, work):
            try:
                results.append(future.result())
            except BrokenProcessPool:
                results.append(function(item))
    except KeyboardInterrupt:
        # Ctrl-C reached the workers too: each returns the programs it ran (interrupted);
        # collect those and what had finished, drop the rest.
        for future in futures[len(results):]:
            future.cancel()
        results = _finished(futures, INTERRUPT_GRACE_S)
        if not any(getattr(r, "interrupted", False) for r in results):
            results.append(JobResult([], {}, {}, {}, True))
        pool.shutdown(wait=False, cancel_futures=True)
        return results
    pool.shutdown()
    return results


def _finished(futures: list, grace_s: float) -> list:
    """The results of ``futures`` that finish within ``grace_s`` seconds in all."""
    deadline = time.monotonic() + grace_s
    results = []
    for future in futures:
        if future.cancelled():
            continue
        try:
            results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except Exception:  # noqa: BLE001 - a worker that died or did not answer in time
            continue        # (a second Ctrl-C is not caught: it ends the wait)
    return results


def chunked(seeds: list[int], jobs: int) -> list[tuple[int, ...]]:
    """Seeds in tasks of at most CHUNK, at least one task per worker when there are enough
    seeds (a small campaign is split too)."""
    size = max(1, min(CHUNK, math.ceil(len(seeds) / max(1, jobs))))
    return [tuple(seeds[i:i + size]) for i in range(0, len(seeds), size)] or [()]


def representatives(records: list[Record], limit: int) -> list[Record]:
    """Diverging records to shrink: the first of each divergence kind, then the others in
    order, at most ``limit``."""
    # A program of one op is as small as shrinking makes it in ops: leave those out.
    diverging = [r for r in records if r.status == Status.DIVERGE and r.fuzz["ops"] > 1]
    chosen: list[Record] = []
    seen: set[str] = set()
    for record in diverging:
        kinds = divergence_kinds([record.to_json()])
        kind = kinds[0][1] if kinds else ""
        if kind not in seen:
            seen.add(kind)
            chosen.append(record)
    chosen += [r for r in diverging if r not in chosen]
    return chosen[:limit]


def run_campaign(profile: Profile, seeds: list[int], target: str, want_cuda: bool = True,
                 jobs: int = 1, shrink_divergences: bool = True, repro_dir: str | None = None,
                 known: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 progress: progress_module.Progress | None = None
                 ) -> tuple[list[Record], dict, float, JobResult]:
    """Every seed on every lane, in ``jobs`` processes: (records, lane seconds, wall seconds,
    the first job's result for its lanes and environment).

    Then, unless told not to, up to ``profile.shrinks`` divergences (one of each kind first)
    are shrunk, in parallel, and their records and reproducers replaced by the shrunk ones.
    Progress goes to ``progress`` (default: none shown).
    """
    start = time.perf_counter()
    work = [Job(profile.name, chunk, target, want_cuda, False, repro_dir, known,
                timeout_s=timeout_s) for chunk in chunked(seeds, jobs)]
    progress = progress or progress_module.Progress(len(seeds), enabled=False)
    events = None
    if jobs > 1:
        import multiprocessing
        events = progress.queue = multiprocessing.get_context("spawn").Queue()
    try:
        with hypothesis_storage(), progress:
            return _run_and_shrink(profile, work, jobs, start, shrink_divergences, progress,
                                   events)
    finally:
        stop_executors()
        if events is not None:
            events.close()
            events.join_thread()


def _run_and_shrink(profile: Profile, work: list[Job], jobs: int, start: float,
                    shrink_divergences: bool, progress, events):
    records: list[Record] = []
    stats: dict = {}
    parts = _pool_map(run_job, work, jobs, events)
    for part in parts:
        records.extend(part.records)
        for key, value in part.stats.items():
            stats[key] = stats.get(key, 0) + value
    stats["run_s"] = time.perf_counter() - start
    stats["tasks"] = len(work)
    interrupted = any(part.interrupted for part in parts)
    if interrupted:
        stats["interrupted"] = True
        first = next((p for p in parts if p.lane_info), parts[0])
        return records, stats, time.perf_counter() - start, first
    chosen = representatives(records, profile.shrinks) if shrink_divergences else []
    if chosen:
        progress.start_shrinking(len(chosen))
        groups = [tuple(chosen[i::jobs]) for i in range(min(jobs, len(chosen)))]
        shrink_work = [replace(work[0], seeds=(), shrink=True, records=group)
                       for group in groups]
        try:
            shrunk = {r.id: r for part in _pool_map(shrink_job, shrink_work, jobs, events)
                      for r in part if isinstance(r, Record)}
        except KeyboardInterrupt:           # Ctrl-C while shrinking: the programs as drawn
            shrunk, stats["interrupted"] = {}, True
        records = [shrunk.get(r.id, r) for r in records]
    return records, stats, time.perf_counter() - start, parts[0]


def _slim(records: list[dict], keep_matching: bool) -> None:
    """Large campaigns keep the observables of non-matching records only."""
    if keep_matching:
        return
    for record in records:
        if record["status"] in (Status.MATCH, Status.NOT_RUN):
            record["observables"] = []
            record["source"] = None


# --------------------------------------------------------------------------------------------
# The command line: python -m conformance fuzz ...
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance fuzz",
        description="Generate autograd programs, run them on the target and on torch, "
                    "compare, shrink each divergence and write a reproducer for it.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None,
                        help=f"campaign size (default ${PROFILE_ENV} or ci)")
    parser.add_argument("--programs", type=int, default=None,
                        help="programs in the campaign (default: the profile's)")
    parser.add_argument("--seed", type=int, default=None,
                        help="first seed of the campaign (default 0 for ci, random otherwise)")
    parser.add_argument("--replay", type=int, default=None, metavar="SEED",
                        help="run the one program of SEED, print it and its comparison")
    parser.add_argument("--shard", type=parse_shard, default=(1, 1), metavar="I/N",
                        help="run the I-th of N slices of the campaign's seeds")
    parser.add_argument("-n", "--jobs", type=parse_jobs, default=1, metavar="N|auto",
                        help="worker processes (auto: one per CPU)")
    parser.add_argument("--target", default=None,
                        help="target module (default $CONFORMANCE_TARGET or refgrad)")
    parser.add_argument("--no-cuda", action="store_true", help="skip the torch-cuda lane")
    parser.add_argument("--no-shrink", action="store_true", help="keep programs as drawn")
    parser.add_argument("--shrinks", type=int, default=None, metavar="N",
                        help="divergences to shrink (default: the profile's)")
    parser.add_argument("--json", default="reports/fuzz.json", help="JSON report path")
    parser.add_argument("--html", default=None, help="HTML report path (optional)")
    parser.add_argument("--repro-dir", default="reports/repros",
                        help="where reproducer scripts go")
    parser.add_argument("--known", default=None, help="known-divergences file")
    parser.add_argument("--keep-matching", action="store_true",
                        help="keep matching records' observables even in big campaigns")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                        help="per program and lane: a program that runs longer is stopped "
                             f"and reported as timeout (default {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--hypothesis-version", default=None, metavar="V",
                        help="the Hypothesis version that drew the seeds (as the replay "
                             "commands give it): refused when another one is installed")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    return parser


def version_mismatch(wanted: str | None) -> str | None:
    """Why seeds drawn by Hypothesis ``wanted`` cannot be replayed here, or None."""
    installed = hypothesis_version()
    if wanted is None or wanted == installed:
        return None
    return (f"these seeds were drawn by Hypothesis {wanted}, but Hypothesis {installed} is "
            f"installed, which may draw other programs from the same seeds; install "
            f"hypothesis=={wanted} to replay them")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from conformance.report import json_report

    lanes_module.pin_threads()
    try:
        profile = profile_named(args.profile)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mismatch = unsupported_hypothesis() or version_mismatch(args.hypothesis_version)
    if mismatch is not None:
        print(f"conformance fuzz: {mismatch}", file=sys.stderr)
        return 2
    if args.shrinks is not None:
        profile = replace(profile, shrinks=max(0, args.shrinks))
    target = lanes_module.resolve_target(args.target)
    if args.replay is not None:
        base, seeds, shard = args.replay, [args.replay], (1, 1)
    else:
        base, seeds = campaign_seeds(profile, args.programs, args.seed, args.shard)
        shard = args.shard
    jobs = min(args.jobs, max(1, len(seeds)))
    progress = progress_module.Progress(len(seeds), enabled=not args.quiet)
    try:
        records, stats, wall, first = run_campaign(
            profile, seeds, target, not args.no_cuda, jobs, not args.no_shrink,
            args.repro_dir, args.known, args.timeout, progress)
    except KeyboardInterrupt:       # (Ctrl-C once the programs ran is handled below)
        print("conformance fuzz: interrupted; no report written", file=sys.stderr)
        return 2
    except RuntimeError as exc:       # the executor could not start (the target, say)
        print(f"conformance fuzz: {exc}", file=sys.stderr)
        return 2
    if args.replay is not None:
        program, _ = generate(profile, args.replay)
        print(program.source())
    ran = [name for name, info in first.lane_info.items() if info["status"] == "run"]
    programs = int(stats.get("programs", len(seeds)))      # fewer than seeds if interrupted
    throughput = {lane: round(programs / stats[lane], 1) for lane in ran if stats.get(lane)}
    fuzz_info = {
        "profile": profile.name, "seed": base, "shard": f"{shard[0]}/{shard[1]}",
        "programs": programs,
        "seeds": [seeds[0], seeds[-1]] if seeds else [],
        "jobs": jobs, "tasks": stats.get("tasks", 1), "wall_s": round(wall, 3),
        # running the programs (generation included), not the shrinking after it
        "run_s": round(stats.get("run_s", wall), 3),
        "programs_per_s": round(programs / stats.get("run_s", wall), 2) if wall else None,
        # per lane: programs per second of that lane's own time, in one process
        "programs_per_s_per_lane": throughput,
        "replay": args.replay,
        "hypothesis": hypothesis_version(),     # another version may draw other programs
    }
    interrupted = bool(stats.get("interrupted"))
    if interrupted:
        fuzz_info["interrupted"] = True
    environment = {**first.environment, "fuzz": fuzz_info,
                   "command": "python -m conformance fuzz "
                   + " ".join(argv if argv is not None else sys.argv[1:])}
    data = [record.to_json() for record in records]
    _slim(data, args.keep_matching or len(seeds) <= 1000)
    report = json_report.build(data, first.lane_info, environment, [], complete=not interrupted)
    json_report.write(report, args.json)
    if args.html:
        from conformance.report import html
        html.write_html(report, args.html)
    _print_summary(report, fuzz_info, args)
    if interrupted:
        print(f"conformance fuzz: interrupted after {fuzz_info['programs']} of {len(seeds)} "
              f"programs; the partial report is {args.json}", file=sys.stderr)
        return 2
    return 1 if report["summary"]["unexpected"] else 0


def divergence_kinds(records: list[dict]) -> list[tuple[int, str]]:
    """Diverging records grouped by what diverges first (numbers blanked), most common first:
    a campaign's findings at a glance."""
    import re

    kinds: dict[str, int] = {}
    for record in records:
        if record["status"] != Status.DIVERGE or not record["observables"]:
            continue
        first = next((o for o in record["observables"] if o["status"] == "diverge"), None)
        if first is None:
            continue
        detail = re.sub(r"at \[[^\]]*\]", "at [..]", first["detail"])
        detail = re.sub(r"(autograd\.grad|backward)\([^)]*\)", r"\1(..)", detail)
        detail = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", detail)[:110]
        key = f"{record['pair']} {divergence_category(record['observables'])}: {detail}"
        kinds[key] = kinds.get(key, 0) + 1
    return sorted(((n, k) for k, n in kinds.items()), reverse=True)


_LISTED = {Status.DIVERGE, Status.KNOWN, Status.MISSING, Status.CRASH, Status.TIMEOUT}


def _print_summary(report: dict, fuzz_info: dict, args) -> None:
    total = report["summary"]["total"]
    counts = ", ".join(f"{k} {v}" for k, v in total.items() if v)
    print(f"fuzz {fuzz_info['profile']} seeds {fuzz_info['seeds']} shard {fuzz_info['shard']}: "
          f"{fuzz_info['programs']} programs run in {fuzz_info['run_s']} s with "
          f"{fuzz_info['jobs']} process(es) ({fuzz_info['programs_per_s']} programs/s; per lane, "
          f"per process: {fuzz_info['programs_per_s_per_lane']}); {fuzz_info['wall_s']} s "
          f"with shrinking; {counts}")
    for record in report["records"]:
        if record["status"] in _LISTED and (
                record["status"] != Status.MISSING or args.replay is not None):
            print(f"  {record['status']:8s} {record['id']}: {record['reason'][:300]}")
    kinds = divergence_kinds(report["records"])
    if kinds:
        print("divergences by kind:")
        for count, kind in kinds:
            print(f"  {count:5d}  {kind}")
    print(f"report: {args.json}")

"""Benchmark runner: time and peak memory of each pipeline step, as ratios within one run.

``python -m bench.run [--scales 1,2,4,8] [--repeat 3] [--seed 0] [--timeout 600]``

For each scale the synthetic data of :mod:`bench.generate` is written to a temporary folder;
then every step runs in a **fresh subprocess per measurement**, so the peak resident memory
(``ru_maxrss`` of that child, from :func:`os.wait4`) belongs to that step alone:

=================  ===========================================================================
``load_records``   :func:`bioeco.ingest.load.load_records` (ontology codes parsed before the clock)
``build_dataset``  :func:`bioeco.ingest.build.build_dataset` from loaded records
``write_outputs``  :func:`bioeco.ingest.export.write_outputs` (TriG + Turtle) of a built dataset
``build``          the whole ``bioeco build --no-validate`` (:func:`bioeco.pipeline.build`):
                   CSV → records → sorted quads → on-disk Oxigraph store + TriG + Turtle
``validate_graph`` :func:`bioeco.validate.shacl.validate_graph` (SHACL) of a built dataset
``run_analyses``   :func:`bioeco.analyses.run.run_analyses` with all kinds and the options
                   ``bioeco analyze all`` passes by default (:func:`analyze_all_options`)
``query_cli``      a whole ``bioeco query --graph out/bioeco.trig -f q.rq`` process (typical
                   SELECT: members per sector and stage), timed from outside
``query_p50``      every example query (``graph/bioeco/store/queries/*.rq``) in one process on the
loaded
                   TriG: the median of repeated :func:`bioeco.store.query.select` calls per query
                   (and of pyoxigraph's own ``Store.query`` on the same store, to show the
                   wrapper's share); the step's time is the slowest query's median
``cli_startup``    a whole ``bioeco query --name survey-by-stage`` process on an empty graph:
                   interpreter, imports and option parsing, no graph work (scale-independent;
                   the note gives its CPU seconds and those of a bare ``python -c pass``)
``oxigraph_parse`` fixed baseline: pyoxigraph parsing the same TriG file directly
``oxigraph_bulk_load`` baseline for ``build``: pyoxigraph's own ``Store().bulk_load`` of the
                   same TriG (in memory); ``vs baseline`` of ``build`` is the fraction of its rate
``oxigraph_bulk_load_disk`` second baseline for ``build``: the same ``bulk_load`` into a new
                   on-disk store (RocksDB, flushed), which ``build`` also writes; the summary
                   gives ``build``'s fraction of this rate too
``naive_networkx`` baseline for ``run_analyses``: networkx's bipartite
                   ``weighted_projected_graph`` of the members + exact betweenness (what a plain
                   script would do). Exact betweenness is Brandes' sum of one pass per source:
                   when a seeded sample of sources shows it would not finish within
                   ``--naive-budget`` seconds, the step times that sample instead and reports
                   the time spent as a lower bound and projection + sample × n / k as its
                   estimate (``≈`` in the summary)
=================  ===========================================================================

Setup work of a step (loading, building) happens in its child before the clock starts; its
resident memory at the start of the clock is reported as ``setup MB``. Time is the median of
``--repeat`` runs (a run slower than ``--max-repeat-seconds`` is not repeated); peak memory is
the largest of the runs. Every number is also given as a ratio to the same step at the
smallest scale of the same run, and per 1,000 memberships, so results compare across
machines. A step whose time grows clearly faster than the data (log-log slope above
:data:`SUPERLINEAR`) is flagged. The report is written to ``bench/RESULTS.md`` and printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.child import analyze_all_options, child_step
from bench.report import (
    CHANGES_HEADING,
    Measurement,
    baseline_estimate,
    baseline_speed,
    format_report,
    keep_changes,
    loglog_exponent,
    ratios,
    step_summary,
)
from bench.steps import (
    BASELINE_STEP,
    COMMAND_SECONDS,
    COMMAND_TARGETS,
    COMMANDS,
    DATA_INITIATIVE,
    MAX_PEAK_MB,
    NAIVE_BUDGET,
    QUERY,
    SECOND_BASELINES,
    STEP_BASELINES,
    STEPS,
    SUPERLINEAR,
)

__all__ = [
    "BASELINE_STEP",
    "CHANGES_HEADING",
    "COMMANDS",
    "COMMAND_SECONDS",
    "COMMAND_TARGETS",
    "MAX_PEAK_MB",
    "NAIVE_BUDGET",
    "RESULTS_FILE",
    "SECOND_BASELINES",
    "STEPS",
    "STEP_BASELINES",
    "SUPERLINEAR",
    "Measurement",
    "analyze_all_options",
    "baseline_estimate",
    "baseline_speed",
    "format_report",
    "keep_changes",
    "loglog_exponent",
    "main",
    "ratios",
    "run",
    "step_summary",
]


RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"


def _bioeco_command() -> list[str]:
    script = Path(sys.executable).parent / "bioeco"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli"]


def _run_process(
    cmd: list[str],
    log: Path,
    timeout: float,
    cpu: dict[str, float] | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, float, float]:
    """Run *cmd* with stdout to *log*; return (exit status, wall seconds, child peak RSS MB).

    The peak comes from :func:`os.wait4` on this very child (and, into *cpu* when given, its
    user + system CPU seconds under ``"cpu"``). On timeout the child (and only it) is killed
    and ``TimeoutError`` raised.
    """
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                seconds = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                raise TimeoutError(f"timed out after {timeout:.0f} s")
            time.sleep(0.02)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if cpu is not None:
        cpu["cpu"] = usage.ru_utime + usage.ru_stime
    return proc.returncode, seconds, peak


def _measure(
    step: str,
    scale: int,
    data: Path,
    work: Path,
    timeout: float,
    naive_budget: float = NAIVE_BUDGET,
) -> tuple[float, float, float, dict[str, Any]]:
    """One measurement of *step* in a fresh process: (seconds, peak MB, setup MB, info).

    A step that only sampled its work (the naive baseline past its budget) says so with
    ``info["partial"]``: its seconds are then a lower bound."""
    log = work / f"{step}.log"
    if step in COMMANDS:
        return _command(step, data, work, log, timeout)
    if step == "query_cli":
        query = work / "query.rq"
        query.write_text(QUERY, encoding="utf-8")
        cmd = [
            *_bioeco_command(),
            "query",
            "--graph",
            str(work / "out" / "bioeco.trig"),
            "-f",
            str(query),
            "--format",
            "csv",
        ]
        status, seconds, peak = _run_process(cmd, log, timeout)
        if status != 0:
            raise RuntimeError(f"bioeco query exited {status}: {_tail(log)}")
        rows = max(0, len(log.read_text(encoding="utf-8").splitlines()) - 1)
        return seconds, peak, math.nan, {"answer_rows": rows}
    if step == "cli_startup":
        empty = work / "empty.trig"
        empty.write_text("", encoding="utf-8")
        cmd = [*_bioeco_command(), "query", "--name", "survey-by-stage", "--graph", str(empty)]
        used: dict[str, float] = {}
        status, seconds, peak = _run_process([*cmd, "--format", "csv"], log, timeout, used)
        if status != 0:
            raise RuntimeError(f"bioeco query exited {status}: {_tail(log)}")
        bare: dict[str, float] = {}
        _run_process([sys.executable, "-c", "pass"], work / "python.log", timeout, bare)
        info = {"cpu s": round(used["cpu"], 3), "bare python cpu s": round(bare["cpu"], 3)}
        return seconds, peak, math.nan, info
    cmd = [sys.executable, "-m", "bench.run", "--child", step, "--data", str(data)]
    cmd += ["--work", str(work), "--naive-budget", str(naive_budget)]
    status, _wall, peak = _run_process(cmd, log, timeout)
    if status != 0:
        raise RuntimeError(f"exited {status}: {_tail(log)}")
    lines = log.read_text(encoding="utf-8").strip().splitlines()
    result = json.loads(lines[-1])
    info = {**result["info"], **({"partial": True} if result.get("partial") else {})}
    return result["seconds"], peak, result["setup_mb"], info


def _largest_initiative(data: Path) -> str | None:
    """The id of the initiative with the most ``member`` rows in the generated tables."""
    import csv
    from collections import Counter

    counts: Counter[str] = Counter()
    for table in sorted(data.glob("*/memberships.csv")):
        with table.open(encoding="utf-8", newline="") as f:
            counts.update(r["organization"] for r in csv.DictReader(f) if r["role"] == "member")
    return min(counts, key=lambda i: (-counts[i], i)) if counts else None


def _command(
    step: str, data: Path, work: Path, log: Path, timeout: float
) -> tuple[float, float, float, dict[str, Any]]:
    """One whole ``bioeco`` command of :data:`COMMANDS` on ``work/cmd-out`` (``BIOECO_OUT``,
    ``BIOECO_DATA`` pointing there, so defaults are those folders): wall seconds, peak MB of
    that process, and its CPU seconds in the note."""
    from bioeco.core.paths import QUERIES_DIR

    out = work / "cmd-out"
    query = work / "members-in-year.rq"
    text = (QUERIES_DIR / "members-in-year.rq").read_text(encoding="utf-8")
    largest = _largest_initiative(data)
    if largest is not None:  # synthetic data has no Biotech North: ask about real members
        text = text.replace(DATA_INITIATIVE, f"initiative:{largest}")
    query.write_text(text, encoding="utf-8")
    plan = work / "whatif-plan.csv"
    if step == "cmd_whatif":  # ten actions on this folder's actors and initiatives
        from bench.whatif_plan import scenario

        scenario(data, plan)
    args = [a.format(data=data, out=out, query=query, plan=plan) for a in COMMANDS[step]]
    env = {**os.environ, "BIOECO_OUT": str(out), "BIOECO_DATA": str(data)}
    used: dict[str, float] = {}
    status, seconds, peak = _run_process(
        [*_bioeco_command(), "--quiet", *args], log, timeout, used, env=env
    )
    if status != 0:
        raise RuntimeError(f"bioeco {args[0]} exited {status}: {_tail(log)}")
    info: dict[str, Any] = {"cpu_s": round(used["cpu"], 2)}
    if step == "cmd_query_after_analyze":
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        info["answer_rows"] = max(0, len([x for x in lines if not x.startswith("Warning")]) - 1)
    if step == "cmd_whatif_suggest":
        info["candidates"] = _suggest_candidates(out)
    if step == "cmd_analyze" and (out / "analysis.trig").is_file():
        info["analysis_trig_MB"] = round((out / "analysis.trig").stat().st_size / 1e6, 2)
        info["bioeco_trig_MB"] = round((out / "bioeco.trig").stat().st_size / 1e6, 2)
    return seconds, peak, math.nan, info


def _suggest_candidates(out: Path) -> int:
    """Candidate actions ``whatif --suggest`` weighs on *out*: the pairs of
    ``bridges_pairs.csv`` (at most 1,000) and the flagged initiative cells of
    ``gaps_coverage.csv`` (an upper bound: a cell needs two actors classified there)."""
    import csv

    folder = out / "analysis"
    with (folder / "bridges_pairs.csv").open(encoding="utf-8", newline="") as fh:
        pairs = min(1000, sum(1 for _ in csv.DictReader(fh)))
    with (folder / "gaps_coverage.csv").open(encoding="utf-8", newline="") as fh:
        flagged = [
            r
            for r in csv.DictReader(fh)
            if r["entity"] == "initiatives"
            and {"empty", "under", "thin"} & set(r["flag"].split("|"))
        ]
    return pairs + len(flagged)


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else "(no output)"


def _generate(scale: int, seed: int, data: Path) -> dict[str, int]:
    """Generate the data in a subprocess (keeps this parent small, so children forked from
    it do not inherit a large resident set)."""
    code = (
        "import json, sys; from bench.generate import generate; "
        "print(json.dumps(generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(data), str(scale), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(
    scales: Sequence[int],
    repeat: int = 3,
    seed: int = 0,
    timeout: float = 600.0,
    max_repeat_seconds: float = 10.0,
    steps: Sequence[str] = STEPS,
    log: Any = sys.stderr,
    naive_budget: float = NAIVE_BUDGET,
) -> tuple[list[Measurement], dict[int, dict[str, Any]]]:
    """Measure *steps* at every scale; returns the measurements and the data sizes per scale.

    A step that fails or exceeds *timeout* at one scale is skipped at the larger scales.
    """
    results: list[Measurement] = []
    scales_info: dict[int, dict[str, Any]] = {}
    given_up: dict[str, str] = {}
    root = Path(tempfile.mkdtemp(prefix="bioeco-bench-"))
    # warm-up: byte-compile and page in every module once, so the first measured run of the
    # smallest scale (the baseline of every ratio) does not pay for it
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import cli, bioeco.analyses.run, bioeco.ingest.export, bioeco.validate.shacl",
        ],
        check=True,
    )
    try:
        for scale in sorted(scales):
            work = root / f"scale-{scale}"
            data = work / "data"
            counts = _generate(scale, seed, data)
            csv_rows = sum(counts.values())
            scales_info[scale] = {
                "actors": counts["actors"],
                "initiatives": counts["initiatives"],
                "memberships": counts["memberships"],
                "classifications": counts["classifications"],
                "CSV rows": csv_rows,
            }
            print(f"scale {scale}: {csv_rows:,} CSV rows", file=log, flush=True)
            for step in steps:
                m = Measurement(step, scale, counts["memberships"])
                results.append(m)
                if step in given_up:
                    m.error = f"skipped ({given_up[step]} at a smaller scale)"
                    if given_up[step] == "timeout":  # more data takes at least as long
                        m.at_least = timeout
                    continue
                for i in range(repeat):
                    try:
                        seconds, peak, setup, info = _measure(
                            step, scale, data, work, timeout, naive_budget
                        )
                    except (TimeoutError, RuntimeError) as exc:
                        m.error = str(exc).replace("|", "/")
                        given_up[step] = "timeout" if isinstance(exc, TimeoutError) else "error"
                        if isinstance(exc, TimeoutError):
                            m.at_least = timeout
                        break
                    if info.pop("partial", False):  # sampled: a lower bound and an estimate
                        m.at_least = seconds
                        m.peak_mb.append(peak)
                        m.info.update(info)
                        print(f"  {step:15s} sampled: > {seconds:.3f} s", file=log, flush=True)
                        break
                    m.seconds.append(seconds)
                    m.peak_mb.append(peak)
                    if not math.isnan(setup):
                        m.setup_mb.append(setup)
                    m.info.update(info)
                    print(
                        f"  {step:15s} run {i + 1}: {seconds:8.3f} s  peak {peak:7.1f} MB",
                        file=log,
                        flush=True,
                    )
                    if seconds > max_repeat_seconds:
                        break
                if step == "build_dataset" and "triples" in m.info:
                    scales_info[scale]["triples"] = m.info["triples"]
                if step in ("write_outputs", "build") and "trig_MB" in m.info:
                    scales_info[scale]["TriG MB"] = m.info["trig_MB"]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results, scales_info


def _scales(text: str) -> list[int]:
    values = sorted({int(p) for p in text.split(",") if p.strip()})
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("scales are positive integers, e.g. 1,2,4")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=_scales, default=[1, 2, 4, 8], help="default 1,2,4,8")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (median; default 3)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per run before giving up"
    )
    parser.add_argument(
        "--max-repeat-seconds",
        type=float,
        default=10.0,
        help="do not repeat a run that took longer than this (default 10)",
    )
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=NAIVE_BUDGET,
        help="seconds of exact betweenness the naive baseline may take before it is "
        f"estimated from a sample of sources (default {NAIVE_BUDGET:g})",
    )
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="report file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child_step(args.child, args.data, args.work, args.naive_budget)))
        return 0
    steps = [s for s in args.steps.split(",") if s]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown step(s) {', '.join(unknown)}; known: {', '.join(STEPS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    needs_trig = {
        "query_cli",
        "query_p50",
        "oxigraph_parse",
        "oxigraph_bulk_load",
        "oxigraph_bulk_load_disk",
    }
    if needs_trig & set(steps) and not {"write_outputs", "build"} & set(steps):
        steps.insert(0, "write_outputs")  # produces the TriG those steps read
    steps = [s for s in STEPS if s in steps]

    started = time.perf_counter()
    results, scales_info = run(
        args.scales,
        args.repeat,
        args.seed,
        args.timeout,
        args.max_repeat_seconds,
        steps,
        naive_budget=args.naive_budget,
    )
    elapsed = time.perf_counter() - started
    meta = {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": (
            "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
        ).strip(),
        "scales": ",".join(map(str, args.scales)),
        "repeat": f"{args.repeat} (runs over {args.max_repeat_seconds:g} s are not repeated)",
        "seed": str(args.seed),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "total wall time": f"{elapsed / 60:.1f} min",
    }
    report = format_report(results, scales_info, meta)
    kept = keep_changes(args.out.read_text(encoding="utf-8")) if args.out.is_file() else ""
    args.out.write_text(report + "\n" + ("\n" + kept if kept else ""), encoding="utf-8")
    print(report)
    print(f"\nWrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

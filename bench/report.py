"""The benchmark's numbers and report: measurements, ratios, slopes, baselines, RESULTS.md."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.steps import (
    BASELINE_STEP,
    COMMAND_SECONDS,
    COMMAND_TARGETS,
    COMMANDS,
    MAX_PEAK_MB,
    QUERY_REPEAT,
    SECOND_BASELINES,
    STEP_BASELINES,
    SUPERLINEAR,
)

__all__ = [
    "CHANGES_HEADING",
    "QUERY_TARGET_MS",
    "Measurement",
    "baseline_estimate",
    "baseline_speed",
    "format_report",
    "keep_changes",
    "loglog_exponent",
    "ratios",
    "step_summary",
]


CHANGES_HEADING = "## What each change bought"
"""Hand-written section of the report (before/after measurements of each optimisation): a new
run rewrites the tables above it and keeps this section and everything after it."""


def keep_changes(old_report: str) -> str:
    r"""The hand-written :data:`CHANGES_HEADING` section of *old_report* (``""`` if none).

    Examples
    --------
    >>> keep_changes("# Benchmark\n\n| a |\n\n## What each change bought\n\n- x: 2x\n")
    '## What each change bought\n\n- x: 2x\n'
    >>> keep_changes("# Benchmark\n")
    ''
    """
    at = old_report.find("\n" + CHANGES_HEADING)
    return old_report[at + 1 :] if at >= 0 else ""


@dataclass
class Measurement:
    """All runs of one step at one scale."""

    step: str
    scale: int
    memberships: int
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    setup_mb: list[float] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    at_least: float = math.nan
    """When the step was cut off (or not run after a cut at a smaller scale): a lower bound
    of its time in seconds (the time limit); nan otherwise."""

    @property
    def time(self) -> float:
        """Median wall time in seconds (nan when the step failed or timed out)."""
        return statistics.median(self.seconds) if self.seconds else math.nan

    @property
    def peak(self) -> float:
        """Largest peak RSS of the runs in MB (nan when unknown)."""
        return max(self.peak_mb) if self.peak_mb else math.nan

    @property
    def setup(self) -> float:
        """RSS at the start of the clock in MB (nan when unknown)."""
        return max(self.setup_mb) if self.setup_mb else math.nan


def ratios(values: Sequence[float]) -> list[float]:
    """Each value divided by the first (the baseline); nan where undefined.

    Examples
    --------
    >>> ratios([2.0, 4.0, 10.0])
    [1.0, 2.0, 5.0]
    >>> ratios([0.0, 1.0])
    [nan, nan]
    """
    if not values or not values[0] or math.isnan(values[0]):
        return [math.nan] * len(values)
    return [v / values[0] for v in values]


def loglog_exponent(x: Sequence[float], y: Sequence[float]) -> float:
    """Slope k of the least-squares line log y = k·log x + c: y grows like x^k.

    Points with a non-positive or nan coordinate are ignored; nan with fewer than two points.

    Examples
    --------
    >>> round(loglog_exponent([1, 2, 4, 8], [3, 12, 48, 192]), 6)
    2.0
    >>> round(loglog_exponent([1, 10], [5, 50]), 6)
    1.0
    >>> loglog_exponent([1], [1])
    nan
    """
    pts = [
        (math.log(a), math.log(b))
        for a, b in zip(x, y, strict=True)
        if a > 0 and b > 0 and not math.isnan(a) and not math.isnan(b)
    ]
    if len(pts) < 2 or len({p[0] for p in pts}) < 2:
        return math.nan
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    return sxy / sxx


def step_summary(rows: Sequence[Measurement]) -> dict[str, Any]:
    """Exponents and flag of one step over its scales (rows sorted by scale).

    ``time_exp`` / ``mem_exp``: log-log slope of time / peak memory against memberships over
    all scales; ``last_exp``: the slope between the two largest scales (closer to the
    asymptotic behaviour when fixed costs dominate small scales); ``superlinear``: time
    exponent above :data:`SUPERLINEAR`.

    Examples
    --------
    >>> ms = [Measurement("s", n, 600 * n, seconds=[0.5 * n * n], peak_mb=[100.0]) for n in (1, 2)]
    >>> s = step_summary(ms)
    >>> round(s["time_exp"], 3), s["superlinear"], round(s["mem_exp"], 3)
    (2.0, True, 0.0)
    """
    x = [float(m.memberships) for m in rows]
    t = [m.time for m in rows]
    p = [m.peak for m in rows]
    time_exp = loglog_exponent(x, t)
    last_exp = loglog_exponent(x[-2:], t[-2:]) if len(rows) >= 2 else math.nan
    return {
        "time_exp": time_exp,
        "last_exp": last_exp,
        "mem_exp": loglog_exponent(x, p),
        "superlinear": not math.isnan(time_exp) and time_exp > SUPERLINEAR,
    }


def baseline_speed(step: Measurement, baseline: Measurement | None) -> tuple[float, bool]:
    """Baseline seconds ÷ step seconds at one scale, and whether it is a lower bound.

    Above 1 the step is faster than its baseline (×20 = twenty times faster); below 1 it is
    slower (0.5 = half the baseline's rate, i.e. twice its time). A baseline cut off at its
    time limit makes the value a lower bound.

    Examples
    --------
    >>> ours = Measurement("run_analyses", 100, 60000, seconds=[25.0])
    >>> cut = Measurement("naive_networkx", 100, 60000, at_least=600.0)
    >>> baseline_speed(ours, cut)
    (24.0, True)
    >>> baseline_speed(ours, Measurement("naive_networkx", 100, 60000, seconds=[50.0]))
    (2.0, False)
    >>> baseline_speed(ours, None)
    (nan, False)
    """
    if baseline is None or not step.seconds or not step.time:
        return math.nan, False
    if baseline.seconds:
        return baseline.time / step.time, False
    if not math.isnan(baseline.at_least):
        return baseline.at_least / step.time, True
    return math.nan, False


def baseline_estimate(step: Measurement, baseline: Measurement | None) -> float:
    """The baseline's estimated seconds (``info["estimate_s"]``, when it was only sampled)
    over the step's: nan when there is no estimate.

    Examples
    --------
    >>> ours = Measurement("run_analyses", 100, 60000, seconds=[25.0])
    >>> naive = Measurement("naive_networkx", 100, 60000, at_least=300.0,
    ...                     info={"estimate_s": 5000.0})
    >>> baseline_speed(ours, naive), baseline_estimate(ours, naive)
    ((12.0, True), 200.0)
    """
    if baseline is None or not step.seconds or not step.time:
        return math.nan
    estimate = baseline.info.get("estimate_s")
    return float(estimate) / step.time if estimate else math.nan


def _num(value: float, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def format_report(
    results: Sequence[Measurement],
    scales_info: dict[int, dict[str, Any]] | None = None,
    meta: dict[str, str] | None = None,
) -> str:
    """The Markdown report: data sizes, a summary per step, then one table per step.

    Examples
    --------
    >>> ms = [
    ...     Measurement("load_records", 1, 600, seconds=[1.0], peak_mb=[100.0], setup_mb=[90.0]),
    ...     Measurement("load_records", 2, 1200, seconds=[2.0], peak_mb=[110.0], setup_mb=[90.0]),
    ... ]
    >>> text = format_report(ms)
    >>> "| 2 | 1,200 | 2.00 | 2.00 | 1.667 |" in text
    True
    """
    scales_info = scales_info or {}
    meta = meta or {}
    by_step: dict[str, list[Measurement]] = {}
    for m in results:
        by_step.setdefault(m.step, []).append(m)
    for rows in by_step.values():
        rows.sort(key=lambda m: m.scale)
    baseline = {m.scale: m.time for m in by_step.get(BASELINE_STEP, [])}

    out = ["# Benchmark results", ""]
    if meta:
        out += [f"- {k}: {v}" for k, v in meta.items()]
        out.append("")
    out += [
        "Ratios are against the smallest scale of this run (the baseline); `s/1k` is seconds",
        "per 1,000 memberships; `× parse` is the step's time over parsing the same TriG with",
        "pyoxigraph (fixed baseline step) at that scale. Peak MB is the child process's",
        "`ru_maxrss`; setup MB its resident memory when the clock started (imports, loaded",
        "data). Compare ratios and exponents across machines, not seconds.",
        "",
    ]
    if scales_info:
        keys = sorted({k for info in scales_info.values() for k in info})
        out += ["## Data", "", "| scale | " + " | ".join(keys) + " |"]
        out.append("|---|" + "---|" * len(keys))
        for scale in sorted(scales_info):
            cells = [_fmt_cell(scales_info[scale].get(k)) for k in keys]
            out.append(f"| {scale} | " + " | ".join(cells) + " |")
        out.append("")

    out += _command_table(by_step)
    out += [
        "## Summary",
        "",
        f"Time exponent k: time ~ memberships^k (log-log fit over all scales; `last` between "
        f"the two largest). Flagged when k > {SUPERLINEAR}.",
        "",
        "`vs baseline` is the in-run baseline's time over the step's at the largest scale "
        "(`>` when the baseline was cut off at the time limit or only sampled, so the value "
        "is a lower bound; `≈` the ratio to the sampled baseline's estimate): above 1 the "
        "step is that many times faster than its baseline, below 1 it "
        "runs at that fraction of the baseline's rate. Baselines: "
        + ", ".join(f"{k} → {v}" for k, v in STEP_BASELINES.items() if k in by_step)
        + ".",
        "",
        "| step | largest scale | seconds | peak MB | baseline | vs baseline | time ratio "
        "| data ratio | k (fit) | k (last) | mem ratio | mem k | flag |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_scale = {(m.step, m.scale): m for m in results}
    flagged = []
    for step, rows in by_step.items():
        s = step_summary(rows)
        ok = [m for m in rows if m.seconds]
        last = ok[-1] if ok else rows[-1]
        t_ratio = ratios([m.time for m in rows])[rows.index(last)]
        d_ratio = last.memberships / rows[0].memberships if rows[0].memberships else math.nan
        m_ratio = ratios([m.peak for m in rows])[rows.index(last)]
        flags = ["**super-linear**"] if s["superlinear"] else []
        if s["superlinear"]:
            flagged.append(f"{step} (k ≈ {s['time_exp']:.2f})")
        if last.peak > MAX_PEAK_MB:
            flags.append(f"**over {MAX_PEAK_MB / 1024:g} GB**")
        if any(m.error for m in rows):
            flags.append("incomplete")
        base_step = STEP_BASELINES.get(step, "")
        base = by_scale.get((base_step, last.scale))
        speed, bound = baseline_speed(last, base)
        vs = ("> " if bound else "") + _num(speed) if not math.isnan(speed) else "–"
        estimate = baseline_estimate(last, base)
        if not math.isnan(estimate):
            vs += f" (≈ {_num(estimate)})"
        seconds = _num(last.time) if last.seconds else _bound(last)
        out.append(
            f"| {step} | {last.scale} | {seconds} | {_num(last.peak, 0)} | {base_step or '–'} "
            f"| {vs} | {_num(t_ratio)} | {_num(d_ratio)} | {_num(s['time_exp'])} "
            f"| {_num(s['last_exp'])} | {_num(m_ratio)} | {_num(s['mem_exp'])} "
            f"| {' '.join(flags)} |"
        )
    out.append("")
    for step, base_step in SECOND_BASELINES.items():
        rows = by_step.get(step)
        if not rows or not any(m.seconds for m in rows):
            continue
        last = [m for m in rows if m.seconds][-1]
        base = by_scale.get((base_step, last.scale))
        speed, bound = baseline_speed(last, base)
        if base is not None and not math.isnan(speed):
            out += [
                f"`{step}` against `{base_step}` at scale {last.scale}: "
                f"{'> ' if bound else ''}{_num(speed)} ({_num(last.time)} s against "
                f"{_num(base.time) if base.seconds else _bound(base)} s).",
                "",
            ]
    if flagged:
        out += ["Super-linear steps: " + ", ".join(flagged) + ".", ""]
    else:
        out += ["No step grows super-linearly.", ""]

    for step, rows in by_step.items():
        out += [
            f"## {step}",
            "",
            "| scale | memberships | seconds | time ratio | s/1k | × parse | peak MB "
            "| mem ratio | setup MB | note |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        t_ratios = ratios([m.time for m in rows])
        m_ratios = ratios([m.peak for m in rows])
        for m, tr, mr in zip(rows, t_ratios, m_ratios, strict=True):
            per_k = m.time / (m.memberships / 1000) if m.memberships else math.nan
            base = baseline.get(m.scale, math.nan)
            vs_parse = m.time / base if base and not math.isnan(base) else math.nan
            note = m.error or ", ".join(
                f"{k} {_fmt_cell(v)}" for k, v in sorted(m.info.items()) if not isinstance(v, dict)
            )
            runs = f" (median of {len(m.seconds)})" if len(m.seconds) > 1 else ""
            took = _num(m.time) if m.seconds else _bound(m)
            out.append(
                f"| {m.scale} | {m.memberships:,} | {took}{runs} | {_num(tr)} "
                f"| {_num(per_k, 3)} | {_num(vs_parse, 1)} | {_num(m.peak, 0)} | {_num(mr)} "
                f"| {_num(m.setup, 0)} | {note} |"
            )
        out.append("")
    out += _query_table(by_step.get("query_p50", []))
    return "\n".join(out)


def _command_table(by_step: dict[str, list[Measurement]]) -> list[str]:
    """Markdown lines: every command of :data:`COMMANDS` at every scale as a whole process
    (wall, CPU, peak), its time over its baseline step's at the same scale and the target.

    Examples
    --------
    >>> rows = {"cmd_viz": [Measurement("cmd_viz", 1, 600, seconds=[4.0], peak_mb=[300.0],
    ...                                 info={"cpu_s": 3.5})],
    ...         "oxigraph_bulk_load": [Measurement("oxigraph_bulk_load", 1, 600, seconds=[1.0])]}
    >>> _command_table(rows)[-2]
    '| `bioeco viz` | 1 | 4.00 | 3.50 | 300 | 4.00 | ≤ 5 × oxigraph_bulk_load |  |'
    """
    steps = [step for step in COMMANDS if step in by_step]
    if not steps:
        return []
    base = {(m.step, m.scale): m for rows in by_step.values() for m in rows}
    out = [
        "## Commands (as a user runs them)",
        "",
        "Each command is one whole `bioeco …` process (interpreter start included) on the "
        "same out/ folder per scale, in this order (the query runs after `analyze`). "
        "`× baseline` is the command's wall time over its baseline step's at the same scale "
        "(`oxigraph_bulk_load`: pyoxigraph's in-memory bulk load of the same TriG; "
        "`oxigraph_bulk_load_disk`: the same into an on-disk store). Targets: issue 23, "
        f"at scale 100 (`met` is judged there only), and peak ≤ {MAX_PEAK_MB / 1024:g} GB. "
        "On a loaded machine the wall time waits for the CPU: compare CPU seconds too.",
        "",
        "| command | scale | wall s | CPU s | peak MB | × baseline | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in steps:
        shown = [a for a in COMMANDS[step] if "{" not in a and a not in ("--graph", "--out")]
        name = "`bioeco " + " ".join(a for a in shown if a not in ("-o", "--data", "-f")) + "`"
        for m in by_step[step]:
            target, ratio, met = "–", math.nan, ""
            if step in COMMAND_TARGETS:
                base_step, most = COMMAND_TARGETS[step]
                b = base.get((base_step, m.scale))
                if b is not None and b.seconds and m.seconds:
                    ratio = m.time / b.time
                target = f"≤ {most:g} × {base_step}"
                ok = not math.isnan(ratio) and ratio <= most
            elif step in COMMAND_SECONDS:
                target = f"≤ {COMMAND_SECONDS[step]:g} s"
                ok = bool(m.seconds) and m.time <= COMMAND_SECONDS[step]
            else:
                ok = True
            if m.scale >= 100 and (target != "–" or m.peak > MAX_PEAK_MB):
                met = "yes" if ok and not m.peak > MAX_PEAK_MB else "**no**"
            took = _num(m.time) if m.seconds else (m.error or _bound(m))
            out.append(
                f"| {name} | {m.scale} | {took} | {_num(m.info.get('cpu_s', math.nan))} "
                f"| {_num(m.peak, 0)} | {_num(ratio)} | {target} | {met} |"
            )
    out.append("")
    return out


QUERY_TARGET_MS = 100.0
"""Target of every example query's in-process median (issue 13)."""


def _query_table(rows: Sequence[Measurement]) -> list[str]:
    """Markdown lines: each example query's medians at every scale (``query_p50``'s details).

    Examples
    --------
    >>> m = Measurement("query_p50", 1, 600, seconds=[0.02], info={"queries": {
    ...     "q": {"select_ms": 20.0, "engine_ms": 15.0, "first_ms": 40.0, "rows": 3}}})
    >>> print("\\n".join(_query_table([m])[-3:-1]))
    |---|---|---|---|---|---|---|---|
    | q | 1 | 20.0 | 15.0 | 1.33 | 40.0 | 3 | yes |
    """
    found = [(m, m.info.get("queries") or {}) for m in rows]
    if not any(queries for _m, queries in found):
        return []
    out = [
        "## Example queries",
        "",
        "Each example query in one process on the loaded graph (`query_p50`): median of "
        f"{QUERY_REPEAT} runs of `bioeco.store.query.select` after a first run, the same for "
        "pyoxigraph's `Store.query` alone on the same store (`engine`), their ratio (the "
        "wrapper's share: parse check, sandbox thread, cells, DataFrame), the first run "
        f"(which also parses the text) and whether the median is within {QUERY_TARGET_MS:g} ms.",
        "",
        "| query | scale | select p50 ms | engine p50 ms | select ÷ engine | first run ms "
        f"| rows | ≤ {QUERY_TARGET_MS:g} ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = sorted({name for _m, queries in found for name in queries})
    for name in names:
        for m, queries in found:
            q = queries.get(name)
            if q is None:
                continue
            share = q["select_ms"] / q["engine_ms"] if q["engine_ms"] else math.nan
            ok = "yes" if q["select_ms"] <= QUERY_TARGET_MS else "**no**"
            out.append(
                f"| {name} | {m.scale} | {q['select_ms']:.1f} | {q['engine_ms']:.1f} "
                f"| {_num(share)} | {q['first_ms']:.1f} | {q['rows']:,} | {ok} |"
            )
    out.append("")
    return out


def _bound(m: Measurement) -> str:
    return f"> {_num(m.at_least)}" if not math.isnan(m.at_least) else "–"


def _fmt_cell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return _num(value)
    return "" if value is None else str(value)

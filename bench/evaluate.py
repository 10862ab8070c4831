"""Does each analysis find what is there? Recall and false discovery against planted truth.

``python -m bench.evaluate`` (``make evaluate``) plants structure with :func:`bench.planted.plant`
in synthetic ecosystems (``--seeds`` seeds at each of ``--scales``), runs the analyses as
``bioeco analyze all`` does, and scores what they report against what was planted:

================  ==============================================  ==========================
analysis          reported                                        truth
================  ==============================================  ==========================
coverage gaps     actor cells flagged ``empty`` or ``under``       the emptied cells
duplicates        overlap pairs flagged for consolidation         the planted twins
brokers           the first *k* bridge actors (*k* = planted)      the planted brokers
hidden links      the first *k* pair suggestions (*k* = hidden)    the hidden ties
structural gaps   significant sector-pair gaps, on null data      none (any is false)
================  ==============================================  ==========================

Recall is found / planted, false discovery is reported-but-not-planted / reported, each summed
over all runs. For the hidden links (a link-prediction task with no target) the precision at *k*
is set beside a degree-matched random baseline: the chance that a pair drawn with probability
proportional to the product of the two actors' degrees, among the pairs the suggestions could
propose, is a hidden tie. On null data (members drawn without regard to sectors) the share of
runs that report any significant structural gap is the false-alarm rate. ``--backtest`` adds the
real-data back-test of :func:`backtest` (suggestions from the 2017 source against the ties the
2021 source states).

Targets (issue 20): recall ≥ 90 % and false discovery ≤ 10 % for duplicates and brokers; at most
5 % of null runs with a significant structural gap.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.planted import Truth, plant

__all__ = ["TARGETS", "Score", "backtest", "evaluate", "main", "score_run"]

TARGETS = {
    "duplicates": {"recall": 0.90, "false_discovery": 0.10},
    "brokers": {"recall": 0.90, "false_discovery": 0.10},
    "null structural gaps": {"runs_with_any": 0.05},
}
"""The bar each analysis must clear (issue 20, item 6)."""

GAP_FLAGS = ("empty", "under")
"""Coverage flags that call a cell a gap (a cell's ``flag`` joins its flags with ``|``)."""

ANALYSES = ("coverage gaps", "duplicates", "brokers", "hidden links", "null structural gaps")


@dataclass
class Score:
    """Counts of one analysis summed over runs."""

    planted: int = 0
    reported: int = 0
    found: int = 0
    runs: int = 0
    runs_with_any: int = 0
    baseline: list[float] = field(default_factory=list)

    def add(self, planted: set, reported: set) -> None:
        """Count one run: *planted* the truth, *reported* what the analysis called."""
        self.planted += len(planted)
        self.reported += len(reported)
        self.found += len(planted & reported)
        self.runs += 1
        self.runs_with_any += bool(reported)

    def merge(self, other: Score) -> Score:
        """The sum of two scores (runs of several scales)."""
        return Score(
            self.planted + other.planted,
            self.reported + other.reported,
            self.found + other.found,
            self.runs + other.runs,
            self.runs_with_any + other.runs_with_any,
        )

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def false_discovery(self) -> float | None:
        return (self.reported - self.found) / self.reported if self.reported else None


def _id(value: str) -> str:
    return str(value).rsplit("/", 1)[-1]


def _pairs(frame: pd.DataFrame, a: str, b: str) -> list[tuple[str, str]]:
    return [tuple(sorted((_id(x), _id(y)))) for x, y in zip(frame[a], frame[b], strict=True)]


def _is_true(column: pd.Series) -> pd.Series:
    return column.astype(str).str.lower().isin(("true", "1", "yes"))


def _actor_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of actors a cluster manager could work with, where the table tells them apart
    from hubs (funders, agencies, the initiatives themselves)."""
    for column in ("role", "hub"):
        if column in frame:
            keep = ~_is_true(frame[column]) if column == "hub" else frame[column].eq("actor")
            return frame[keep]
    return frame[frame["kind"].eq("actor")] if "kind" in frame else frame


def score_run(truth: Truth, tables: dict[str, pd.DataFrame], scores: dict[str, Score]) -> None:
    """Add one run's findings to *scores* (by analysis name), against *truth*."""
    if truth.null:
        gaps = tables["gaps_structural"]
        # `gap` is significant after Benjamini–Hochberg; tables of earlier versions needed
        # their `significant` column as well
        called_mask = _is_true(gaps["gap"])
        if "significant" in gaps:
            called_mask &= _is_true(gaps["significant"])
        called = gaps[called_mask]
        scores["null structural gaps"].add(set(), set(_pairs(called, "sector_a", "sector_b")))
        return
    cover = tables["gaps_coverage"]
    flags = cover["flag"].astype(str).str.split("|")
    called = flags.map(lambda found: bool(set(found) & set(GAP_FLAGS)))
    cells = cover[cover["entity"].eq("actors") & called]
    scores["coverage gaps"].add(
        set(truth.empty_cells), set(zip(cells["sector"], cells["stage"], strict=True))
    )
    overlap = tables["overlap_pairs"]
    flagged = overlap[_is_true(overlap["consolidation"])]
    scores["duplicates"].add(
        set(truth.duplicates), set(_pairs(flagged, "initiative_a", "initiative_b"))
    )
    actors = _actor_rows(tables["bridges_actors"]).sort_values("rank", kind="stable")
    scores["brokers"].add(
        set(truth.brokers), {_id(a) for a in actors["actor"].head(len(truth.brokers))}
    )
    pairs = tables["bridges_pairs"].sort_values("rank", kind="stable")
    hidden = set(truth.hidden_links)
    scores["hidden links"].add(hidden, set(_pairs(pairs.head(len(hidden)), "actor_a", "actor_b")))


def degree_matched_baseline(net_degree: dict[str, int], candidates: Iterable, hits: set) -> float:
    """Precision of pairs drawn from *candidates* with probability ∝ deg(a)·deg(b)."""
    total = hit = 0.0
    for a, b in candidates:
        w = net_degree.get(a, 0) * net_degree.get(b, 0)
        total += w
        if tuple(sorted((a, b))) in hits:
            hit += w
    return hit / total if total else 0.0


def _candidates(
    net: object, among: set[str] | None = None, sectors: dict[str, set[str]] | None = None
) -> tuple[list, dict, set]:
    """The pairs the suggestions could propose (actors of different sectors, both classified,
    no shared initiative), the actors' degrees (distinct co-members) and the linked pairs."""
    linked = _co_members(net)
    degree = _degrees(linked)
    sectors = _sectors(net) if sectors is None else sectors
    ids = sorted(a for a in _actor_ids(net) if sectors.get(a) and (among is None or a in among))
    candidates = [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if not sectors[a] & sectors[b] and (a, b) not in linked
    ]
    return candidates, degree, linked


def _hidden_baseline(truth: Truth, graph: object) -> float:
    from bioeco.analyses.project import load_network

    candidates, degree, _ = _candidates(load_network(graph))
    return degree_matched_baseline(degree, candidates, set(truth.hidden_links))


def _co_members(net: object) -> set[tuple[str, str]]:
    """Pairs of actors sharing an initiative (sorted ids without the ``actor/`` prefix)."""
    kind = dict(zip(net.nodes.index, net.nodes["kind"], strict=True))
    groups: dict[str, list[str]] = {}
    for member, initiative in zip(net.edges["member"], net.edges["initiative"], strict=True):
        if kind.get(member) == "actor":
            groups.setdefault(initiative, []).append(_id(member))
    pairs: set[tuple[str, str]] = set()
    for members in groups.values():
        ids = sorted(set(members))
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


def evaluate(
    scales: Sequence[int] = (1, 8), seeds: int = 20
) -> tuple[dict[str, dict[str, Score]], dict[str, float]]:
    """Plant, analyse and score *seeds* ecosystems at each scale, planted and null.

    Returns the scores by scale (``"1"``, ``"8"`` … and ``"all"``) and analysis, and by scale
    the mean degree-matched baseline precision of the hidden links.
    """
    from bioeco import build_dataset, run_analyses

    scores: dict[str, dict[str, Score]] = {}
    baselines: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bioeco-evaluate-") as tmp:
        for scale in scales:
            these = scores[str(scale)] = {name: Score() for name in ANALYSES}
            found = []
            for seed in range(seeds):
                for null in (False, True):
                    folder = Path(tmp) / f"s{scale}-{seed}-{'null' if null else 'planted'}"
                    truth = plant(folder, scale=scale, seed=seed, null=null)
                    dataset = build_dataset(folder)
                    kinds = ["gaps"] if null else ["gaps", "overlap", "bridges"]
                    score_run(truth, run_analyses(dataset, kinds, seed=seed), these)
                    if not null:
                        found.append(_hidden_baseline(truth, dataset))
            baselines[str(scale)] = sum(found) / len(found) if found else 0.0
    scores["all"] = {
        name: functools.reduce(Score.merge, (scores[str(s)][name] for s in scales), Score())
        for name in ANALYSES
    }
    baselines["all"] = sum(baselines[str(s)] for s in scales) / len(scales)
    return scores, baselines


def backtest(data_dir: Path | str | None = None, ks: Sequence[int] = (5, 10, 20)) -> pd.DataFrame:
    """Pair suggestions made from the 2017 source, checked against the 2021 source.

    The area both sources cover: actors the 2017 source names and the 2021 source names too. A
    suggestion (two such actors of different sectors — sectors as all sources classify them —
    with no shared initiative in 2017) is a hit when the 2021 source states an initiative they
    share. Precision at each *k* is set
    beside the degree-matched random baseline over the same candidate pairs. Returns one row
    per *k*: ``k``, ``suggested``, ``hits``, ``precision``, ``baseline``, ``candidates``,
    ``positives``.
    """
    from bioeco import build_dataset
    from bioeco.analyses.bridges import pair_suggestions
    from bioeco.analyses.change import year_graph
    from bioeco.analyses.project import load_network

    dataset = build_dataset(data_dir)
    before, after = load_network(year_graph(dataset, 2017)), load_network(year_graph(dataset, 2021))
    both = _actor_ids(before) & _actor_ids(after)
    # sectors from every source: they describe the actor, not the ties being predicted
    sectors = _sectors(load_network(dataset))
    candidates, degree, linked_before = _candidates(before, among=both, sectors=sectors)
    linked_after = _co_members(after)
    suggestions = pair_suggestions(before, max_pairs=None)
    pairs = [p for p in _pairs(suggestions, "actor_a", "actor_b") if p[0] in both and p[1] in both]
    positives = {p for p in linked_after - linked_before if p[0] in both and p[1] in both}
    hits_possible = {p for p in positives if p in set(candidates)}
    base = degree_matched_baseline(degree, candidates, hits_possible)
    rows = []
    for k in ks:
        top = pairs[:k]
        hits = sum(p in positives for p in top)
        rows.append(
            {
                "k": k,
                "suggested": len(top),
                "hits": hits,
                "precision": hits / len(top) if top else 0.0,
                "baseline": base,
                "candidates": len(candidates),
                "positives": len(hits_possible),
            }
        )
    return pd.DataFrame(rows)


def _actor_ids(net: object) -> set[str]:
    nodes = net.nodes
    return {_id(i) for i, kind in zip(nodes["id"], nodes["kind"], strict=True) if kind == "actor"}


def _degrees(linked: set[tuple[str, str]]) -> dict[str, int]:
    degree: dict[str, int] = {}
    for a, b in linked:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    return degree


def _sectors(net: object) -> dict[str, set[str]]:
    nodes = net.nodes
    return {_id(i): set(v) for i, v in zip(nodes["id"], nodes["sectors"], strict=True)}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _met(name: str, s: Score, baseline: float) -> tuple[str, str]:
    goal = TARGETS.get(name)
    if name == "null structural gaps":
        share = s.runs_with_any / s.runs if s.runs else None
        ok = share is not None and share <= goal["runs_with_any"]
        return f"≤ {_pct(goal['runs_with_any'])} of runs with any", "yes" if ok else "no"
    if goal:
        ok = (s.recall or 0) >= goal["recall"] and (s.false_discovery or 0) <= goal[
            "false_discovery"
        ]
        target = f"recall ≥ {_pct(goal['recall'])}, FD ≤ {_pct(goal['false_discovery'])}"
        return target, "yes" if ok else "no"
    if name == "hidden links":
        precision = 1 - s.false_discovery if s.false_discovery is not None else 0.0
        return f"above random ({_pct(baseline)})", "above" if precision > baseline else "not above"
    return "", ""


def report(scores: dict[str, dict[str, Score]], baselines: dict[str, float], seeds: int) -> str:
    """The scores as a Markdown table, per analysis and scale, with the targets."""
    scales = [k for k in scores if k != "all"]
    lines = [
        f"Planted truth: {seeds} seeds at each of scales {', '.join(scales)} (bench.planted; "
        "structural gaps on null data).",
        "",
        "| analysis | scale | planted | reported | found | recall | false discovery | target "
        "| met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ANALYSES:
        for scale in [*scales, "all"]:
            s = scores[scale][name]
            target, met = _met(name, s, baselines[scale])
            if name == "null structural gaps":
                share = s.runs_with_any / s.runs if s.runs else None
                runs = f"runs with any: {s.runs_with_any} of {s.runs} ({_pct(share)})"
                cells = f"0 | {s.reported} | 0 | – | {runs}"
            else:
                cells = (
                    f"{s.planted} | {s.reported} | {s.found} | {_pct(s.recall)} | "
                    f"{_pct(s.false_discovery)}"
                )
            lines.append(f"| {name} | {scale} | {cells} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def _backtest_markdown(table: pd.DataFrame) -> str:
    lines = [
        "| k | suggested | hits | precision@k | degree-matched random | candidate pairs | "
        "positives |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.k} | {row.suggested} | {row.hits} | {_pct(row.precision)} | "
            f"{_pct(row.baseline)} | {row.candidates} | {row.positives} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluate", description=__doc__)
    parser.add_argument("--scales", default="1,8", help="comma-separated scales (default 1,8)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per scale (default 20)")
    parser.add_argument("--backtest", action="store_true", help="also back-test on data/")
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    started = time.monotonic()
    scores, baselines = evaluate(scales, args.seeds)
    text = report(scores, baselines, args.seeds)
    if args.backtest:
        table = backtest()
        text += "\nBack-test on data/ (suggestions from the 2017 source, ties the 2021 source "
        text += "states, actors both name):\n\n" + _backtest_markdown(table)
    text += f"\n({time.monotonic() - started:.0f} s)\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

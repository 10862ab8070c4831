"""Synthetic ecosystems with planted truth: what each analysis should find, and null data.

:func:`plant` writes a ``data/`` folder made by :func:`bench.generate.generate` and then plants,
with one seeded random generator:

* **empty cells**: sector × stage cells of the actors' coverage (top-level sectors, narrower
  ones counted under them as the coverage does) that held at least :data:`MIN_CELL` actors
  are emptied (the stage classification removed from every actor of the sector), so the
  coverage analysis should call them gaps;
* **duplicate initiatives**: an initiative of a comparable kind (project, programme, cluster,
  network, centre) with at least four actor members gets a twin: the same members, sectors and
  stages, an overlapping start, another organiser, so the overlap analysis should flag the pair
  for consolidation;
* **brokers**: two new companies are each the only tie between a peripheral community (8 ×
  scale new actors of one sector, in projects of four the broker takes part in) and two
  initiatives of another sector, so the bridge analysis should rank them first;
* **hidden links**: two actors of different sectors who share exactly one initiative lose that
  tie (one of them leaves it), so the pair suggestions should propose them (a link-prediction
  back-test, scored against a degree-matched random baseline).

With ``null=True`` nothing is planted and members are drawn without regard to sectors
(``homophily=1``): no sector pair meets less than chance, so a structural gap found there is a
false discovery. The returned :class:`Truth` lists what was planted; :mod:`bench.evaluate`
scores the analyses against it.

Examples
--------
>>> import tempfile
>>> truth = plant(tempfile.mkdtemp(), scale=1, seed=0)
>>> len(truth.duplicates), len(truth.brokers), truth.null
(2, 2, False)
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import SOURCE_ID, TABLE_COLUMNS, generate

__all__ = ["COMPARABLE_KINDS", "MIN_CELL", "Truth", "plant"]

Tables = dict[str, list[dict[str, str]]]

MIN_CELL = 5
"""An emptied cell held at least this many actors: fewer could be empty by chance."""

COMPARABLE_KINDS = ("centre", "cluster", "network", "programme", "project")
"""Initiative kinds whose duplicates are planted (events and applications are not)."""


@dataclass
class Truth:
    """What :func:`plant` planted in one synthetic ecosystem."""

    scale: int
    seed: int
    null: bool
    empty_cells: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    brokers: list[str] = field(default_factory=list)
    hidden_links: list[tuple[str, str]] = field(default_factory=list)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, TABLE_COLUMNS[table], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def plant(out_dir: Path | str, scale: int = 1, seed: int = 0, *, null: bool = False) -> Truth:
    """Write a synthetic ``data/`` folder into *out_dir* with planted structure; return it.

    Deterministic: the same *scale*, *seed* and *null* give byte-identical files.
    """
    out = Path(out_dir)
    truth = Truth(scale=scale, seed=seed, null=null)
    if null:
        generate(out, scale=scale, seed=seed, homophily=1.0)
        return truth
    generate(out, scale=scale, seed=seed)
    rng = random.Random(f"bioeco-planted/{scale}/{seed}")
    folder = out / SOURCE_ID
    tables = {
        name: _read(folder / f"{name}.csv")
        for name in ("actors", "initiatives", "memberships", "classifications")
    }
    actors = {row["id"] for row in tables["actors"]}
    kinds = {row["id"]: row["type"] for row in tables["initiatives"]}
    _plant_duplicates(tables, truth, rng, actors, kinds, count=max(2, scale))
    _plant_brokers(tables, truth, rng, count=2, size=8 * scale)
    _hide_links(tables, truth, rng, actors, count=5 * scale)
    _empty_cells(tables, truth, rng, actors, count=2)
    for name, rows in tables.items():
        _write(folder / f"{name}.csv", name, rows)
    return truth


def _classes(rows: list[dict[str, str]], scheme: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["scheme"] == scheme:
            found[row["subject"]].add(row["concept"])
    return found


def _members(rows: list[dict[str, str]], actors: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["member"] in actors:
            found[row["organization"]].append(row["member"])
    return found


def _plant_duplicates(
    tables: Tables, truth: Truth, rng: random.Random, actors: set[str],
    kinds: dict[str, str], count: int,
) -> None:  # fmt: skip
    members = _members(tables["memberships"], actors)
    candidates = sorted(
        i for i, kind in kinds.items() if kind in COMPARABLE_KINDS and len(members[i]) >= 4
    )
    by_id = {row["id"]: row for row in tables["initiatives"]}
    for original in rng.sample(candidates, min(count, len(candidates))):
        twin = f"{original}-twin"
        row = dict(by_id[original], id=twin, label=f"{by_id[original]['label']} (twin)")
        row["label_en"] = row["aliases"] = row["part_of"] = ""
        if row["start"]:
            row["start"] = str(int(row["start"]) + rng.randint(0, 1))
            row["end"] = ""
        tables["initiatives"].append(row)
        tables["classifications"] += [
            dict(c, subject=twin) for c in tables["classifications"] if c["subject"] == original
        ]
        copied = [
            dict(m, organization=twin, start="", end="")
            for m in tables["memberships"]
            if m["organization"] == original and m["member"] in actors
        ]
        # another organiser: the twin is run by the second member, the first one takes part
        organiser = next(i for i, m in enumerate(copied) if m["member"] != copied[0]["member"])
        copied[organiser]["role"], copied[0]["role"] = copied[0]["role"], copied[organiser]["role"]
        tables["memberships"] += copied
        truth.duplicates.append(tuple(sorted((original, twin))))


def _plant_brokers(tables: Tables, truth: Truth, rng: random.Random, count: int, size: int) -> None:
    sector_of = _classes(tables["classifications"], "sector")
    inits = [row["id"] for row in tables["initiatives"] if not row["id"].endswith("-twin")]
    by_sector: dict[str, list[str]] = defaultdict(list)
    for i in inits:
        for s in sector_of[i]:
            by_sector[s].append(i)
    sectors = sorted(s for s, found in by_sector.items() if len(found) >= 2)
    template = tables["actors"][0]
    for b in range(1, count + 1):
        home, other = rng.sample(sectors, 2)
        broker = f"planted-broker-{b}"
        community = [f"planted-periphery-{b}-{k}" for k in range(1, size + 1)]
        for ident in (broker, *community):
            tables["actors"].append(
                dict(template, id=ident, label=ident.replace("-", " ").title(), label_en="",
                     type="company", aliases="", orgnr="", part_of="", basis="", note="")
            )  # fmt: skip
            region = rng.choice(("tromso", "bergen", "oslo-region"))
            for scheme, concept in (("sector", home if ident == broker else other),
                                    ("region", region)):  # fmt: skip
                tables["classifications"].append(
                    {"subject": ident, "scheme": scheme, "concept": concept, "basis": "stated",
                     "source": SOURCE_ID, "locator": "l. 1", "note": ""}
                )  # fmt: skip
        groups = [community[k : k + 4] for k in range(0, size, 4)]  # disjoint: no overlap
        for p, people in enumerate(groups, start=1):
            project = f"planted-periphery-{b}-project-{p}"
            tables["initiatives"].append(
                dict(tables["initiatives"][0], id=project, label=project.replace("-", " "),
                     label_en="", type="project", aliases="", part_of="", start="2020", end="",
                     status="", note="")
            )  # fmt: skip
            tables["classifications"].append(
                {"subject": project, "scheme": "sector", "concept": other, "basis": "stated",
                 "source": SOURCE_ID, "locator": "l. 1", "note": ""}
            )  # fmt: skip
            for k, member in enumerate([broker, *people]):
                tables["memberships"].append(_membership(member, project, "coordinator"
                                                         if k == 1 else "partner"))  # fmt: skip
        joined = sorted(i for i in by_sector[home] if other not in sector_of[i])
        for init in rng.sample(joined, min(2, len(joined))):
            tables["memberships"].append(_membership(broker, init, "partner"))
        truth.brokers.append(broker)


def _membership(member: str, org: str, role: str) -> dict[str, str]:
    empty = dict.fromkeys(("start", "end", "observed", "basis", "note"), "")
    return {"member": member, "organization": org, "role": role, **empty,
            "source": SOURCE_ID, "locator": "l. 1"}  # fmt: skip


def _hide_links(
    tables: Tables, truth: Truth, rng: random.Random, actors: set[str], count: int
) -> None:
    members = _members(tables["memberships"], actors)
    sector_of = _classes(tables["classifications"], "sector")
    together: Counter[tuple[str, str]] = Counter()
    for found in members.values():
        uniq = sorted(set(found))
        together.update((a, b) for i, a in enumerate(uniq) for b in uniq[i + 1 :])
    degree = Counter(m for found in members.values() for m in set(found))
    hidden: list[tuple[str, str]] = []
    removed: set[tuple[str, str]] = set()
    for init in sorted(members):
        uniq = sorted(set(members[init]))
        if len(uniq) < 4 or init.startswith("planted-") or init.endswith("-twin"):
            continue
        pairs = [
            (a, b)
            for i, a in enumerate(uniq)
            for b in uniq[i + 1 :]
            if together[(a, b)] == 1
            and degree[a] >= 3
            and degree[b] >= 3
            and sector_of[a]
            and sector_of[b]
            and not sector_of[a] & sector_of[b]
        ]  # pairs the suggestions can propose: actors of different sectors
        if pairs:
            a, b = rng.choice(pairs)
            hidden.append((a, b))
            removed.add((init, b))
            degree[b] -= 1
        if len(hidden) == count:
            break
    tables["memberships"] = [
        m for m in tables["memberships"] if (m["organization"], m["member"]) not in removed
    ]
    truth.hidden_links = hidden


def _top_sectors() -> dict[str, str]:
    """Each sector code → its top-level sector (the coverage counts narrower ones there)."""
    from bioeco.core.schemes import load_ontology
    from bioeco.core.vocab import SKOS

    top: dict[str, str] = {}
    graph = load_ontology()
    prefix = "https://w3id.org/bioeco/id/concept/sector/"
    for concept in graph.subjects(SKOS.inScheme, None):
        if not str(concept).startswith(prefix):
            continue
        node = concept
        while (up := graph.value(node, SKOS.broader)) is not None:
            node = up
        top[str(concept).removeprefix(prefix)] = str(node).removeprefix(prefix)
    return top


def _empty_cells(
    tables: Tables, truth: Truth, rng: random.Random, actors: set[str], count: int
) -> None:
    top = _top_sectors()
    sector_of = {
        subject: {top.get(s, s) for s in found}
        for subject, found in _classes(tables["classifications"], "sector").items()
    }
    stage_of = _classes(tables["classifications"], "stage")
    cells: Counter[tuple[str, str]] = Counter(
        (s, t) for a in actors for s in sector_of.get(a, ()) for t in stage_of[a]
    )
    big = sorted(cell for cell, n in cells.items() if n >= MIN_CELL)
    chosen: list[tuple[str, str]] = []
    for cell in rng.sample(big, len(big)):
        if all(cell[0] != c[0] and cell[1] != c[1] for c in chosen):
            chosen.append(cell)
        if len(chosen) == count:
            break
    drop = {(a, t) for s, t in chosen for a in actors if s in sector_of.get(a, ())}
    tables["classifications"] = [
        c
        for c in tables["classifications"]
        if not (c["scheme"] == "stage" and (c["subject"], c["concept"]) in drop)
    ]
    truth.empty_cells = sorted(chosen)

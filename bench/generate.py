"""Deterministic synthetic data for benchmarks: a valid ``data/`` folder whose size grows with N.

``python -m bench.generate --scale N --out DIR --seed S`` (or :func:`generate`) writes
``DIR/sources.csv`` and one source folder ``DIR/synthetic/`` with ``actors.csv``,
``initiatives.csv``, ``people.csv``, ``memberships.csv`` and ``classifications.csv``.

Sizes are linear in N: ``100·N`` actors, ``20·N`` initiatives, ``10·N`` people and exactly
``600·N`` memberships. Initiative sizes are heavy-tailed (Pareto weights, a few large clusters
and many small projects) and members are drawn by a heavy-tailed activity weight, favouring
actors of the initiative's sectors, so the analyses see hubs, overlap and cross-sector bridges
as in the real data. Every code comes from the concept schemes
(:func:`bioeco.core.schemes.scheme_codes`,
:func:`bioeco.core.schemes.type_classes`), every id is a slug and every locator has ``l. N``, so the
output loads with :func:`bioeco.ingest.load.load_records` and conforms to the SHACL shapes.

The same (scale, seed) always gives byte-identical files: one seeded :class:`random.Random`,
sorted code lists, fixed CSV dialect (``\\n`` line ends, minimal quoting).

Examples
--------
>>> import tempfile
>>> counts = generate(tempfile.mkdtemp(), scale=1, seed=1)
>>> counts["actors"], counts["initiatives"], counts["memberships"]
(100, 20, 600)
"""

from __future__ import annotations

import argparse
import csv
import heapq
import random
from collections.abc import Sequence
from pathlib import Path

from bioeco.core.schemes import scheme_codes, type_classes
from bioeco.ingest.load import check_orgnr

__all__ = ["SOURCE_ID", "TABLE_COLUMNS", "generate", "main", "sizes"]

SOURCE_ID = "synthetic"
"""Id of the one synthetic source document (and the name of its folder)."""

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": ("id", "title", "title_en", "issued", "publisher", "language", "file", "note"),
    "actors": (
        "id",
        "label",
        "label_en",
        "type",
        "aliases",
        "orgnr",
        "part_of",
        "basis",
        "source",
        "locator",
        "note",
    ),
    "initiatives": (
        "id",
        "label",
        "label_en",
        "type",
        "aliases",
        "part_of",
        "start",
        "end",
        "place",
        "status",
        "description_en",
        "source",
        "locator",
        "note",
    ),
    "people": ("id", "name", "source", "locator", "note"),
    "memberships": (
        "member",
        "organization",
        "role",
        "start",
        "end",
        "observed",
        "basis",
        "source",
        "locator",
        "note",
    ),
    "classifications": ("subject", "scheme", "concept", "basis", "source", "locator", "note"),
}

# Preferred weights of codes; codes missing from the schemes are skipped, codes of the schemes
# not listed here get weight 1 (so a changed ontology still yields valid data).
_ACTOR_TYPES = {
    "company": 50,
    "research-institute": 8,
    "university": 5,
    "university-college": 3,
    "hospital": 3,
    "public-agency": 4,
    "funding-agency": 2,
    "investor": 4,
    "cluster-organisation": 3,
    "tto": 3,
    "incubator": 2,
    "interest-organisation": 3,
    "municipality": 2,
    "regional-authority": 2,
}
_INITIATIVE_TYPES = {
    "project": 30,
    "cluster": 8,
    "network": 10,
    "event": 15,
    "event-series": 5,
    "programme": 5,
    "centre": 5,
    "application": 4,
    "forum": 4,
    "service": 3,
    "infrastructure": 2,
    "committee": 2,
    "strategy": 1,
}
_SECTORS = {
    "marine": 25,
    "health": 20,
    "agri-food": 15,
    "industry": 12,
    "knowledge": 10,
    "pharma": 5,
    "diagnostics": 4,
    "medtech": 4,
    "health-ict": 3,
    "specialised-suppliers": 2,
}
_REGIONS = {
    "oslo-region": 20,
    "tromso": 12,
    "bergen": 12,
    "trondheim": 12,
    "stavanger": 6,
    "bodo": 5,
    "as": 5,
    "hamar-region": 4,
    "troms-og-finnmark": 3,
    "nord-norge": 3,
    "innlandet": 2,
    "norway": 3,
    "sweden": 2,
    "denmark": 2,
    "finland": 1,
    "usa": 1,
}
# Role of the ordinary members, the organiser (first drawn member) by initiative type.
_MEMBER_ROLE = {
    "cluster": "member",
    "network": "member",
    "forum": "member",
    "committee": "member",
    "project": "partner",
    "centre": "partner",
    "application": "applicant",
    "event": "participant",
    "event-series": "participant",
}
_ORGANISER_ROLE = {
    "cluster": "cluster-manager",
    "project": "coordinator",
    "centre": "host",
    "application": "coordinator",
    "programme": "lead",
    "strategy": "owner",
    "infrastructure": "host",
    "service": "host",
}
_PERSON_ROLES = ("board-chair", "board-member", "speaker", "project-leader", "manager")

_FIRST = (
    "Nord",
    "Arktisk",
    "Blå",
    "Fjord",
    "Havbruk",
    "Bio",
    "Gen",
    "Marin",
    "Sjø",
    "Skog",
    "Lys",
    "Kyst",
    "Tare",
    "Laks",
    "Celle",
    "Enzym",
    "Data",
    "Polar",
    "Øst",
    "Vest",
)
_SECOND = (
    "tech",
    "omics",
    "pharma",
    "diagnostikk",
    "analyse",
    "protein",
    "helse",
    "mat",
    "fôr",
    "innovasjon",
    "lab",
    "sensor",
    "marin",
    "prosess",
    "vekst",
    "kapital",
)
_LEGAL = ("AS", "ASA", "SA", "", "", "")
_INITIATIVE_WORDS = (
    "Klynge",
    "Nettverk",
    "Prosjekt",
    "Senter",
    "Konferanse",
    "Forum",
    "Program",
    "Satsing",
    "Verksted",
    "Arena",
)
_GIVEN = ("Kari", "Ola", "Ingrid", "Håvard", "Siri", "Jørn", "Åse", "Nils", "Marit", "Ælfrid")
_FAMILY = ("Hansen", "Østebø", "Lundblad", "Sletta", "Kjelstrup", "Dahle", "Rauø", "Nilsen")
_DESCRIPTION = "Joint work on marine biotechnology."
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ô": "o"})


def sizes(scale: int) -> dict[str, int]:
    """Rows per table (classifications vary slightly with the seed, about 7 per actor/initiative).

    Examples
    --------
    >>> sizes(2)
    {'actors': 200, 'initiatives': 40, 'people': 20, 'memberships': 1200}
    """
    return {
        "actors": 100 * scale,
        "initiatives": 20 * scale,
        "people": 10 * scale,
        "memberships": 600 * scale,
    }


def _slug(text: str) -> str:
    out = []
    for ch in text.lower().translate(_TRANSLIT):
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "-".join(p for p in "".join(out).split("-") if p)


def _weighted(codes: set[str], preferred: dict[str, int]) -> tuple[list[str], list[int]]:
    """Scheme codes in sorted order with their weights (unlisted codes weigh 1)."""
    listed = [c for c in preferred if c in codes]
    items = listed or sorted(codes)
    return items, [preferred.get(c, 1) for c in items]


def _locator(rng: random.Random, section: str) -> str:
    line = rng.randint(1, 5000)
    if rng.random() < 0.5:
        return f"p. {line // 40 + 1}, {section}; l. {line}"
    return f"{section}; l. {line}-{line + rng.randint(1, 12)}"


def _orgnr(rng: random.Random) -> str:
    while True:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
        weights = (3, 2, 7, 6, 5, 4, 3, 2)
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10 and check_orgnr(digits + str(check)):
            return digits + str(check)


def _date(rng: random.Random, year: int) -> str:
    """A date as precise as a source would state it: mostly a year, sometimes month or day."""
    r = rng.random()
    if r < 0.7:
        return str(year)
    if r < 0.9:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _note(rng: random.Random) -> str:
    """Mostly empty; sometimes text that needs CSV quoting (commas, quotes, a line break)."""
    r = rng.random()
    if r < 0.85:
        return ""
    if r < 0.95:
        return "Type inferred from the name, check."
    if r < 0.98:
        return 'Listed as "new member", see also the appendix.'
    return "Named twice in the text;\nthe second time with a typo."


def _pick_distinct(
    rng: random.Random, items: Sequence[str], weights: Sequence[int], k: int
) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < min(k, len(items)):
        c = rng.choices(items, weights)[0]
        if c not in chosen:
            chosen.append(c)
    return chosen


def _sample_without_replacement(
    rng: random.Random, weights: Sequence[float], k: int, exclude: int = -1
) -> list[int]:
    """Efraimidis–Spirakis weighted sampling: *k* distinct indices, heavier ones more likely,
    ordered by key (the first is the one most likely drawn first)."""
    keys = ((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if i != exclude)
    return [i for _key, i in heapq.nlargest(k, keys)]


def _initiative_sizes(rng: random.Random, n: int, total: int, cap: int) -> list[int]:
    """Split *total* memberships over *n* initiatives: Pareto weights, at least 2, at most *cap*."""
    weights = [rng.paretovariate(1.2) for _ in range(n)]
    out = [2] * n
    remaining = total - 2 * n
    while remaining > 0:
        open_ = [i for i in range(n) if out[i] < cap]
        if not open_:
            raise ValueError("scale too small for the requested memberships")
        draws = rng.choices(open_, [weights[i] for i in open_], k=remaining)
        for i in draws:
            if out[i] < cap:
                out[i] += 1
                remaining -= 1
    return out


def _write(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def generate(
    out_dir: Path | str,
    scale: int = 1,
    seed: int = 0,
    *,
    homophily: float = 4.0,
    multi_sector: float = 0.3,
) -> dict[str, int]:
    """Write a synthetic data folder of size *scale* into *out_dir*; return rows per table.

    Deterministic: the same *scale*, *seed* and knobs give byte-identical files. *homophily* is
    how much more likely an actor of one of an initiative's sectors is drawn as its member (1.0:
    sectors play no part, the null model of :mod:`bench.planted`); *multi_sector* the share of
    actors classified in two sectors.
    """
    if scale < 1:
        raise ValueError("scale must be a positive integer")
    rng = random.Random(f"bioeco-bench/{seed}")
    codes = scheme_codes()
    n = sizes(scale)
    src = SOURCE_ID

    actor_types, actor_type_w = _weighted(set(type_classes("actor-type")), _ACTOR_TYPES)
    init_types, init_type_w = _weighted(set(type_classes("initiative-type")), _INITIATIVE_TYPES)
    sectors, sector_w = _weighted(codes["sector"], _SECTORS)
    regions, region_w = _weighted(codes["region"], _REGIONS)
    stages = sorted(codes["stage"])
    competences = sorted(codes.get("competence", set()))
    roles = codes["role"]

    def role(code: str, fallback: str = "member") -> str:
        return code if code in roles else fallback

    # ---------------------------------------------------------------- actors
    actors: list[dict[str, str]] = []
    actor_ids: list[str] = []
    actor_sector: list[str] = []
    activity: list[float] = []
    classifications: list[dict[str, str]] = []

    def classify(subject: str, scheme: str, concept: str) -> None:
        basis = "inferred" if rng.random() < 0.2 else "stated"
        classifications.append(
            {
                "subject": subject,
                "scheme": scheme,
                "concept": concept,
                "basis": basis,
                "source": src,
                "locator": _locator(rng, "Aktører"),
                "note": "Implied by the context." if basis == "inferred" else "",
            }
        )

    for i in range(1, n["actors"] + 1):
        first, second = rng.choice(_FIRST), rng.choice(_SECOND)
        legal = rng.choice(_LEGAL)
        label = f"{first}{second} {i}" + (f" {legal}" if legal else "")
        aid = _slug(f"{first}{second}-{i}")
        kind = rng.choices(actor_types, actor_type_w)[0]
        part_of = ""
        if i > 10 and rng.random() < 0.03:
            part_of = actor_ids[rng.randrange(len(actor_ids))]
        actors.append(
            {
                "id": aid,
                "label": label,
                "label_en": f"{first}{second} {i} Ltd" if rng.random() < 0.1 else "",
                "type": kind,
                "aliases": f"{first.upper()}{i}" if rng.random() < 0.1 else "",
                "orgnr": _orgnr(rng) if rng.random() < 0.2 else "",
                "part_of": part_of,
                "basis": "inferred" if rng.random() < 0.3 else "",
                "source": src,
                "locator": _locator(rng, "Medlemmer"),
                "note": _note(rng),
            }
        )
        actor_ids.append(aid)
        activity.append(rng.paretovariate(1.5))
        chosen = _pick_distinct(rng, sectors, sector_w, 2 if rng.random() < multi_sector else 1)
        actor_sector.append(chosen[0])
        for s in chosen:
            classify(aid, "sector", s)
        classify(aid, "region", rng.choices(regions, region_w)[0])
        for st in rng.sample(stages, rng.choice((0, 1, 1, 2))):
            classify(aid, "stage", st)

    # ---------------------------------------------------------------- initiatives
    initiatives: list[dict[str, str]] = []
    init_ids: list[str] = []
    init_type: list[str] = []
    init_sectors: list[list[str]] = []
    init_start: list[int | None] = []
    for i in range(1, n["initiatives"] + 1):
        first, word = rng.choice(_FIRST), rng.choice(_INITIATIVE_WORDS)
        iid = _slug(f"{first}-{word}-{i}")
        kind = rng.choices(init_types, init_type_w)[0]
        start_year = rng.randint(2008, 2022) if rng.random() < 0.6 else None
        end = ""
        if start_year is not None and rng.random() < 0.4:
            end = str(start_year + rng.randint(0, 5))
        part_of = ""
        if kind == "project" and init_ids and rng.random() < 0.2:
            part_of = init_ids[rng.randrange(len(init_ids))]
        initiatives.append(
            {
                "id": iid,
                "label": f"{first} {word.lower()} {i}",
                "label_en": f"{first} {word} {i} (en)" if rng.random() < 0.2 else "",
                "type": kind,
                "aliases": f"{first[:3].upper()}-{i}|{first}{i}" if rng.random() < 0.1 else "",
                "part_of": part_of,
                "start": str(start_year) if start_year is not None else "",
                "end": end,
                "place": rng.choice(("Tromsø", "Bergen", "Oslo", "")),
                "status": "rejected" if kind == "application" and rng.random() < 0.3 else "",
                "description_en": _DESCRIPTION if rng.random() < 0.5 else "",
                "source": src,
                "locator": _locator(rng, "Aktiviteter"),
                "note": _note(rng),
            }
        )
        init_ids.append(iid)
        init_type.append(kind)
        init_start.append(start_year)
        chosen = _pick_distinct(rng, sectors, sector_w, rng.choice((1, 1, 2)))
        init_sectors.append(chosen)
        for s in chosen:
            classify(iid, "sector", s)
        for st in rng.sample(stages, rng.choice((1, 1, 2, 3))):
            classify(iid, "stage", st)
        classify(iid, "region", rng.choices(regions, region_w)[0])
        if competences and rng.random() < 0.2:
            classify(iid, "competence", rng.choice(competences))

    # ---------------------------------------------------------------- people
    people: list[dict[str, str]] = []
    person_ids: list[str] = []
    for i in range(1, n["people"] + 1):
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        pid = f"{_slug(name)}-{i}"
        people.append(
            {
                "id": pid,
                "name": name,
                "source": src,
                "locator": _locator(rng, "Administrasjon"),
                "note": _note(rng),
            }
        )
        person_ids.append(pid)

    # ---------------------------------------------------------------- memberships
    memberships: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()

    def link(member: str, org: str, code: str, start_year: int | None) -> None:
        key = (org, member, code)
        if key in seen:
            raise AssertionError(f"duplicate membership {key}")
        seen.add(key)
        start = end = observed = ""
        r = rng.random()
        if r < 0.4:
            year = max(start_year or 2008, rng.randint(2008, 2022))
            start = _date(rng, year)
            if rng.random() < 0.3:
                end = str(year + rng.randint(1, 4))
        elif r < 0.7:
            observed = str(rng.randint(2015, 2022))
        memberships.append(
            {
                "member": member,
                "organization": org,
                "role": code,
                "start": start,
                "end": end,
                "observed": observed,
                "basis": "inferred" if rng.random() < 0.1 else "",
                "source": src,
                "locator": _locator(rng, "Deltakere"),
                "note": _note(rng),
            }
        )

    n_employee = n["people"]
    n_person_roles = n["people"]
    n_init_links = 5 * scale
    n_actor_links = n["memberships"] - n_employee - n_person_roles - n_init_links
    cap = max(2, int(0.6 * n["actors"]))
    per_init = _initiative_sizes(rng, n["initiatives"], n_actor_links, cap)
    for j, size in enumerate(per_init):
        favoured = set(init_sectors[j])
        weights = [
            a * (homophily if s in favoured else 1.0)
            for a, s in zip(activity, actor_sector, strict=True)
        ]
        drawn = _sample_without_replacement(rng, weights, size)
        kind = init_type[j]
        for rank, idx in enumerate(drawn):
            if rank == 0:
                code = role(_ORGANISER_ROLE.get(kind, "organiser"))
            elif rank == 1 and rng.random() < 0.3:
                code = role("funder")
            elif rng.random() < 0.02:
                code = role("interviewee")
            else:
                code = role(_MEMBER_ROLE.get(kind, "participant"))
            link(actor_ids[idx], init_ids[j], code, init_start[j])
    for pid in person_ids:  # employee of an actor (heavy-tailed employers)
        employer = _sample_without_replacement(rng, activity, 1)[0]
        link(pid, actor_ids[employer], role("employee"), None)
    person_links = 0
    while person_links < n_person_roles:
        pid = person_ids[rng.randrange(len(person_ids))]
        j = rng.randrange(len(init_ids))
        code = role(rng.choice(_PERSON_ROLES))
        if (init_ids[j], pid, code) not in seen:
            link(pid, init_ids[j], code, init_start[j])
            person_links += 1
    init_links = 0
    while init_links < n_init_links:  # initiatives as partners of other initiatives
        a, b = rng.randrange(len(init_ids)), rng.randrange(len(init_ids))
        if a != b and (init_ids[b], init_ids[a], role("partner")) not in seen:
            link(init_ids[a], init_ids[b], role("partner"), init_start[b])
            init_links += 1

    sources = [
        {
            "id": src,
            "title": f"Syntetisk økosystem, skala {scale}",
            "title_en": f"Synthetic ecosystem, scale {scale}, seed {seed}",
            "issued": "2022",
            "publisher": actor_ids[0],
            "language": "nb",
            "file": "synthetic.txt",
            "note": "Generated by bench.generate for benchmarks; not real data.",
        }
    ]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "actors": actors,
        "initiatives": initiatives,
        "people": people,
        "memberships": memberships,
        "classifications": classifications,
    }
    _write(out / "sources.csv", TABLE_COLUMNS["sources"], sources)
    for name, rows in tables.items():
        _write(out / src / f"{name}.csv", TABLE_COLUMNS[name], rows)
    return {"sources": len(sources), **{k: len(v) for k, v in tables.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m bench.generate --scale N --out DIR --seed S``."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="size factor N (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    counts = generate(args.out, args.scale, args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()), f"→ {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

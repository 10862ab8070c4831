"""A what-if scenario for the benchmark: ten actions on a generated ``data/`` folder.

Three invitations, three introductions, two new initiatives, one merge and one ended
membership, drawn with a seeded generator from the folder's actors and initiatives (actors
that already take part in something and an initiative merged away that is no member itself,
so who is a member stays the same: the common case of a plan).
Same folder and seed → the same file.

```
python -m bench.whatif_plan --data /tmp/synth --out /tmp/plan.csv
```
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

COLUMNS = [
    "action", "actor", "other", "initiative", "into", "role", "label", "type", "members",
    "sectors", "stages", "region", "year", "note",
]  # fmt: skip


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for table in sorted(folder.glob(f"*/{name}")):
        with table.open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def scenario(data: Path | str, out: Path | str, seed: int = 0) -> Path:
    """Write the ten-action scenario of the generated folder *data* to *out*."""
    data, out = Path(data), Path(out)
    actors = sorted({r["id"] for r in _rows(data, "actors.csv")})
    members: dict[str, set[str]] = {}
    of: dict[str, set[str]] = {}
    for r in _rows(data, "memberships.csv"):
        members.setdefault(r["organization"], set()).add(r["member"])
        of.setdefault(r["member"], set()).add(r["organization"])
    active = sorted(a for a in actors if a in of)
    inits = sorted(i for i, m in members.items() if len(m) >= 2)
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []

    def add(**cells: str) -> None:
        rows.append({c: cells.get(c, "") for c in COLUMNS} | {"year": "2024"})

    for _ in range(3):
        i = rng.choice(inits)
        actor = rng.choice([a for a in active if a not in members[i]])
        members[i].add(actor)
        add(action="invite", actor=actor, initiative=i)
    for _ in range(3):
        a, b = rng.sample(active, 2)
        add(action="introduce", actor=a, other=b)
    for k in range(2):
        add(action="start", initiative=f"bench-new-{k}", label=f"Bench initiative {k}",
            type="project", members="|".join(rng.sample(active, 5)), sectors="marine|agri-food",
            stages="data")  # fmt: skip
    gone, kept = rng.sample([i for i in inits if i not in of], 2)  # not members themselves
    add(action="merge", initiative=gone, into=kept)
    rest = [i for i in inits if i not in (gone, kept)]
    i = rng.choice(rest)
    actor = min(m for m in members[i] if len(of.get(m, ())) >= 2 and m in actors)
    add(action="end", actor=actor, initiative=i)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(scenario(args.data, args.out, args.seed))


if __name__ == "__main__":
    main()

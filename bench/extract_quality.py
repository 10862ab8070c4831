"""Quality of ``bioeco extract`` on the two source documents, against what data/ records.

``python -m bench.extract_quality [--held-out] [--out FILE]`` (``make extract-quality``)

For each source in ``data/sources.csv`` whose document is in the seeds folder (``../shared/seeds/``
beside the checkout, or ``BIOECO_SEEDS``; the texts are not part of the repository), runs the
extractor and prints organisation recall, membership recall and precision (pairs of member
and organisation) and how often the suggested role is one of the recorded roles, in two
settings (see :mod:`bioeco.extract.quality`): ``known`` (every name in data/ known) and
``held-out`` (names that only this source records are hidden from the extractor). Quality,
not speed: the numbers do not depend on the machine. Without the texts it says so and stops
(exit 0): nothing to measure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bioeco.core.paths import SEEDS_DIR
from bioeco.extract.quality import measure
from bioeco.ingest.load import load_records

__all__ = ["main", "report"]


def report(held_out: bool = True) -> str:
    """A Markdown table of the quality per source and setting."""
    rows = [
        "| source | setting | organisations found | recall | memberships found | recall "
        "| proposed pairs | precision | same role |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    missed = []
    for source in load_records().sources:
        if not (SEEDS_DIR / source.file).exists():
            continue
        for setting in (False, True) if held_out else (False,):
            q = measure(source.id, held_out=setting)
            precision = f"{q.membership_precision:.1%}" if q.memberships_proposed else "n/a"
            rows.append(
                f"| {q.source} | {q.setting} | {q.organisations_found}/{q.organisations} "
                f"| {q.organisation_recall:.1%} | {q.memberships_found}/{q.memberships} "
                f"| {q.membership_recall:.1%} | {q.memberships_proposed} "
                f"| {precision} | {q.roles_agreeing}/{q.memberships_found} |"
            )
            if q.missed_organisations and not setting:
                missed.append(f"- {q.source}: missed {', '.join(q.missed_organisations)}")
    return "\n".join(rows + (["", *missed] if missed else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known-only", action="store_true", help="skip the held-out setting")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    missing = [s.file for s in load_records().sources if not (SEEDS_DIR / s.file).exists()]
    for name in missing:
        print(f"skipped: {SEEDS_DIR / name} not present", file=sys.stderr)
    if len(missing) == len(load_records().sources):
        print(
            f"extract quality: no source text in {SEEDS_DIR} (set BIOECO_SEEDS to the folder "
            "holding the reports named in data/sources.csv, column file); nothing measured",
            file=sys.stderr,
        )
        return 0
    text = report(held_out=not args.known_only)
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A clone with nothing beside it: the Makefile and CI read nothing outside the repository, and
the demo's extract step runs on the sample report that is part of the repository."""

from __future__ import annotations

import csv
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ["Makefile", ".ci/run"]
SAMPLE = ROOT / "docs" / "examples" / "sample-annual-report.txt"


def _recipe(target: str) -> list[str]:
    """The commands of a Makefile target, continuation lines joined."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{target}\s*:", line))
    commands: list[str] = []
    joined = ""
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        joined += line.strip().removesuffix("\\").rstrip() + " "
        if not line.rstrip().endswith("\\"):
            commands.append(joined.strip())
            joined = ""
    return commands


def _outside(text: str) -> list[str]:
    """Lines that name a path outside the repository (a parent folder, the seeds, a machine's
    own folders)."""
    pattern = re.compile(r"\.\./|shared/seeds|(^|[\s=])/(work|home|tmp|opt)/")
    return [line.strip() for line in text.splitlines() if pattern.search(line)]


def test_the_makefile_and_ci_name_nothing_outside_the_repository():
    for name in ENTRY_POINTS:
        assert _outside((ROOT / name).read_text()) == [], name


def test_the_check_sees_a_path_outside():
    makefile = "demo:\n\t$(BIN)/bioeco build\n\t$(BIN)/bioeco extract ../shared/seeds/x.txt\n"
    assert _outside(makefile) == ["$(BIN)/bioeco extract ../shared/seeds/x.txt"]
    assert _outside("\tcat /work/shared/seeds/x.txt\n") == ["cat /work/shared/seeds/x.txt"]
    assert _outside('cd "$(dirname "$0")/.."\n') == []  # the repository's own root


def test_the_sample_report_is_marked_as_fictional():
    head = SAMPLE.read_text(encoding="utf-8").splitlines()[:3]
    assert "FIKTIV" in head[0]
    assert "oppdiktet" in " ".join(head)


def test_the_demo_extract_step_runs_on_the_sample(tmp_path):
    """The very command of `make demo` (its `demo-steps`), with $(BIN) and $(OUT) filled in."""
    (command,) = [c for c in _recipe("demo-steps") if "bioeco extract" in c]
    assert "docs/examples/sample-annual-report.txt" in command
    bin_dir = str(Path(sys.executable).parent)
    args = [
        a.replace("$(BIN)", bin_dir).replace("$(OUT)", str(tmp_path)) for a in shlex.split(command)
    ]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 memberships, 1 new actors" in done.stderr + done.stdout
    (out,) = tmp_path.glob("proposals-*.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    kinds = {(r["kind"], r["subject"] or r["member"] or r["id"]) for r in rows}
    # known actors and initiatives of data/ are recognised ...
    assert {("mention", "nofima"), ("mention", "akvaplan-niva"), ("mention", "biotech-north")} <= (
        kinds
    )
    # ... one membership between known ones, and one organisation that data/ does not know
    memberships = [(r["member"], r["organization"], r["role"]) for r in rows if r["kind"] ==
                   "membership"]  # fmt: skip
    assert memberships == [("akvaplan-niva", "land-moter-hav", "partner")]
    assert [r["label"] for r in rows if r["kind"] == "new-actor"] == ["Eksempeltare AS"]

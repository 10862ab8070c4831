"""Issue 24, the file side: every file bioeco reads or rewrites in a user's folder goes through
one reader (bioeco.core.safeio) and one atomic writer (bioeco.core.atomic) with the same rules.

Real processes, real FIFOs, links, device nodes and SIGKILLs; each test fails on c99d89a."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from hardening_support import BIOECO, ROOT, TINY, snapshot

# a guard against a hang (the old code hung on a FIFO); never a pass condition on speed
HANG_GUARD = 120
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
REPORT = "Alpha Marin AS deltok i Pilot X.\nNordic Seaweed Partners AS deltok i Pilot X.\n"
NEW_SOURCE = ["--title", "T", "--issued", "2024", "--publisher", "alpha"]


def _run(*args: str) -> subprocess.CompletedProcess:
    """A real ``bioeco`` process (where the old code hung, or for a kill)."""
    return subprocess.run([str(BIOECO), *args], capture_output=True, text=True, timeout=HANG_GUARD)


def _cli(*args: str) -> subprocess.CompletedProcess:
    """The command in this process (CliRunner): exact stdout and stderr, faster."""
    result = CliRunner().invoke(main, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "data"))


def _proposals(tmp_path: Path, data: Path, statuses: dict[str, str]) -> Path:
    """A reviewed proposals file for source ``src-new``: *statuses* maps a kind (or
    ``kind:subject``) to the status the analyst gave it."""
    tmp_path.mkdir(exist_ok=True)
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    out = tmp_path / "p.csv"
    done = CliRunner().invoke(
        main,
        ["extract", str(report), "--source-id", "src-new", "--data", str(data), "-o", str(out)],
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    for row in rows:
        for key in (f"{row['kind']}:{row['subject']}", row["kind"]):
            if key in statuses:
                row["status"] = statuses[key]
                break
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


REVIEWED = {
    "mention:alpha": "accepted",
    "mention:pilot-x": "rejected",
    "membership": "accepted",
    "new-actor": "accepted",
}


def _one_line(done: subprocess.CompletedProcess, code: int, line: str) -> None:
    assert (done.returncode, done.stdout, done.stderr) == (code, "", line + "\n"), done.stderr


# --------------------------------------------------------------------------- item 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (os.mkfifo, "is a FIFO (named pipe), not a regular file; refused"),
        (lambda p: os.symlink("/dev/zero", p), "is a link leading outside its folder; refused"),
        (lambda p: os.symlink("/etc/passwd", p), "is a link leading outside its folder; refused"),
    ],
    ids=["fifo", "link-to-dev-zero", "link-to-etc-passwd"],
)
def test_extract_reads_rejected_csv_through_the_safe_reader(tmp_path, data, make, message):
    (data / "src-new").mkdir()
    make(data / "src-new" / "rejected.csv")
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    done = _run("extract", str(report), "--source-id", "src-new", "--data", str(data))
    _one_line(done, 1, f"Error: {data.name}/src-new/rejected.csv: {message}")


def test_accept_never_rewrites_a_rejected_csv_that_links_out(tmp_path, data):
    proposals = _proposals(tmp_path, data, REVIEWED)
    rejected = data / "src-new" / "rejected.csv"
    rejected.parent.mkdir()
    os.symlink("/etc/passwd", rejected)
    before = snapshot(data), proposals.read_bytes()
    done = _cli("accept", str(proposals), "--data", str(data), *NEW_SOURCE)
    _one_line(
        done,
        1,
        f"Error: {data.name}/src-new/rejected.csv: is a link leading outside its folder; refused",
    )
    assert rejected.is_symlink() and os.readlink(rejected) == "/etc/passwd"
    assert (snapshot(data), proposals.read_bytes()) == before  # nothing written


def test_a_link_inside_the_folder_is_read_but_never_replaced(tmp_path, data):
    proposals = _proposals(tmp_path, data, REVIEWED)
    (data / "src-new").mkdir()
    real = data / "src-new" / "kept.txt"
    real.write_text("key,kind,text,locator\n", encoding="utf-8")
    os.symlink("kept.txt", data / "src-new" / "rejected.csv")
    done = _cli("accept", str(proposals), "--data", str(data), *NEW_SOURCE)
    _one_line(
        done,
        5,
        f"Error: cannot write {data}/src-new/rejected.csv: is a symbolic link, not a regular "
        "file; refused",
    )
    assert real.read_text(encoding="utf-8") == "key,kind,text,locator\n"
    assert not (data / "sources.csv").read_text(encoding="utf-8").count("src-new")


# --------------------------------------------------------------------------- item 7


def _export(out: Path) -> subprocess.CompletedProcess:
    return _cli("export", "--to", "jsonld", "--data", str(TINY), "-o", str(out))


@ROOT_ONLY
def test_an_output_at_a_device_is_refused_and_the_device_stays(tmp_path):
    full = tmp_path / "full"  # a real /dev/full node (char 1:7), made here, not the system's
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    done = _export(full)
    _one_line(
        done, 5, f"Error: cannot write {full}: is a character device, not a regular file; refused"
    )
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["full"]  # no temporary file left


def test_an_output_at_a_link_is_refused_and_the_link_stays(tmp_path):
    target = tmp_path / "kept.jsonld"
    target.write_text("mine\n", encoding="utf-8")
    link = tmp_path / "out.jsonld"
    os.symlink(target.name, link)
    done = _export(link)
    _one_line(
        done, 5, f"Error: cannot write {link}: is a symbolic link, not a regular file; refused"
    )
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("command", ["report", "viz", "export"])
def test_no_parent_folders_are_created_for_an_output(tmp_path, command):
    target = tmp_path / "missing" / "dir" / "out.html"
    extra = ["--to", "jsonld"] if command == "export" else []
    done = _cli(command, *extra, "--data", str(TINY), "-o", str(target))
    _one_line(
        done,
        5,
        f"Error: cannot write {target}: folder {target.parent} does not exist; create it first",
    )
    assert not (tmp_path / "missing").exists()


# --------------------------------------------------------------------------- item 11


def test_accept_without_a_passage_column(tmp_path, data):
    proposals = _proposals(tmp_path, data, REVIEWED)
    rows = list(csv.DictReader(io.StringIO(proposals.read_text(encoding="utf-8"))))
    header = [c for c in rows[0] if c != "passage"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    proposals.write_text(buf.getvalue(), encoding="utf-8")
    done = _cli("accept", str(proposals), "--data", str(data), *NEW_SOURCE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Accepted 1 actors, 1 aliases, 1 memberships")


def test_accept_refuses_a_device_and_a_fifo_in_one_line(tmp_path, data):
    _one_line(
        _run("accept", "/dev/zero", "--data", str(data)),
        1,
        "Error: /dev/zero: is a character device, not a regular file; refused",
    )
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    _one_line(
        _run("accept", str(fifo), "--data", str(data)),
        1,
        f"Error: {fifo}: is a FIFO (named pipe), not a regular file; refused",
    )


# --------------------------------------------------------------------------- item 12

# ``bioeco accept`` run in a process that kills itself (SIGKILL, no clean-up runs) at one
# moment of its group write, found by watching the renames it makes: before the journal
# (the commit) is renamed into place, or after the first file was renamed past the commit.
KILL_AT = """
import os, signal, sys
moment = sys.argv[1]
real = os.replace
state = {"committed": False, "renamed": 0}

def replace(src, dst, **kw):
    if str(dst).endswith(".bioeco-accept.journal"):
        if moment == "before-commit":
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst, **kw)
        state["committed"] = True
        return
    if state["committed"]:
        if moment == "after-first-rename" and state["renamed"] == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        state["renamed"] += 1
    real(src, dst, **kw)

os.replace = replace
sys.argv = ["bioeco", *sys.argv[2:]]
from cli import main
main()
"""


def _killed_accept(moment: str, proposals: Path, data: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_AT,
            moment,
            "accept",
            str(proposals),
            "--data",
            str(data),
            *NEW_SOURCE,
        ],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        cwd=ROOT,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def _hidden(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))


def test_accept_killed_after_its_first_rename_is_completed_by_the_next_run(tmp_path, data):
    reference = Path(shutil.copytree(data, tmp_path / "reference"))
    ref_proposals = _proposals(tmp_path / "ref", reference, REVIEWED)
    done = _cli("accept", str(ref_proposals), "--data", str(reference), *NEW_SOURCE)
    assert done.returncode == 0, done.stderr

    proposals = _proposals(tmp_path, data, REVIEWED)
    _killed_accept("after-first-rename", proposals, data)
    assert ".bioeco-accept.journal" in _hidden(data)  # the interrupted state: half switched
    assert snapshot(data) != snapshot(reference)

    done = _cli("validate", "--data", str(data))  # the next run, any reader of data/
    assert done.returncode == 0, done.stderr
    assert _hidden(data) == []  # journal and temporary files gone
    assert snapshot(data) == snapshot(reference)  # every file of the accept, complete
    assert proposals.read_text(encoding="utf-8") == ref_proposals.read_text(encoding="utf-8")
    assert not list(proposals.parent.glob(".p.csv.*"))


def test_accept_killed_before_its_commit_leaves_the_old_files(tmp_path, data):
    proposals = _proposals(tmp_path, data, REVIEWED)
    before = snapshot(data), proposals.read_bytes()
    _killed_accept("before-commit", proposals, data)
    assert _hidden(data)  # the temporary files of the killed run
    done = _cli("accept", str(proposals), "--data", str(data), *NEW_SOURCE)  # the next run
    assert done.returncode == 0, done.stderr
    assert _hidden(data) == [] and not list(proposals.parent.glob(".p.csv.*"))
    assert (snapshot(data), proposals.read_bytes()) != before
    # and had the next run been a reader: the old files, no leftovers
    data2 = Path(shutil.copytree(TINY, tmp_path / "data2"))
    proposals2 = _proposals(tmp_path / "p2", data2, REVIEWED)
    before2 = snapshot(data2)
    _killed_accept("before-commit", proposals2, data2)
    assert _cli("validate", "--data", str(data2)).returncode == 0
    assert snapshot(data2) == before2


def test_a_journal_cannot_move_files_it_did_not_write(tmp_path, data):
    secret = tmp_path / "secret.txt"
    secret.write_text("keep\n", encoding="utf-8")
    (data / ".bioeco-accept.journal").write_text(
        json.dumps({"moves": [[str(data / "sources.csv"), str(secret)]]}), encoding="utf-8"
    )
    done = _cli("validate", "--data", str(data))
    _one_line(
        done,
        5,
        f"Error: {data}/.bioeco-accept.journal: not a journal of an interrupted bioeco write; "
        "remove it",
    )
    assert secret.read_text(encoding="utf-8") == "keep\n"
    assert (data / "sources.csv").read_bytes() == (TINY / "sources.csv").read_bytes()


# --------------------------------------------------------------------------- item 14


def test_rejected_formula_text_is_neutralised_and_read_back(tmp_path, data):
    proposals = _proposals(tmp_path, data, {"new-actor": "rejected"})
    text = proposals.read_text(encoding="utf-8")
    proposals.write_text(
        text.replace("Nordic Seaweed Partners AS,company", "=cmd|'/c calc'!A1,company"),
        encoding="utf-8",
    )
    done = _cli("accept", str(proposals), "--data", str(data))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((data / "src-new" / "rejected.csv").read_text())))
    assert [r["text"] for r in rows] == ["'=cmd|'/c calc'!A1"]
    report = tmp_path / "r.txt"
    done = _cli("extract", str(report), "--source-id", "src-new", "--data", str(data))
    assert done.returncode == 0, done.stderr


def test_formula_text_in_rejected_csv_is_refused_like_in_every_table(tmp_path, data):
    (data / "src-new").mkdir()
    (data / "src-new" / "rejected.csv").write_text(
        "key,kind,text,locator\nnew-actor|x,new-actor,=cmd|'/c calc'!A1,l. 1\n", encoding="utf-8"
    )
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    done = _cli("extract", str(report), "--source-id", "src-new", "--data", str(data))
    _one_line(
        done,
        1,
        f"Error: {data.name}/src-new/rejected.csv, row 2, field text: starts with a spreadsheet "
        "formula character (= + @); remove it",
    )


# --------------------------------------------------------------------------- item 15


def _start_serve(graph: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIOECO), "serve", "--graph", str(graph), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    assert process.stdout is not None
    seen = []
    while True:  # until it says it serves (HANG_GUARD: a guard, never a pass condition)
        ready, _, _ = select.select([process.stdout], [], [], HANG_GUARD)
        assert ready, f"serve said nothing for {HANG_GUARD} s: {seen}"
        line = process.stdout.readline()
        assert line, f"serve ended: {seen}"
        seen.append(line)
        if line.startswith("SPARQL endpoint at"):
            return process


def _copies(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".bioeco-serve-*"))


def test_a_killed_serve_leaves_a_copy_the_next_serve_removes(tmp_path, good_build):
    graph = tmp_path / "g.trig"
    shutil.copyfile(good_build / "bioeco.trig", graph)
    first = _start_serve(graph)
    left = _copies(tmp_path)
    assert len(left) == 1
    os.killpg(first.pid, signal.SIGKILL)  # the serve and, by its lifeline, its engine
    first.wait()
    assert _copies(tmp_path) == left  # SIGKILL runs no clean-up
    second = _start_serve(graph)
    try:
        now = _copies(tmp_path)
        assert len(now) == 1 and now != left  # the stale copy is gone, its own is there
    finally:
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=HANG_GUARD)
    assert _copies(tmp_path) == []


# --------------------------------------------------------------------------- item 16


def _pdf(content: bytes) -> bytes:
    """A one-page PDF whose page draws *content* (a compressed content stream)."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_crafted_pdf_page_is_refused_before_its_layout(tmp_path, data):
    # 20 000 overlapping strings on one page: a 7 KB file that kept pdftotext's layout pass
    # busy for minutes (more with more strings); the raw pass counts them in a second
    line = b"BT /F1 10 Tf 20 700 Td (Nofima Alpha Marin AS deltok i Pilot X og UiT) Tj ET\n"
    pdf = tmp_path / "crafted.pdf"
    pdf.write_bytes(_pdf(line * 20_000))
    done = _run("extract", str(pdf), "--source-id", "src-x", "--data", str(data))
    _one_line(
        done,
        1,
        f"Error: {pdf}: page 1 draws more than 100000 characters of text; the PDF may be "
        "damaged or crafted",
    )


def test_an_ordinary_pdf_still_reads(tmp_path, data):
    pdf = tmp_path / "ok.pdf"
    pdf.write_bytes(_pdf(b"BT /F1 10 Tf 20 700 Td (Alpha Marin AS deltok i Pilot X.) Tj ET\n"))
    done = _cli("extract", str(pdf), "--source-id", "src-x", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert "membership" in done.stdout and "alpha" in done.stdout


# --------------------------------------------------------------------------- item 17

PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
SHADOW = "root:$6$salt$c2VjcmV0aGFzaA:19000:0:99999:7:::\n"


def _same_file(source: str, text: str, target: Path) -> None:
    """*target* as a hard link to the system file *source* when the file system allows, else a
    file with the same shape (the messages are decided by content)."""
    try:
        os.link(source, target)
    except OSError:
        target.write_text(text, encoding="utf-8")


def test_a_table_that_is_not_a_table_is_never_quoted(data, tmp_path):
    actors = data / "src-a" / "actors.csv"
    actors.unlink()
    _same_file("/etc/passwd", PASSWD, actors)
    done = _cli("build", "--data", str(data), "--out", str(tmp_path / "out"))
    _one_line(
        done,
        1,
        f"Error: {data.name}/src-a/actors.csv, row 1: does not read as actors.csv: the header "
        "row names none of its columns (expected: id, label, label_en, type, aliases, orgnr, "
        "part_of, part_of_basis, part_of_citation, basis, citation, source, locator, note)",
    )
    assert "root" not in done.stderr


def test_a_query_file_that_is_not_a_query_is_never_quoted(tmp_path):
    shadow = tmp_path / "q.rq"
    shadow.write_text(SHADOW, encoding="utf-8")
    done = _cli("query", "-f", str(shadow), "--data", str(TINY))
    assert done.returncode == 1
    assert "$6$" not in done.stderr and "root" not in done.stderr
    assert "the text is not a SPARQL query" in done.stderr


def test_a_graph_file_that_is_not_rdf_is_never_quoted(tmp_path):
    graph = tmp_path / "g.trig"
    graph.write_text(PASSWD, encoding="utf-8")
    done = _cli("stats", "--graph", str(graph))
    _one_line(
        done, 2, f"Error: {graph}: cannot parse trig (not a trig file: no statement could be read)"
    )

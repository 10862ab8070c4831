"""Every file bioeco reads or writes in a user's folder goes through one reader
(:mod:`bioeco.core.safeio`) and one writer (:mod:`bioeco.core.atomic`): this test lists every
call that opens, reads, writes, creates or replaces a file anywhere else in the package and in
``cli.py`` with its ``bioeco_commands/``, and fails on any that is not in the short list below,
each with its reason (issue 24 item 2: ``rejected.csv`` was read past the safe reader)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from hardening_support import ROOT

PACKAGE = ROOT / "graph" / "bioeco"
THE_ONE_READER_AND_WRITER = {"core/safeio.py", "core/atomic.py"}

# what opens, reads, writes, creates, moves or removes a file
MODULE_CALLS = {
    "open": {"builtins", "io", "os"},
    **{
        name: {"os"}
        for name in (
            "replace",
            "rename",
            "remove",
            "unlink",
            "symlink",
            "link",
            "mkfifo",
            "mkdir",
            "makedirs",
            "rmdir",
            "truncate",
        )
    },
}
SHUTIL_TEMPFILE = {"shutil", "tempfile"}  # every call of these modules
METHODS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "mkdir",
    "touch",
    "unlink",
    "rmdir",
    "symlink_to",
    "hardlink_to",
    "chmod",
}
ONE_ARGUMENT_METHODS = {"replace", "rename"}  # Path.replace(target); str.replace takes two
PATH_KEYWORDS = {"path", "output", "destination"}  # pyoxigraph load/dump, rdflib serialize

# (file, call as written) -> (how many, why it is not a user file read or rewritten past the
# one reader and writer)
ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("store/catalog.py", "path.read_text"): (1, "the example queries the package ships"),
    ("viz/workbook.py", "path.read_text"): (1, "the project's own docs/glossary.md"),
    ("viz/viewer_page.py", "resources.files(package).joinpath(name).read_text"): (
        1,
        "the viewer's own HTML/CSS/JS assets, shipped in the package",
    ),
    ("viz/report_data.py", "nodes.groupby(['kind', 'type']).size().rename"): (1, "pandas, no file"),
    ("store/dataset.py", "dataset.open"): (1, "opens the Oxigraph store bioeco built in out/"),
    ("store/dataset.py", "native.load"): (1, "parses a --graph file after check_regular"),
    ("store/dataset.py", "ox.parse"): (1, "re-reads a --graph file that failed to parse"),
    ("serve/remote.py", "store.load"): (1, "parses a --graph file after rdf_format's check"),
    ("serve/endpoint.py", "store.bulk_load"): (1, "parses a --graph file after rdf_format"),
    ("serve/endpoint.py", "tempfile.TemporaryFile"): (1, "the engine's log, private, unnamed"),
    ("serve/answers.py", "tempfile.SpooledTemporaryFile"): (
        1,
        "the guard's spool of an answer: private, unnamed",
    ),
    ("serve/guard.py", "shutil.copyfileobj"): (1, "copies a spooled answer to the socket"),
    ("analyses/_change_fixture.py", "tempfile.TemporaryDirectory"): (
        1,
        "a private folder to build the example graph from",
    ),
    ("viz/pdf.py", "tempfile.TemporaryDirectory"): (
        1,
        "a private folder (system temp) for the browser's profile and printed file",
    ),
    # the persistent Oxigraph store: a folder RocksDB writes, switched with one rename of a
    # link like atomic_write_set; out.mkdir creates the --out folder the user named
    ("store/disk.py", "out.mkdir"): (1, "the --out folder the user named"),
    ("store/disk.py", "tempfile.mkdtemp"): (
        1,
        "a new store folder (switched by atomic.switch_link)",
    ),
    ("store/disk.py", "os.chmod"): (1, "usual permissions of the new store folder"),
    ("store/disk.py", "shutil.rmtree"): (1, "old store folders no link points to"),
    ("pipeline/build_step.py", "shutil.rmtree"): (2, "the new store folder of a build that failed"),
}
HARMLESS = {"which", "get_terminal_size", "gettempdir"}  # shutil/tempfile, touch no file


def _call_name(func: ast.expr) -> tuple[str, str]:
    """(module or "" for a method / builtin, name) of a call."""
    if isinstance(func, ast.Name):
        return "builtins", func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return owner, func.attr
    return "", ""


def _is_file_call(node: ast.Call) -> bool:
    owner, name = _call_name(node.func)
    if owner in SHUTIL_TEMPFILE:
        return name not in HARMLESS
    if owner in MODULE_CALLS.get(name, set()):
        return True
    if owner == "builtins" or not isinstance(node.func, ast.Attribute):
        return False
    if name in METHODS:
        return True
    if name in ONE_ARGUMENT_METHODS and len(node.args) == 1 and not node.keywords:
        return True
    return any(k.arg in PATH_KEYWORDS for k in node.keywords)


def _calls(path: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _is_file_call(node):
            found[ast.unparse(node.func)] += 1
    return found


def _all_calls() -> dict[tuple[str, str], int]:
    calls: dict[tuple[str, str], int] = {}
    commands = sorted((ROOT / "bioeco_commands").glob("*.py"))
    files = [*sorted(PACKAGE.rglob("*.py")), ROOT / "cli.py", *commands]
    for path in files:
        rel = (
            path.relative_to(PACKAGE).as_posix()
            if PACKAGE in path.parents
            else path.relative_to(ROOT).as_posix()
        )
        if rel in THE_ONE_READER_AND_WRITER:
            continue
        for call, n in _calls(path).items():
            calls[(rel, call)] = n
    return calls


def test_every_file_access_goes_through_the_one_reader_and_writer():
    calls = _all_calls()
    unlisted = sorted(
        f"{rel}: {call}(…) ×{n}"
        for (rel, call), n in calls.items()
        if ALLOWED.get((rel, call), (0, ""))[0] != n
    )
    assert not unlisted, (
        "file access outside bioeco.core.safeio and bioeco.core.atomic (use them, or add the "
        "call to ALLOWED with its reason):\n" + "\n".join(unlisted)
    )
    gone = sorted(f"{rel}: {call}" for rel, call in ALLOWED if (rel, call) not in calls)
    assert not gone, "ALLOWED lists calls that no longer exist:\n" + "\n".join(gone)


def test_the_scan_sees_a_new_file_access(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, shutil\n"
        "from pathlib import Path\n"
        "Path('x').read_text()\n"
        "open('y')\n"
        "os.replace('a', 'b')\n"
        "Path('c').replace(Path('d'))\n"
        "shutil.copyfile('e', 'f')\n"
        "'text'.replace('a', 'b')\n"  # str.replace: not a file
        "shutil.which('pdftotext')\n",  # no file touched
        encoding="utf-8",
    )
    assert dict(_calls(sample)) == {
        "Path('x').read_text": 1,
        "open": 1,
        "os.replace": 1,
        "Path('c').replace": 1,
        "shutil.copyfile": 1,
    }

"""bioeco extract / accept on short texts written for the tests: each matching rule, roles,
new actors, PDFs with pages, hostile input, the review loop and its validation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bioeco.errors import DataError
from bioeco.extract import extract_report
from bioeco.extract.accept import accept_proposals
from bioeco.extract.document import MAX_TEXT_BYTES, document_from_text, read_document
from bioeco.extract.matching import Entity, Gazetteer, _fold_char, fold
from bioeco.extract.propose import propose
from bioeco.ingest.load import Actor, Initiative, Person, Records, load_records
from cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _gaz(*entities: tuple[str, str, str, str], aliases=None, publisher=None) -> Gazetteer:
    ents = [Entity(i, kind, label, typ, "s") for i, kind, label, typ in entities]
    names = {k: [("alias", a) for a in v] for k, v in (aliases or {}).items()}
    pub = next((e for e in ents if e.id == publisher), None)
    return Gazetteer(ents, names, publisher=pub)


def _found(gaz: Gazetteer, text: str) -> list[tuple[str, str, str]]:
    return [(m.entity.id, m.surface, m.ending) for m in gaz.find(text)]


NOFIMA = ("nofima", "actor", "Nofima", "research-institute")
UIT = ("uit", "actor", "UiT Norges arktiske universitet", "university")
FORSK = ("forskningsradet", "actor", "Norges forskningsråd", "funding-agency")


# --------------------------------------------------------------------------- matching rules


def test_fold_case_diacritics_and_wrapped_lines():
    assert fold("TROMSØ  Kommune\n\t Ærlig")[0] == "tromso kommune aerlig"
    assert fold("Genøk – «Café»")[0] == 'genok - "cafe"'


def _fold_reference(text: str) -> tuple[str, list[int]]:
    """fold() written the slow, obvious way: character by character."""
    import re

    skip: set[int] = set()
    for m in re.finditer(r"(?<=\w)-[ \t]*\n\s*(?=[a-zæøå])", text):
        skip.update(range(m.start(), m.end()))
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if i in skip:
            continue
        if ch.isspace():
            if not space and out:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        f = _fold_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    folded = "".join(out)
    if folded.endswith(" "):
        folded, where = folded[:-1], where[:-1]
    return folded, where


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB -\n\t\u00a0ÆøåéßİΣ’«»–xy.", max_size=30))
def test_fold_equals_the_character_by_character_reference(text):
    assert fold(text) == _fold_reference(text)


def test_case_and_diacritic_insensitive_match():
    g = _gaz(("genok", "actor", "Genøk", "research-institute"))
    assert _found(g, "Fra GENOK og genøk.") == [("genok", "GENOK", ""), ("genok", "genøk", "")]


def test_lowercase_match_of_a_capitalised_name_has_lower_confidence():
    g = _gaz(NOFIMA)
    upper, lower = g.find("Nofima og nofima")
    assert upper.confidence > lower.confidence


def test_word_boundaries():
    g = _gaz(NOFIMA, ("nk", "initiative", "NK", "cluster"))
    assert _found(g, "Nofimaforskere, NKX og xNofima") == []
    assert _found(g, "NK-medlem (Nofima)") == [("nk", "NK", ""), ("nofima", "Nofima", "")]


def test_genitive_s_and_apostrophe():
    g = _gaz(NOFIMA, UIT)
    assert _found(g, "Nofimas lab og UiT Norges arktiske universitets campus") == [
        ("nofima", "Nofima", "s"),
        ("uit", "UiT Norges arktiske universitet", "s"),
    ]
    assert _found(g, "Nofima's lab") == [("nofima", "Nofima", "")]


def test_definite_forms_of_a_common_noun_at_the_end_of_a_name():
    g = _gaz(FORSK, ("tk", "actor", "Tromsø kommune", "municipality"))
    assert _found(g, "Norges forskningsråds program; Tromsø kommunen") == [
        ("forskningsradet", "Norges forskningsråd", "s"),
        ("tk", "Tromsø kommune", "n"),
    ]
    # a proper name does not take definite endings
    assert _found(_gaz(NOFIMA), "Nofimaen") == []


def test_acronym_from_the_first_word_unless_shared():
    g = _gaz(UIT)
    assert [(m.entity.id, m.rule) for m in g.find("ved UiT og UiTs bibliotek")] == [
        ("uit", "acronym"),
        ("uit", "acronym"),
    ]
    shared = _gaz(
        ("nce-a", "initiative", "NCE Aquaculture", "cluster"),
        ("nce-b", "initiative", "NCE Seafood", "cluster"),
    )
    assert _found(shared, "NCE og NCE Seafood") == [("nce-b", "NCE Seafood", "")]


def test_longest_match_wins():
    g = _gaz(UIT, aliases={"uit": ["UiT"]})
    assert [(m.surface, m.rule) for m in g.find("UiT Norges arktiske universitet")] == [
        ("UiT Norges arktiske universitet", "label")
    ]


def test_company_name_without_legal_form_and_line_wrap():
    g = _gaz(("pubgene", "actor", "Pubgene AS", "company"))
    assert _found(g, "Pubgene og\n   Pubgene AS") == [
        ("pubgene", "Pubgene", ""),
        ("pubgene", "Pubgene AS", ""),
    ]
    g = _gaz(("nfr", "actor", "Næringsforeningen i Tromsøregionen", "interest-organisation"))
    (m,) = g.find("x\nNæringsforeningen i \t\n\t Tromsøregionen")
    assert (m.first_line, m.last_line, m.surface) == (
        2,
        3,
        "Næringsforeningen i Tromsøregionen",
    )


def test_actor_inside_an_initiative_name_and_a_slash_pair():
    g = _gaz(
        ("storting", "actor", "Stortinget", "public-agency"),
        ("apk", "initiative", "Stortingets arktiske konferanse", "event"),
        ("marbank", "actor", "Marbank", "research-infrastructure"),
        ("hi", "actor", "HI", "research-institute"),
    )
    g2 = _gaz(
        ("marbank", "actor", "Marbank", "x"),
        ("hi", "actor", "HI", "x"),
        aliases={"marbank": ["Marbank/HI"]},
    )
    assert [m.entity.id for m in g.find("Stortingets arktiske konferanse")] == [
        "apk",
        "storting",
    ]
    assert [m.entity.id for m in g2.find("Marbank/HI")] == ["marbank", "hi"]


def test_generic_noun_means_the_publisher_only_when_it_is_given():
    cluster = ("nk", "initiative", "Nordklyngen", "cluster")
    assert _found(_gaz(cluster, publisher="nk"), "Klyngens medlemmer") == [("nk", "Klyngen", "s")]
    assert _found(_gaz(cluster), "Klyngens medlemmer") == []


# --------------------------------------------------------------------------- proposals


def _records() -> Records:
    return Records(
        actors=[
            Actor("nofima", "Nofima", "research-institute", "old", "l. 1"),
            Actor("alpha", "Alpha Marin AS", "company", "old", "l. 1"),
            Actor("tk", "Tromsø kommune", "municipality", "old", "l. 1"),
        ],
        initiatives=[
            Initiative("nk", "Nordklyngen", "cluster", "old", "l. 1"),
            Initiative("webimar", "WebiMar", "event-series", "old", "l. 1"),
            Initiative("pilot", "Pilot X", "project", "old", "l. 1"),
            Initiative("plan", "Havplanen", "strategy", "old", "l. 1"),
        ],
        people=[Person("ola", "Ola Nordmann", "old", "l. 1")],
    )


def _props(text: str, **kw):
    return propose(document_from_text(text, "r.txt"), _records(), "new", **kw)


def _members(props):
    return [(p.member, p.organization, p.role) for p in props if p.kind == "membership"]


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("WebiMar ble finansiert av Nofima.", "funder"),
        ("Nofima var partner i WebiMar.", "partner"),
        ("Nofima deltok i WebiMar.", "participant"),
        ("Nofima er nytt medlem i Nordklyngen.", "member"),
        ("Nofima ledet Pilot X som prosjektleder.", "project-leader"),
        ("WebiMar ledes av Nofima.", "lead"),
        ("WebiMar ble arrangert i samarbeid med Nofima.", "co-organiser"),
        ("Nofima og Pilot X.", "host"),
        ("Tromsø kommune og Nordklyngen.", "participant"),
        ("WebiMar ble arrangert av Nofima.", "organiser"),
    ],
)
def test_role_from_cue_words(sentence, role):
    assert _members(_props(sentence))[0][2] == role


def test_co_mention_needs_one_sentence_and_a_cue_raises_confidence():
    assert _members(_props("Nofima er her.\n\nWebiMar er der.")) == []
    (cued,) = [p for p in _props("Nofima var partner i WebiMar.") if p.kind == "membership"]
    (plain,) = [p for p in _props("Nofima og WebiMar.") if p.kind == "membership"]
    assert plain.role == "participant" and "no cue word" in plain.rule
    assert cued.confidence > plain.confidence
    assert cued.locator == "l. 1" and cued.passage == "Nofima var partner i WebiMar."


def test_list_under_headings_next_to_a_sentence_about_the_publisher():
    text = (
        "Nofima\nAlpha Marin AS\nAlpha Marin\nPartnere:\nTromsø kommune\n\nKlyngen har 3 medlemmer."
    )
    got = _members(_props(text, publisher="nk"))
    assert ("nofima", "nk", "member") in got
    assert ("alpha", "nk", "member") in got
    assert ("tk", "nk", "partner") in got


def test_role_from_types_when_no_cue():
    assert _members(_props("Tromsø kommune og Havplanen."))[0][2] == "organiser"


def test_initiative_in_a_section_heading_and_we_as_the_publisher():
    text = "Tidligere\n\nPilot X\n\nNofima var med fra start. Alpha Marin AS kom senere.\n"
    got = {m[:2] for m in _members(_props(text))}
    assert got == {("nofima", "pilot"), ("alpha", "pilot")}
    props = _props("Vi arrangerte WebiMar i mai.", publisher="nk")
    assert _members(props) == [("nk", "webimar", "organiser")]
    assert _members(_props("Vi arrangerte WebiMar i mai.")) == []


def test_cluster_takes_part_in_an_event_but_not_the_other_way_round():
    got = _members(_props("Nordklyngen arrangerte WebiMar."))
    assert got == [("nk", "webimar", "organiser")]


def test_new_actor_candidates_with_types_and_near_matches():
    props = _props(
        "Vi møtte Menon Economics AS og Universitetet i Nord, samt Alpha Marine AS og "
        "Blue Ocean Partners i Bodø."
    )
    new = {p.label: p for p in props if p.kind == "new-actor"}
    assert new["Menon Economics AS"].type == "company"
    assert new["Menon Economics AS"].id == "menon-economics-as"
    assert new["Universitetet i Nord"].type == "university"
    assert new["Blue Ocean Partners"].rule == "capitalised-run"
    assert new["Alpha Marine AS"].suggestions.startswith("alpha (")
    # known names and sentence-initial function words are not candidates
    assert "Vi" not in " ".join(new)
    assert not any("Nofima" in k for k in new)


def test_new_actors_from_lists_and_acronyms_but_not_people_or_headings():
    text = (
        "Medlemmer:\nNofima\nKappa Fisk\nMarbank/HI\nLyfstone\nOla Nordmann\n\n"
        "STATUS OG PLAN FOR PERIODEN\n\nSamarbeid med NIFU om IPR i 2021.\n"
    )
    new = {p.label: p.rule for p in _props(text) if p.kind == "new-actor"}
    assert new == {
        "Kappa Fisk": "list-item",
        "Marbank": "list-item",
        "HI": "list-item",
        "Lyfstone": "list-item",
        "NIFU": "acronym",
    }


def test_mentions_group_by_spelling_with_every_line():
    props = _props("Nofima\nx\nNofimas\nNOFIMA")
    mentions = [(p.subject, p.alias, p.locator) for p in props if p.kind == "mention"]
    assert mentions == [("nofima", "Nofima", "l. 1, 3"), ("nofima", "NOFIMA", "l. 4")]


def test_rejected_keys_are_not_proposed_again():
    text = "Nofima var partner i WebiMar. Vi møtte Menon Economics AS."
    before = {p.key for p in _props(text)}
    assert "membership|nofima|webimar|partner" in before
    assert "new-actor|menon economics as" in before
    after = {p.key for p in _props(text, rejected=before)}
    assert after == set()


def test_output_is_deterministic(tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Nordklyngen og Alpha Marin AS. Beta Forskning deltok.\n", "utf-8")
    one = extract_report(report, "src-x", data_dir=tiny_dir).csv
    two = extract_report(report, "src-x", data_dir=tiny_dir).csv
    assert one == two and one.count("\n") > 3


# --------------------------------------------------------------------------- documents, PDFs


def _pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per entry, one page per list."""
    objs: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objs.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objs) + 2} "
            "0 R /Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_with_several_pages_gives_page_and_line(tiny_dir, tmp_path):
    report = tmp_path / "rapport.pdf"
    report.write_bytes(
        _pdf(
            [["Innledning", "Om klyngen"], ["Alpha Marin AS deltok i Pilot X."], ["Tromsø kommune"]]
        )
    )
    doc = read_document(report)
    assert doc.paged and max(doc.pages) == 3
    props = extract_report(report, "src-x", data_dir=tiny_dir).proposals
    by_subject = {p.subject: p.locator for p in props if p.kind == "mention"}
    line = doc.lines.index("Alpha Marin AS deltok i Pilot X.") + 1
    assert by_subject["alpha"] == f"p. 2; l. {line}"
    assert by_subject["tromso-kommune"].startswith("p. 3; l. ")
    (m,) = [p for p in props if p.kind == "membership"]
    assert (m.member, m.organization, m.role) == ("alpha", "pilot-x", "participant")


def test_text_with_form_feeds_has_pages():
    doc = document_from_text("a\nb\fc\n\fd", "r.txt")
    assert doc.pages == (1, 1, 2, 3) and doc.locator(3) == "p. 2; l. 3"


# --------------------------------------------------------------------------- hostile input


def _one_line_error(runner, tiny_dir, report: Path, expected: str) -> None:
    result = runner.invoke(
        main, ["extract", str(report), "--source-id", "src-x", "--data", str(tiny_dir)]
    )
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: {report}: {expected}\n"


def test_huge_file(runner, tiny_dir, tmp_path):
    report = tmp_path / "huge.txt"
    with report.open("wb") as fh:
        fh.truncate(MAX_TEXT_BYTES + 1)  # sparse: no disk used
    _one_line_error(
        runner, tiny_dir, report, f"file is larger than {MAX_TEXT_BYTES} bytes; refused"
    )


def test_binary_file(runner, tiny_dir, tmp_path):
    report = tmp_path / "bin.txt"
    report.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    _one_line_error(runner, tiny_dir, report, "is a binary or UTF-16 file, not UTF-8 text")


def test_control_characters(runner, tiny_dir, tmp_path):
    report = tmp_path / "ctl.md"
    report.write_text("# Rapport\nNofima \x1b[31mrød\x1b[0m\n", "utf-8")
    _one_line_error(
        runner,
        tiny_dir,
        report,
        "line 2: contains a control character (U+001B); a report must be plain text",
    )


def test_latin1_file(runner, tiny_dir, tmp_path):
    report = tmp_path / "latin.txt"
    report.write_bytes("Tromsø\nÅr".encode("latin-1"))
    _one_line_error(
        runner, tiny_dir, report, "line 1: not valid UTF-8 (byte 0xf8); save it as UTF-8 text"
    )


def test_fake_and_broken_pdfs(runner, tiny_dir, tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_text("just text", "utf-8")
    _one_line_error(runner, tiny_dir, fake, "is not a PDF file (no %PDF- header)")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    result = runner.invoke(
        main, ["extract", str(broken), "--source-id", "src-x", "--data", str(tiny_dir)]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {broken}: ")
    assert result.output.count("\n") == 1


def test_unsupported_suffix_missing_file_and_bad_source_id(runner, tiny_dir, tmp_path):
    doc = tmp_path / "r.docx"
    doc.write_bytes(b"PK")
    _one_line_error(runner, tiny_dir, doc, "unsupported file type '.docx' (use .txt, .md or .pdf)")
    _one_line_error(runner, tiny_dir, tmp_path / "none.txt", "file not found")
    ok = tmp_path / "ok.txt"
    ok.write_text("Nofima\n", "utf-8")
    result = runner.invoke(
        main, ["extract", str(ok), "--source-id", "Bad Id", "--data", str(tiny_dir)]
    )
    assert result.exit_code == 2
    assert result.output == (
        "Error: 'Bad Id' is not a valid source id (lowercase a-z, 0-9 and single hyphens)\n"
    )


def test_read_document_refuses_empty_text(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text(" \n\n", "utf-8")
    with pytest.raises(DataError, match="file is empty"):
        read_document(p)


# --------------------------------------------------------------------------- the review loop


def _mark(path: Path, decide) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    for r in rows:
        r["status"] = decide(r) or r["status"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")


REPORT = (
    "Nordklyngen i 2023\n\n"
    "Alpha Marin AS var partner i Pilot X.\n"
    "Beta Forskning deltok i Enzymdagen 2021.\n"
    "Vi møtte også Menon Economics AS og Kappa Fisk AS.\n"
)


def _data_state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def test_review_loop_extract_accept_reject_and_again(runner, tiny_dir, tmp_path):
    report = tmp_path / "rapport-2023.txt"
    report.write_text(REPORT, "utf-8")
    props = tmp_path / "p.csv"
    r = runner.invoke(
        main,
        [
            "extract",
            str(report),
            "--source-id",
            "nk-2023",
            "--data",
            str(tiny_dir),
            "-o",
            str(props),
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output.endswith(f"wrote {props}\n")

    def decide(row):
        if row["kind"] == "mention" and row["subject"] == "alpha":
            return "accepted"
        if row["kind"] == "membership" and row["organization"] == "pilot-x":
            return "accepted"
        if row["kind"] == "new-actor" and row["label"] == "Menon Economics AS":
            return "accepted"
        if row["kind"] == "new-actor" and row["label"] == "Kappa Fisk AS":
            return "rejected"
        return None

    _mark(props, decide)
    before = _data_state(tiny_dir)
    r = runner.invoke(main, ["accept", str(props), "--data", str(tiny_dir)])
    assert r.exit_code == 2
    assert r.output == (
        "Error: source 'nk-2023' is not in sources.csv yet: give --title, --issued, "
        "--publisher to create it\n"
    )
    assert _data_state(tiny_dir) == before
    r = runner.invoke(
        main,
        [
            "accept",
            str(props),
            "--data",
            str(tiny_dir),
            "--title",
            "Nordklyngen 2023",
            "--issued",
            "2024",
            "--publisher",
            "north-cluster",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Accepted 1 actors, 1 aliases, 1 memberships into data/nk-2023/ (new source row in "
        "sources.csv); remembered 1 rejected proposals.\n"
    )
    records = load_records(tiny_dir)
    assert ("nk-2023", "rapport-2023.txt") in {(s.id, s.file) for s in records.sources}
    assert any(a.id == "menon-economics-as" and a.type == "company" for a in records.actors)
    assert any(
        (m.member, m.organization, m.role, m.source) == ("alpha", "pilot-x", "partner", "nk-2023")
        for m in records.memberships
    )
    assert (tiny_dir / "nk-2023" / "rejected.csv").read_text("utf-8") == (
        "key,kind,text,locator\nnew-actor|kappa fisk as,new-actor,Kappa Fisk AS,l. 5\n"
    )
    # accepting the same file again adds nothing (accepted rows are now 'recorded')
    after = _data_state(tiny_dir)
    r = runner.invoke(main, ["accept", str(props), "--data", str(tiny_dir)])
    assert r.exit_code == 0 and _data_state(tiny_dir) == after
    # a new extraction knows what is recorded and leaves out what was rejected
    again = extract_report(report, "nk-2023", data_dir=tiny_dir).proposals
    status = {(p.kind, p.subject or p.member or p.label, p.organization): p.status for p in again}
    assert status[("mention", "alpha", "")] == "recorded"
    assert status[("membership", "alpha", "pilot-x")] == "recorded"
    assert status[("mention", "menon-economics-as", "")] == "recorded"
    assert not any("Kappa" in p.label for p in again)
    # a rejected new-actor name is not proposed for another source either; the rest is
    other = extract_report(report, "other-report", data_dir=tiny_dir).proposals
    assert not any("Kappa" in p.label for p in other)
    assert any(p.kind == "membership" and p.status == "proposed" for p in other)


def test_accept_validates_like_hand_written_rows_and_writes_nothing(tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(REPORT, "utf-8")
    props = tmp_path / "p.csv"
    extract_report(report, "src-a", data_dir=tiny_dir, out=props)
    text = props.read_text("utf-8").replace("proposed,membership", "accepted,membership", 1)
    rows = list(csv.reader(io.StringIO(text)))
    role = rows[0].index("role")
    bad_row = next(i for i, r in enumerate(rows) if r[0] == "accepted")
    rows[bad_row][role] = "boss"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    props.write_text(buf.getvalue(), "utf-8")
    before = _data_state(tiny_dir)
    with pytest.raises(DataError) as err:
        accept_proposals(props, data_dir=tiny_dir)
    message = str(err.value)
    assert message.startswith(f"{props}, row {bad_row + 1}, field role: unknown role code 'boss'")
    assert "(as row " in message and "data/src-a/memberships.csv)" in message
    assert _data_state(tiny_dir) == before


def test_accept_new_actor_needs_a_type_or_becomes_an_alias(tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Vi møtte Blue Ocean Partners i Bodø.\n", "utf-8")
    props = tmp_path / "p.csv"
    extract_report(report, "src-a", data_dir=tiny_dir, out=props)
    _mark(props, lambda r: "accepted" if r["kind"] == "new-actor" else None)
    with pytest.raises(DataError, match=r"row 2, field type: is empty but required"):
        accept_proposals(props, data_dir=tiny_dir)
    text = props.read_text("utf-8").replace(",blue-ocean-partners,", ",blue-ocean-partners,", 1)
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["subject"] = "alpha"  # the analyst says: it is Alpha under another name
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    props.write_text(buf.getvalue(), "utf-8")
    result = accept_proposals(props, data_dir=tiny_dir)
    assert result.written == {"aliases": 1}
    assert any(a.alias == "Blue Ocean Partners" for a in load_records(tiny_dir).aliases)


def test_accept_refuses_an_unknown_status(tiny_dir, tmp_path):
    props = tmp_path / "p.csv"
    report = tmp_path / "r.txt"
    report.write_text("Alpha Marin AS.\n", "utf-8")
    extract_report(report, "src-a", data_dir=tiny_dir, out=props)
    props.write_text(props.read_text("utf-8").replace("recorded,", "ok,", 1), "utf-8")
    with pytest.raises(DataError, match=r"p.csv, row 2, field status: unknown status 'ok'"):
        accept_proposals(props, data_dir=tiny_dir)


def test_extract_prints_csv_without_out_and_checks_the_publisher(runner, tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Klyngen og Alpha Marin AS deltok i Pilot X.\n", "utf-8")
    args = ["extract", str(report), "--source-id", "src-x", "--data", str(tiny_dir)]
    result = runner.invoke(main, [*args, "--publisher", "north-cluster"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {(r["kind"], r["member"], r["organization"]) for r in rows} >= {
        ("membership", "alpha", "pilot-x"),
        ("membership", "north-cluster", "pilot-x"),
    }
    result = runner.invoke(main, [*args, "--publisher", "nobody"])
    assert result.exit_code == 2
    assert result.output == "Error: unknown publisher 'nobody' (an actor or initiative id)\n"


def test_accept_reads_a_spreadsheet_saved_file_with_bom_and_crlf(tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Alpha Marin AS deltok i Pilot X.\n", "utf-8")
    props = tmp_path / "p.csv"
    extract_report(report, "src-a", data_dir=tiny_dir, out=props)
    text = props.read_text("utf-8").replace("proposed,", "accepted,")
    props.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert accept_proposals(props, data_dir=tiny_dir).written == {"memberships": 1}
    semicolons = tmp_path / "s.csv"
    semicolons.write_text(text.replace(",", ";"), "utf-8")
    with pytest.raises(DataError, match=r"s.csv, row 1, field status: not a proposals file"):
        accept_proposals(semicolons, data_dir=tiny_dir)


def test_huge_pdf_is_refused_before_reading(runner, tiny_dir, tmp_path):
    from bioeco.extract.document import MAX_PDF_BYTES

    report = tmp_path / "huge.pdf"
    with report.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(MAX_PDF_BYTES + 1)
    _one_line_error(
        runner, tiny_dir, report, f"PDF is {MAX_PDF_BYTES + 1} bytes (max {MAX_PDF_BYTES})"
    )


def test_accept_with_nothing_decided_writes_nothing(runner, tiny_dir, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Alpha Marin AS deltok i Pilot X.\n", "utf-8")
    props = tmp_path / "p.csv"
    extract_report(report, "src-a", data_dir=tiny_dir, out=props)
    before = _data_state(tiny_dir)
    result = runner.invoke(main, ["accept", str(props), "--data", str(tiny_dir)])
    assert result.exit_code == 0
    assert result.output == "Nothing to accept: no row has status accepted or rejected.\n"
    assert _data_state(tiny_dir) == before

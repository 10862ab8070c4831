"""The viewer page without a browser: what it holds, its options, escaping and determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from bioeco.analyses._fixture import example_graph
from bioeco.analyses.project import actor_projection, bipartite_graph, entity_id, load_network
from bioeco.analyses.run import run_analyses
from bioeco.errors import OutputError, UsageError
from bioeco.ingest.build import build_dataset
from bioeco.viz.viewer import ViewerPage, show_viewer, viewer_data, viewer_html, write_viewer
from cli import main
from tests.viz.conftest import HOSTILE_IMG, HOSTILE_SCRIPT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example():
    return example_graph()


def _ids(data) -> set[str]:
    return {n["id"] for n in data["nodes"]}


def _embedded(page: str) -> dict:
    start = page.index('<script type="application/json" id="bioeco-data">') + 49
    return json.loads(page[start : page.index("</script>", start)])


class _Resources(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.fetches.append(f"{tag} {name}={value}")


def test_bipartite_and_actor_views_draw_every_node_of_their_graph(example):
    bip = viewer_data(example)
    assert _ids(bip) == {entity_id(n) for n in bipartite_graph(example)}
    assert bip["stats"] == {"nodes": 10, "edges": 12, "total": 10, "totalEdges": 12}
    actors = viewer_data(example, view="actors")
    assert _ids(actors) == {entity_id(n) for n in actor_projection(example)}
    assert all(e.get("from") and e.get("to") for e in actors["edges"])


def test_page_is_self_contained_and_fetches_nothing(example):
    page = viewer_html(example)
    parser = _Resources()
    parser.feed(page)
    assert parser.fetches == []
    assert "vis.Network" in page and "vis-network" in page  # vis-network inlined
    assert "default-src 'none'" in page  # and the browser is told to load nothing else
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)


def test_same_input_gives_the_same_bytes(example):
    assert viewer_html(example, highlight=["bridges"]) == viewer_html(
        example, highlight=["bridges"]
    )


def test_same_bytes_across_processes_and_hash_seeds(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"viewer-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "cli", "viz", "--data", str(ROOT / "tests/fixtures/tiny")]
        done = subprocess.run(
            [*cmd, "-o", str(target), "--highlight", "bridges"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_hostile_names_are_escaped_in_the_page(hostile_dataset):
    page = viewer_html(hostile_dataset)
    assert HOSTILE_IMG not in page
    assert HOSTILE_SCRIPT not in page
    assert page.count("</script>") == 3  # data, vis-network, viewer script: nothing else closes
    parser = _Resources()
    parser.feed(page)
    assert "img" not in parser.tags
    labels = {n["label"] for n in _embedded(page)["nodes"]}
    assert {HOSTILE_IMG, HOSTILE_SCRIPT} <= labels  # the names themselves are kept as text


def test_tooltips_name_type_classification_and_the_source_of_each_fact(tiny_dataset):
    nodes = {n["id"]: n for n in viewer_data(tiny_dataset)["nodes"]}
    alpha = nodes["actor/alpha"]["title"].splitlines()
    assert alpha[0] == "Alpha Marin AS"
    assert alpha[1] == "Company (actor)"
    assert "Sectors: Marine industries" in alpha
    assert "  named in src-a, Medlemmer; l. 15" in alpha
    assert "  sector Marine industries (inferred): src-a, Medlemmer; l. 15" in alpha
    assert "Also called: Alpha; Alpha Marine" in alpha
    edges = viewer_data(tiny_dataset)["edges"]
    alpha_edge = next(
        e for e in edges if {e["from"], e["to"]} == {"actor/alpha", "initiative/north-cluster"}
    )
    assert alpha_edge["title"].splitlines() == [
        "Alpha Marin AS — Member — North Cluster",
        "Sources:",
        "  Member: src-a, Medlemmer; l. 15",
    ]


def test_no_python_reprs_reach_the_page(real_dataset):
    data = viewer_data(real_dataset, highlight=["bridges", "overlap", "gaps"])
    text = json.dumps(data, ensure_ascii=False)
    for repr_ in ("nan", "None", "NaN", "('", "',)"):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(repr_)}(?![A-Za-z])", text), repr_


def test_focus_keeps_the_ego_network(example):
    data = viewer_data(example, focus="initiative/north", depth=1)
    g = bipartite_graph(example)
    north = "https://w3id.org/bioeco/id/initiative/north"
    assert _ids(data) == {entity_id(n) for n in [north, *g.neighbors(north)]}
    alone = viewer_data(example, focus="north", depth=0)
    assert alone["stats"]["nodes"] == 1
    assert alone["legend"]["counts"]["total"].startswith("1 node drawn = 0 actors + 1 initiative")
    with pytest.raises(UsageError, match="unknown focus 'nowhere'"):
        viewer_data(example, focus="nowhere")


def test_sector_keeps_its_nodes_and_their_partners(example):
    g = bipartite_graph(example)
    inside = {n for n, d in g.nodes(data=True) if "agri-food" in d["sectors"]}
    expected = inside | {m for n in inside for m in g.neighbors(n)}
    assert _ids(viewer_data(example, sector="agri-food")) == {entity_id(n) for n in expected}
    # in the actor view only the sector's own nodes
    actors = viewer_data(example, view="actors", sector="agri-food")
    assert _ids(actors) == {entity_id(n) for n in inside if n in actor_projection(example)}


def test_health_includes_narrower_sectors(real_dataset):
    data = viewer_data(real_dataset, view="actors", sector="health")
    assert any(
        "pharma" in n["title"].lower() or "Pharmaceuticals" in n["title"] for n in data["nodes"]
    )
    assert all("health" in n["tops"] for n in data["nodes"])


def test_type_and_region_use_the_network_filters(example):
    clusters = viewer_data(example, type="cluster")
    assert {n["typeCode"] for n in clusters["nodes"] if n["kind"] == "initiative"} == {"cluster"}
    net = load_network(example).restrict_region("as")
    region = viewer_data(example, region="as")
    assert _ids(region) == {entity_id(n) for n in bipartite_graph(net)}
    assert _ids(region) < _ids(viewer_data(example))


def test_as_of_uses_load_network_validity(real_dataset):
    for year in (2017, 2021):
        data = viewer_data(real_dataset, as_of=year, size_by="none")
        expected = {entity_id(n) for n in bipartite_graph(real_dataset, as_of=year)}
        assert _ids(data) == expected
    assert _ids(viewer_data(real_dataset, as_of=2017, size_by="none")) != _ids(
        viewer_data(real_dataset, as_of=2021, size_by="none")
    )


def test_size_follows_the_bridge_score(example):
    tables = run_analyses(example, ["bridges"])
    best = tables["bridges_actors"]["actor"].iloc[0]
    sizes = {n["id"]: n["size"] for n in viewer_data(example)["nodes"]}
    assert sizes[best] == max(sizes.values())
    flat = {n["size"] for n in viewer_data(example, size_by="none")["nodes"]}
    assert len(flat) == 1


def test_highlight_bridges_rings_the_top_candidates_and_adds_pairs(example):
    tables = run_analyses(example, ["bridges"])
    data = viewer_data(example, highlight=["bridges"], top=2)
    ringed = [n["id"] for n in data["nodes"] if n["borderWidth"] > 1]
    assert sorted(ringed) == sorted(tables["bridges_actors"]["actor"].head(2))
    pairs = [e for e in data["edges"] if e.get("overlay")]
    expected = tables["bridges_pairs"].head(2)
    assert {(e["from"], e["to"]) for e in pairs} == set(
        zip(expected["actor_a"], expected["actor_b"], strict=True)
    )
    assert all(e["dashes"] for e in pairs)


def test_highlight_overlap_links_initiative_pairs_by_jaccard(example):
    tables = run_analyses(example, ["overlap"])
    data = viewer_data(example, highlight=["overlap"])
    links = [e for e in data["edges"] if e.get("overlay")]
    assert len(links) == min(10, len(tables["overlap_pairs"])) > 0
    first = tables["overlap_pairs"].iloc[0]
    assert links[0]["width"] == round(1 + 7 * first["jaccard"], 2)
    with pytest.raises(UsageError, match="bipartite view"):
        viewer_data(example, view="actors", highlight=["overlap"])


def test_highlight_gaps_marks_thin_and_empty_cells_in_the_legend(example):
    coverage = run_analyses(example, ["gaps"])["gaps_coverage"]
    data = viewer_data(example, highlight=["gaps"])
    label = {s["key"]: s["label"] for s in data["legend"]["sectors"]}
    marked = {g["sector"]: g["text"] for g in data["legend"]["gaps"]}
    flagged = coverage[coverage["empty"] | coverage["thin"]]
    assert set(marked) == {label[s] for s in flagged["sector"]}
    assert "no or few" in data["legend"]["gapsNote"]  # one sentence says what a gap is
    for row in flagged.itertuples():
        things = "actors" if row.entity.startswith("actor") else "initiatives"
        words = f"{'no' if row.empty else 'few'} {things} in "
        text = marked[label[row.sector]]
        assert words in text and row.stage in text.split(words, 1)[1], (row, text)
    assert viewer_data(example)["legend"]["gaps"] == []


def test_big_components_get_the_igraph_layout_deterministically(example, monkeypatch):
    from bioeco.viz import viewer_layout

    small = {n["id"]: (n["x"], n["y"]) for n in viewer_data(example)["nodes"]}
    monkeypatch.setattr(viewer_layout, "FORCEATLAS_MAX_NODES", 3)
    first = {n["id"]: (n["x"], n["y"]) for n in viewer_data(example)["nodes"]}
    assert first == {n["id"]: (n["x"], n["y"]) for n in viewer_data(example)["nodes"]}
    assert first != small
    assert len(set(first.values())) == len(first)  # no two nodes on the same spot


def test_big_views_switch_physics_off(example):
    assert viewer_data(example)["options"]["physics"]["enabled"] is True
    off = viewer_data(example, physics_max_nodes=5)
    assert off["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in off["nodes"])


def test_big_views_leave_out_hover_redraws(example, monkeypatch):
    from bioeco.viz import viewer_model

    small = viewer_data(example)["options"]["interaction"]
    assert small["hover"] is True and small["hideEdgesOnZoom"] is False
    monkeypatch.setattr(viewer_model, "HOVER_MAX_NODES", 5)
    big = viewer_data(example)["options"]["interaction"]
    assert big["hover"] is False and big["hideEdgesOnZoom"] is True


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"view": "tree"}, "unknown view 'tree': use bipartite or actors"),
        ({"size_by": "fame"}, "unknown size measure 'fame'"),
        ({"highlight": ["stars"]}, "unknown highlight 'stars'"),
        ({"sector": "space"}, "unknown sector 'space'"),
        ({"region": "mars"}, "unknown region 'mars'"),
        ({"type": "castle"}, "unknown type 'castle'"),
        ({"colour": "red"}, "unknown viewer option colour"),
        ({"depth": -1}, "depth must be a whole number"),
    ],
)
def test_bad_options_are_refused(example, options, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        viewer_data(example, **options)


def test_write_viewer_is_atomic_and_creates_no_folder(example, tmp_path):
    target = tmp_path / "sub" / "viewer.html"
    with pytest.raises(OutputError, match=r"folder .*/sub does not exist; create it first"):
        write_viewer(example, target)
    assert not target.parent.exists()  # issue 24 item 7: no folders the user did not ask for
    target.parent.mkdir()
    assert write_viewer(example, target) == target
    assert target.read_text(encoding="utf-8") == viewer_html(example)
    assert [p.name for p in target.parent.iterdir()] == ["viewer.html"]


def test_notebook_object_shows_the_page_in_a_sandboxed_iframe(hostile_dataset):
    page = show_viewer(hostile_dataset, height=480)
    assert isinstance(page, ViewerPage)
    shown = page._repr_html_()
    assert shown.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in shown
    assert "height:480px" in shown
    body = shown[len('<iframe srcdoc="') : shown.index('" sandbox=')]
    assert '"' not in body and "<" not in body  # one attribute value, nothing escapes it


def test_cli_writes_the_viewer(tmp_path):
    runner = CliRunner()
    target = tmp_path / "v.html"
    data = str(ROOT / "tests/fixtures/tiny")
    result = runner.invoke(main, ["viz", "--data", data, "-o", str(target), "--view", "actors"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {target}\n"
    assert _embedded(target.read_text(encoding="utf-8"))["view"] == "actors"


def test_cli_refuses_bad_options_with_one_line(tmp_path):
    runner = CliRunner()
    target = tmp_path / "v.html"
    data = str(ROOT / "tests/fixtures/tiny")
    result = runner.invoke(main, ["viz", "--data", data, "-o", str(target), "--sector", "space"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown sector 'space': known sector codes are ")
    assert len(result.output.splitlines()) == 1
    assert not target.exists()


def test_cli_draws_a_scenario_and_every_node_on_request(tmp_path):
    runner = CliRunner()
    target = tmp_path / "v.html"
    plan = str(ROOT / "docs/examples/whatif-land-moter-hav.csv")
    args = [
        "viz",
        "--data",
        str(ROOT / "data"),
        "-o",
        str(target),
        "--scenario",
        plan,
        "--all-nodes",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    data = _embedded(target.read_text(encoding="utf-8"))
    assert "whatif-land-moter-hav.csv" in data["legend"]["scenario"]
    assert data["outside"] is None
    refused = runner.invoke(main, [*args, "--view", "actors"])
    assert refused.exit_code == 2
    assert refused.output == (
        "Error: a scenario adds and ends memberships: use it with the bipartite view\n"
    )


@pytest.fixture
def external_tiny(tiny_dir):
    """tiny data where alpha also has an external region (cited); its marine sector is inferred
    and beta-institute's research stage too."""
    cls = tiny_dir / "src-a" / "classifications.csv"
    rows = cls.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",citation"] + [row + "," for row in rows[1:]]
    rows.append("alpha,region,tromso,external,src-a,Medlemmer; l. 15,seat,Register 2021")
    cls.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return build_dataset(tiny_dir)


def test_basis_means_what_it_means_in_analyze(external_tiny):
    seen = {}
    for basis in ("all", "stated", "inferred", "external"):
        data = viewer_data(external_tiny, basis=basis, size_by="none")
        nodes = {n["id"]: n for n in data["nodes"]}
        net = load_network(external_tiny, basis=basis)
        classes = net.nodes.set_index("id")["sectors"]
        alpha = nodes["actor/alpha"]
        seen[basis] = (alpha["tops"], "\nRegion: " in alpha["title"], data["subtitle"])
        # each node's sectors are those analyze sees with the same basis
        assert ("marine" in alpha["tops"]) == ("marine" in classes["actor/alpha"])
    assert seen["all"] == seen["external"]
    assert seen["all"][:2] == (["marine"], True)
    assert seen["inferred"][:2] == (["marine"], False)  # the external region is left out
    assert seen["stated"][:2] == ([], False)  # and the inferred sector too
    assert "classifications only" not in seen["all"][2]
    assert seen["inferred"][2].endswith("stated and inferred classifications only · size: none")
    assert seen["stated"][2].endswith(" · stated classifications only · size: none")
    with pytest.raises(UsageError, match=re.escape("basis must be one of all, stated, inferred")):
        viewer_data(external_tiny, basis="proven")


def test_cli_basis_choices_are_those_of_report_and_export(tmp_path):
    runner = CliRunner()
    target = tmp_path / "v.html"
    data = str(ROOT / "tests/fixtures/tiny")
    for basis in ("inferred", "external"):
        ok = runner.invoke(main, ["viz", "--data", data, "-o", str(target), "--basis", basis])
        assert ok.exit_code == 0, ok.output
    bad = runner.invoke(main, ["viz", "--data", data, "-o", str(target), "--basis", "proven"])
    assert bad.exit_code == 2
    message = (
        "Error: Invalid value for '--basis': 'proven' is not one of "
        "'all', 'stated', 'inferred', 'external'.\n"
    )
    assert bad.output.endswith("\n\n" + message)
    for command in ("report", "export"):
        other = runner.invoke(main, [command, "--basis", "proven"])
        assert other.exit_code == 2 and other.output.endswith("\n\n" + message)


def test_cli_reports_an_unwritable_output_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "viewer.html"
    data = str(ROOT / "tests/fixtures/tiny")
    result = CliRunner().invoke(main, ["viz", "--data", data, "-o", str(target)])
    assert result.exit_code == 5  # an output that cannot be written (issue 24: OutputError)
    assert result.output == f"Error: cannot write {target}: {blocker} is not a folder\n"


def test_viewer_bench_report_gives_ratios_and_the_target():
    from bench.viewer import ViewerRun, format_viewer_report

    runs = [
        ViewerRun(5, 600, 2000, 1.0, 1.0, 0.5, 0.2, 0.4, 0.1),
        ViewerRun(42, 5040, 20000, 8.0, 6.0, 2.5, 1.0, 2.0, 0.5),
    ]
    text = format_viewer_report(runs)
    assert (
        "| 42 | 5040 | 20000 | 8.0 | 6.00 (6.0×) | 2.50 (5.0×) | 2.00 | 1.00 (5.0×) | 0.50 | 3.50 |"
        in text
    )
    assert (
        "at 5040 nodes: draw 2.50 s, click 1.00 s (each within 3 s: met); "
        "draw + click 3.50 s (within 3 s: NOT met)" in text
    )
    assert "Chromium CPU time at 5040 nodes: draw 2.00 s, click 0.50 s, together 2.50 s" in text
    assert "no run reached" in format_viewer_report(runs[:1])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_viewer_bench_counts_the_cpu_time_of_its_chromium_processes(tmp_path):
    from bench.viewer import browser_cpu_seconds

    # a child process named like the browser that spends 0.3 s of CPU, then waits
    spin = tmp_path / "chromium-spin"
    spin.symlink_to(sys.executable)
    script = (
        "import sys, time\n"
        "while time.process_time() < 0.3: pass\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    before = browser_cpu_seconds()
    child = subprocess.Popen(
        [str(spin), "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == "ready\n"
        assert browser_cpu_seconds() - before >= 0.29
    finally:
        child.communicate("")


def test_a_small_view_draws_everything(example):
    data = viewer_data(example)
    assert data["outside"] is None
    assert data["stats"]["total"] == data["stats"]["nodes"] == len(data["nodes"])


@pytest.fixture
def small_summary(monkeypatch):
    """Summary limits small enough for the example graph (10 nodes) to count as big."""
    from bioeco.viz import viewer_summary

    monkeypatch.setattr(viewer_summary, "SUMMARY_MIN_NODES", 5)
    monkeypatch.setattr(viewer_summary, "SUMMARY_ACTORS", 2)
    monkeypatch.setattr(viewer_summary, "SUMMARY_MAX_NODES", 4)


def test_a_big_view_opens_on_a_summary_and_keeps_the_rest_findable(example, small_summary):
    whole = bipartite_graph(load_network(example))
    data = viewer_data(example)
    out = data["outside"]
    drawn = [n["id"] for n in data["nodes"]]
    assert len(drawn) == data["stats"]["nodes"] == 4 and data["stats"]["total"] == 10
    # the two actors with the highest bridge score are drawn, and initiatives linking them
    scores = {n["id"]: n["measures"].get("bridge", -1) for n in data["nodes"]}
    actors = [i for i in drawn if i.startswith("actor/")]
    assert len(actors) == 2
    left_scores = [row[11][out["sizeKeys"].index("bridge")] for row in out["nodes"]]
    assert min(scores[a] for a in actors) >= max((s for s in left_scores if s), default=-1)
    # every node is in the page once: drawn, or a row to draw on demand, with a position
    assert sorted(out["ids"]) == sorted(entity_id(n) for n in whole.nodes)
    assert set(out["ids"][: out["drawn"]]) == set(drawn)
    assert [row[0] for row in out["nodes"]] == out["ids"][out["drawn"] :]
    assert all(isinstance(row[6], int) and isinstance(row[7], int) for row in out["nodes"])
    # every line with an end left out is there once, by index
    triples = list(zip(out["edges"][::3], out["edges"][1::3], out["edges"][2::3], strict=True))
    assert len(triples) == data["stats"]["totalEdges"] - data["stats"]["edges"]
    pairs = {frozenset((out["ids"][a], out["ids"][b])) for a, b, _k in triples}
    assert pairs == {
        frozenset((entity_id(a), entity_id(b)))
        for a, b in whole.edges
        if not (entity_id(a) in drawn and entity_id(b) in drawn)
    }
    note = " ".join(out["note"]["text"])
    assert "4 of 10 nodes" in note and "Left out: 6 nodes" in note and "Search" in note
    assert data["years"] == []  # no year control: the nodes drawn on demand carry no years


def test_the_index_carries_each_left_out_nodes_facts_with_sources_and_years(example, small_summary):
    """A left-out node's classes, sources and memberships (from its lines) are those of the
    same node drawn whole, each fact with its source document and years, not its locator."""
    whole = {n["id"]: n["details"] for n in viewer_data(example, summary=False)["nodes"]}
    out = viewer_data(example)["outside"]

    def doc(where: str) -> str:
        return where.split(", ", 1)[0]

    lines: dict[str, list] = {}
    for line, facts in enumerate(out["lineFacts"]):
        member, org = (out["ids"][out["edges"][3 * line + k]] for k in (0, 1))
        for i in [facts] if isinstance(facts, int) else facts:
            role, years, source = out["memberships"][i]
            lines.setdefault(member, []).append(("in", org, role, years, source))
            lines.setdefault(org, []).append(("has", member, role, years, source))
    assert len(out["lineFacts"]) == len(out["edges"]) // 3
    checked = 0
    for row in out["nodes"]:
        facts = whole[row[0]]
        classes = [out["classes"][i] for i in row[12]]
        assert classes == [[c["scheme"], c["label"], c["basis"], doc(c["source"])]
                           for c in facts["classes"]]  # fmt: skip
        assert [out["sources"][i] for i in row[13]] == sorted({doc(n) for n in facts["named"]})
        want = {(m["side"], m["other"], m["role"], m["years"], doc(m["source"]))
                for m in facts["memberships"]}  # fmt: skip
        assert set(lines.get(row[0], [])) == want, row[0]
        checked += bool(want) and bool(classes)
    assert checked >= 3
    assert all(", " not in source for source in out["sources"])  # no locators


def test_summary_false_draws_everything_and_true_summarises_a_small_view(example, small_summary):
    assert viewer_data(example, summary=False)["outside"] is None
    assert len(viewer_data(example, summary=False)["nodes"]) == 10
    with pytest.raises(UsageError, match="summary must be true, false or unset"):
        viewer_data(example, summary="yes")


def test_the_legend_explains_its_total_and_its_sector_counts_against_the_report(real_dataset):
    from bioeco.analyses.sectors import COUNT_DEFINITION, sector_counts

    data = viewer_data(real_dataset)
    counts = data["legend"]["counts"]
    kinds = [n["kind"] for n in data["nodes"]]
    actors, initiatives = kinds.count("actor"), kinds.count("initiative")
    assert counts["total"].startswith(
        f"{len(kinds)} nodes drawn = {actors} actors + {initiatives} initiatives"
    )
    assert counts["definition"] == COUNT_DEFINITION
    report = sector_counts(load_network(real_dataset)).set_index("sector")
    legend = {s["key"]: s for s in data["legend"]["sectors"]}
    for row in counts["sectors"]:
        code = row["key"]
        assert f"the report counts {report.at[code, 'actors']} actor" in row["text"]
        assert f"{report.at[code, 'initiatives']} initiative" in row["text"]
        # the colour's count in the legend is the actors and initiatives "in its colour"
        coloured = re.search(r"in its colour (\d+) actors?, (\d+) initiatives?", row["text"])
        assert int(coloured[1]) + int(coloured[2]) == legend[code]["count"], row["text"]
    assert [r["key"] for r in counts["sectors"]][-1] == "none"  # no sector: the report's row too
    assert not re.search(r"\b(nan|None)\b", json.dumps(counts))


def test_the_findings_summaries_are_those_of_the_analyses(example):
    data = viewer_data(example)
    tables = run_analyses(example, ["gaps"])
    expected = [
        tables[name].attrs["summary"]
        for name in ("gaps_coverage", "gaps_structural")
        if tables[name].attrs.get("summary")
    ]
    assert [f["text"] for f in data["legend"]["findings"]] == expected
    assert expected  # the example graph has both summaries


def test_exports_place_every_node_when_the_viewer_would_summarise(example, small_summary):
    from bioeco.viz import exports as ex

    exported = ex.export_graph(example, "bipartite")
    assert exported.number_of_nodes() == 10
    assert all("x" in d and "color" in d for _n, d in exported.nodes(data=True))

"""The summarised view of a big graph and the what-if overlay in a real browser (Debian's
headless Chromium): the summary's note says what is left out, search and focus reach a node the
summary does not draw; a scenario's links are drawn dashed in their own colour, in the legend."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import generate
from bioeco.ingest.build import build_dataset
from bioeco.viz import viewer_summary
from bioeco.viz.viewer import viewer_data, write_viewer
from tests.viz.test_viewer_browser import _inside_view, _labels_apart, _settle

READY = "body[data-ready=true]"


@pytest.fixture(scope="module")
def summary_page(tmp_path_factory, real_dataset):
    """data/ drawn as if it were big: a summary of 8 actors and 40 nodes in all."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(viewer_summary, "SUMMARY_ACTORS", 8)
        patch.setattr(viewer_summary, "SUMMARY_MAX_NODES", 40)
        data = viewer_data(real_dataset, summary=True)
        path = write_viewer(
            real_dataset, tmp_path_factory.mktemp("summary") / "v.html", summary=True
        )
    drawn = {n["id"] for n in data["nodes"]}
    left = [row for row in data["outside"]["nodes"] if row[2] == "actor"]
    return path, data, drawn, left


def _open(open_page, path, fragment=""):
    visit = open_page(path, fragment=fragment)
    visit.page.wait_for_selector(READY, state="attached")
    return visit


def _visible(page) -> set[str]:
    return set(page.evaluate("bioecoViewer.visibleNodeIds()"))


def test_the_summary_says_what_is_left_out_and_how_to_reach_it(open_page, summary_page):
    path, data, drawn, _left = summary_page
    visit = _open(open_page, path)
    page = visit.page
    note = page.inner_text("#summary-note")
    total, shown = data["stats"]["total"], data["stats"]["nodes"]
    assert shown == len(drawn) <= 40 < total
    assert f"{shown} of {total} nodes" in note
    assert f"Left out: {total - shown} nodes" in note
    assert "Search" in note and "bioeco viz --focus" in note
    assert _visible(page) == drawn
    assert page.inner_text("#status").startswith(f"Showing {shown} of {total} nodes")
    visit.assert_clean()


def test_search_and_focus_reach_a_node_left_out(open_page, summary_page):
    path, _data, drawn, left = summary_page
    row = next(r for r in left if len(r[1]) > 6)
    node_id, label = row[0], row[1]
    assert node_id not in drawn
    visit = _open(open_page, path)
    page = visit.page
    page.fill("#search", label)
    page.wait_for_function("(id) => bioecoViewer.visibleNodeIds().includes(id)", arg=node_id)
    visible = _visible(page)
    neighbours = set(page.evaluate("(id) => bioecoViewer.neighbours(id)", node_id))
    assert neighbours and neighbours <= visible  # the match and its neighbours, drawn or not
    # the left-out node's panel says where its full facts are
    page.evaluate("(id) => bioecoViewer.network.selectNodes([id])", node_id)
    page.click("#reset")
    assert _visible(page) == drawn  # back to the summary
    # a link focused on a left-out node opens on it and its neighbourhood
    focus = _open(open_page, path, fragment=f"#focus={node_id}")
    shown = _visible(focus.page)
    assert node_id in shown and neighbours <= shown
    assert not (drawn - neighbours) & shown
    visit.assert_clean()
    focus.assert_clean()


def test_a_node_drawn_from_the_index_shows_its_facts_with_sources_and_years(
    open_page, summary_page, real_dataset, save_screenshot
):
    """A left-out node's panel lists what the same node's panel lists when drawn normally, each
    fact with its source and years, less the locators and analysis results, which the panel
    names with the command that shows them."""
    path, _data, drawn, left = summary_page
    node_id = "actor/bioform"  # left out; memberships with years, classes with their basis
    assert node_id not in drawn and node_id in {row[0] for row in left}
    whole = next(n for n in viewer_data(real_dataset, summary=False)["nodes"] if n["id"] == node_id)
    facts = whole["details"]
    assert len(facts["memberships"]) >= 3 and any(m["years"] for m in facts["memberships"])
    visit = _open(open_page, path, fragment=f"#focus={node_id}")
    page = visit.page
    page.wait_for_selector(READY, state="attached")
    page.click(f"#list-table tbody tr:has-text('{whole['label']}')")
    panel = page.locator("#panel")
    page.wait_for_function("(id) => bioecoViewer.highlighted() === id", arg=node_id)
    assert panel.locator("h2").inner_text() == whole["label"]
    text = panel.inner_text()
    for m in facts["memberships"]:  # role, other, years, source document (not its line)
        source = m["source"].split(", ", 1)[0]
        years = f" ({m['years']})" if m["years"] else ""
        lead = f"{m['role']} of " if m["side"] == "in" else f"has {m['role'].lower()} "
        assert f"{lead}{m['label']}{years}{source}" in text.replace("\n", ""), m
        assert m["source"] not in text  # the locator is not carried
    for c in facts["classes"]:
        assert f"{c['scheme']}: {c['label']} ({c['basis']})" in text, c
    for named in facts["named"]:
        assert named.split(", ", 1)[0] in text
    note = panel.locator(".index-note").inner_text()
    assert "without the page or line" in note and "analysis results are not carried" in note
    assert f"bioeco viz --focus {node_id}" in note and "--all-nodes" in note
    save_screenshot(page, "viewer-index-panel")
    visit.assert_clean()


def test_a_scenario_draws_its_links_dashed_and_in_the_legend(open_page, real_dataset, tmp_path):
    scenario = Path(__file__).resolve().parents[2] / "docs/examples/whatif-land-moter-hav.csv"
    path = write_viewer(real_dataset, tmp_path / "whatif.html", scenario=scenario)
    visit = _open(open_page, path)
    page = visit.page
    drawn = page.evaluate(
        """() => bioecoViewer.edges.get({filter: (e) => e.color.color === "#f77f00"})
                 .map((e) => [e.from, e.to, e.dashes, e.hidden === true])"""
    )
    # invite nibio; introduce two actors (a new meeting); start an initiative of four members
    assert len(drawn) == 7
    assert all(dashes and not hidden for _a, _b, dashes, hidden in drawn)
    assert ["actor/nibio", "initiative/land-moter-hav"] in [[a, b] for a, b, _d, _h in drawn]
    new = "initiative/blue-green-data"
    assert new in page.evaluate("bioecoViewer.visibleNodeIds()")
    legend = page.inner_text("#legend")
    assert "added by the what-if scenario" in legend
    note = page.inner_text("#scenario-note")
    assert "whatif-land-moter-hav.csv" in note and "7 links added" in note
    assert "not predictions" in note
    # the legend explains its node total; the panel shows what the analyses found
    assert " nodes drawn = " in page.inner_text("#node-total")
    page.click("#count-notes summary")
    assert "the report counts" in page.inner_text("#count-notes")
    assert "what the analyses found" in page.inner_text("#findings").lower()
    visit.assert_clean()


@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    """A generated graph (bench scale 1: 120 nodes) drawn as a big one is: a summary of 12
    nodes with physics off, the rest in the page's index; and the left-out node with the most
    neighbours (an initiative with some 30 members, placed all over the drawing)."""
    folder = tmp_path_factory.mktemp("big")
    generate(folder / "data", scale=1, seed=0)
    graph = build_dataset(folder / "data")
    options = {"summary": True, "physics_max_nodes": 0}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(viewer_summary, "SUMMARY_ACTORS", 5)
        patch.setattr(viewer_summary, "SUMMARY_MAX_NODES", 12)
        data = viewer_data(graph, **options)
        path = write_viewer(graph, folder / "v.html", **options)
    drawn = {n["id"] for n in data["nodes"]}
    out = data["outside"]
    near = Counter(out["ids"][i] for k, i in enumerate(out["edges"]) if k % 3 != 2)
    busiest = max((n for n in near if n not in drawn), key=lambda n: (near[n], n))
    assert near[busiest] >= 25
    label = next(row[1] for row in out["nodes"] if row[0] == busiest)
    index = {row[0]: (row[6], row[7]) for row in out["nodes"]}  # where the index puts them
    return path, busiest, label, index


#: The view: its centre (canvas units) and its zoom times 100.
VIEW = """() => { const net = bioecoViewer.network, p = net.getViewPosition();
                  return [p.x, p.y, net.getScale() * 100]; }"""


def _fitted_and_readable(page, least: int) -> int:
    """Every drawn node inside the canvas, no two labels overlapping, at least *least*
    labelled, and the legend's total naming the nodes drawn; their number."""
    _settle(page)
    shown = _visible(page)
    assert _inside_view(page)
    _labels_apart(page, least)
    total = page.inner_text("#node-total")
    assert total.startswith(f"{len(shown)} nodes drawn = "), total
    return len(shown)


#: The drawn nodes' centres and radii (canvas units), the left-out ones and the summary's.
DRAWN = """() => { const v = bioecoViewer, net = v.network, ids = v.visibleNodeIds();
                   const pos = net.getPositions(ids);
                   const summary = v.nodes.getIds({filter: (n) => !n.outside});
                   return {pos: pos, size: Object.fromEntries(ids.map(
                             (id) => [id, net.body.nodes[id].options.size])),
                           outside: ids.filter((id) => v.nodes.get(id).outside),
                           summary: net.getPositions(summary)}; }"""


def _reach(centre, points) -> float:
    """The farthest of *points* from *centre*."""
    return max(math.dist(centre, p) for p in points)


def _grouped(page, node_id: str, index: dict) -> None:
    """The left-out neighbours of the focused *node_id* drawn as one group around it: nearer to
    it than the summary's farthest node is (here 448 and 603 canvas units; the index, which
    puts each near its own summary node, spreads them 1142 far), and no two drawn nodes
    covering each other."""
    drawn = page.evaluate(DRAWN)
    pos = {k: (p["x"], p["y"]) for k, p in drawn["pos"].items()}
    centre = pos[node_id]
    left = [pos[k] for k in drawn["outside"] if k != node_id]
    assert len(left) >= 20
    summary = _reach(centre, [(p["x"], p["y"]) for p in drawn["summary"].values()])
    spread = [index[k] for k in drawn["outside"] if k != node_id]
    assert _reach(centre, left) < summary
    assert _reach(index[node_id], spread) > summary  # (so the test catches the index's)
    size = drawn["size"]
    for (a, pa), (b, pb) in itertools.combinations(sorted(pos.items()), 2):
        assert math.dist(pa, pb) >= size[a] + size[b], (a, b)


def test_a_left_out_node_in_focus_is_fitted_labelled_and_counted(
    open_page, big_page, save_screenshot
):
    """Focus on a node drawn from the index (link, or search, list row and focus button): the
    view frames it and its neighbours, labels do not overlap, the legend counts what is drawn."""
    path, node_id, label, index = big_page
    visit = _open(open_page, path, fragment=f"#focus={node_id}&sel={node_id}")
    page = visit.page
    shown = _fitted_and_readable(page, 10)
    _grouped(page, node_id, index)
    assert shown == 1 + len(page.evaluate("(id) => bioecoViewer.neighbours(id)", node_id))
    assert "in this view (around " + label in page.inner_text("#node-total")
    save_screenshot(page, "viewer-index-focus")
    visit.assert_clean()

    visit = _open(open_page, path)
    page = visit.page
    page.fill("#search", label)
    assert _fitted_and_readable(page, 10) == shown  # the match and its neighbours
    _grouped(page, node_id, index)
    fitted = page.evaluate(VIEW)
    page.click(f"#list-table tbody tr[data-node='{node_id}']")  # centres (and zooms) on it
    _settle(page)
    assert page.evaluate(VIEW) != pytest.approx(fitted, abs=1)
    page.click("#focus-button")  # the same nodes: the view is fitted to them again
    assert _fitted_and_readable(page, 10) == shown
    _grouped(page, node_id, index)
    assert page.evaluate(VIEW) == pytest.approx(fitted, rel=0.1)  # (labels count in the fit)
    save_screenshot(page, "viewer-index-search-focus")
    page.click("#reset")
    assert _fitted_and_readable(page, 5) == 12
    assert "(the summary)" in page.inner_text("#node-total")
    visit.assert_clean()

"""The viewer in a real browser (Debian's headless Chromium): what a person would see and do."""

from __future__ import annotations

import pytest

from bioeco.analyze.project import actor_projection, bipartite_graph, entity_id
from bioeco.viz.viewer import write_viewer
from tests.viz.conftest import HOSTILE_IMG, HOSTILE_SCRIPT

READY = "body[data-ready=true]"


@pytest.fixture(scope="module")
def pages(tmp_path_factory, real_dataset, hostile_dataset):
    """The viewer pages these tests open, written once per module."""
    folder = tmp_path_factory.mktemp("viewer")
    specs = {
        "bipartite": (real_dataset, {"highlight": ["bridges", "overlap", "gaps"]}),
        "actors": (real_dataset, {"view": "actors"}),
        "2017": (real_dataset, {"as_of": 2017, "size_by": "none"}),
        "2021": (real_dataset, {"as_of": 2021, "size_by": "none"}),
        "hostile": (hostile_dataset, {"size_by": "degree"}),
    }
    return {
        name: write_viewer(graph, folder / f"{name}.html", **options)
        for name, (graph, options) in specs.items()
    }


def _open(open_page, path, **size):
    visit = open_page(path, **size)
    visit.page.wait_for_selector(READY, state="attached")
    return visit


def _drawn(page) -> set[str]:
    """Ids of the nodes vis-network draws (its visible node indices)."""
    return set(page.evaluate("bioecoViewer.network.body.nodeIndices"))


def _visible(page) -> set[str]:
    return set(page.evaluate("bioecoViewer.visibleNodeIds()"))


def _node_point(page, node_id: str) -> tuple[float, float]:
    """Page coordinates of a node's centre."""
    return tuple(
        page.evaluate(
            """(id) => {
                const net = bioecoViewer.network;
                const p = net.canvasToDOM(net.getPositions([id])[id]);
                const box = document.getElementById("network").getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""",
            node_id,
        )
    )


def test_page_loads_offline_without_errors(open_page, pages, save_screenshot):
    visit = _open(open_page, pages["bipartite"], width=1400, height=900)
    visit.assert_clean()
    assert all(url.startswith("file://") for url in visit.requests)
    assert visit.page.text_content("#title") == "bioeco ecosystem viewer"
    legend = visit.page.text_content("#legend")
    assert "Marine industries" in legend and "bridge candidate" in legend
    assert "overlapping initiatives" in legend and "none: " in legend  # overlap and gaps
    save_screenshot(visit.page, "viewer")


@pytest.mark.parametrize(("name", "project"), [("bipartite", bipartite_graph), ("actors", None)])
def test_nodes_drawn_equal_the_graphs_nodes(open_page, pages, real_dataset, name, project):
    visit = _open(open_page, pages[name])
    graph = (project or actor_projection)(real_dataset)
    assert _drawn(visit.page) == {entity_id(n) for n in graph}
    canvas = visit.page.locator("#network canvas")
    assert canvas.count() == 1 and canvas.bounding_box()["width"] > 500
    visit.assert_clean()


def test_as_of_years_draw_different_memberships(open_page, pages, real_dataset):
    drawn = {}
    for year in ("2017", "2021"):
        visit = _open(open_page, pages[year])
        drawn[year] = _drawn(visit.page)
        expected = {entity_id(n) for n in bipartite_graph(real_dataset, as_of=int(year))}
        assert drawn[year] == expected
        assert f"as of {year}" in visit.page.text_content("#subtitle")
        visit.assert_clean()
    assert drawn["2017"] != drawn["2021"]
    assert drawn["2017"] - drawn["2021"] and drawn["2021"] - drawn["2017"]


def test_hostile_names_show_as_text_and_run_nothing(open_page, pages, save_screenshot):
    visit = _open(open_page, pages["hostile"])
    page = visit.page
    labels = page.evaluate("bioecoViewer.nodes.get().map(n => n.label)")
    assert HOSTILE_IMG in labels and HOSTILE_SCRIPT in labels
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    # the tooltip shows the name as written
    page.mouse.move(*_node_point(page, "actor/alpha"))
    tooltip = page.wait_for_selector("div.vis-tooltip", state="visible")
    assert tooltip.inner_text().splitlines()[0] == HOSTILE_IMG
    assert tooltip.query_selector("img") is None
    page.mouse.move(*_node_point(page, "actor/beta-institute"))
    page.wait_for_function(
        "(name) => document.querySelector('div.vis-tooltip').innerText.startsWith(name)",
        arg=HOSTILE_SCRIPT,
    )
    # and searching for it finds it without running it
    page.fill("#search", "<script>")
    assert "actor/beta-institute" in _visible(page)
    assert page.text_content("#status").endswith("1 match")
    save_screenshot(page, "viewer-hostile")
    visit.assert_clean()  # no dialog, no error, no request


def test_search_and_filters_change_what_is_visible(open_page, pages):
    visit = _open(open_page, pages["bipartite"])
    page = visit.page
    everything = _visible(page)
    assert _drawn(page) == everything
    page.fill("#search", "nofima")
    found = _visible(page)
    assert "actor/nofima" in found and found < everything
    assert _drawn(page) == found
    neighbours = set(page.evaluate("bioecoViewer.neighbours('actor/nofima')"))
    assert found == {"actor/nofima", *neighbours}
    page.fill("#search", "")
    assert _visible(page) == everything

    page.select_option("#filter-sector", "marine")
    marine = _visible(page)
    assert marine and marine < everything
    tops = page.evaluate("bioecoViewer.nodes.get().filter(n => !n.hidden).map(n => n.tops)")
    assert all("marine" in t for t in tops)
    page.select_option("#filter-sector", "")
    page.select_option("#filter-type", "cluster")
    clusters = _visible(page)
    assert clusters and all(i.startswith("initiative/") for i in clusters)
    page.select_option("#filter-type", "")
    page.select_option("#filter-role", "funder")
    funders = _visible(page)
    assert funders and funders < everything
    page.click("#reset")
    assert _visible(page) == everything
    assert page.text_content("#status") == f"Showing {len(everything)} of {len(everything)} nodes"
    visit.assert_clean()


def test_click_highlights_the_neighbours(open_page, pages):
    visit = _open(open_page, pages["actors"])
    page = visit.page
    page.evaluate("bioecoViewer.network.focus('actor/nofima', {scale: 1.5})")
    page.mouse.click(*_node_point(page, "actor/nofima"))
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/nofima'")
    near = set(page.evaluate("bioecoViewer.neighbours('actor/nofima')")) | {"actor/nofima"}
    colours = page.evaluate(
        "Object.fromEntries(bioecoViewer.nodes.get().map(n => [n.id, n.color.background]))"
    )
    faded = {i for i, c in colours.items() if c == "#e6e6e6"}
    assert faded == set(colours) - near
    assert faded  # something was faded
    page.click("#reset")
    assert page.evaluate("bioecoViewer.highlighted()") is None
    visit.assert_clean()

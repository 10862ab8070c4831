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
    # the labels shown at first sight, as vis-network measured them, do not cover each other
    boxes = visit.page.evaluate(
        """() => Object.values(bioecoViewer.network.body.nodes)
            .filter((n) => n.options.font.size > 8)
            .map((n) => { const s = n.labelModule.size;
                          return [n.id, s.left, s.top, s.left + s.width, s.top + s.height]; })"""
    )
    assert len(boxes) >= 20
    for i, (a, *box) in enumerate(boxes):
        for b, *other in boxes[i + 1 :]:
            apart = box[2] <= other[0] or other[2] <= box[0] or box[3] <= other[1]
            assert apart or other[3] <= box[1], (a, b)
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


#: Colour (r, g, b) seen at each node's centre (the canvas over the white page) and the centre's
#: x, y on the canvas, for the nodes inside the view.
PIXELS = """(ids) => {
    const net = bioecoViewer.network, canvas = net.canvas.frame.canvas;
    const ctx = canvas.getContext("2d"), ratio = net.canvas.pixelRatio, out = {};
    for (const [id, p] of Object.entries(net.getPositions(ids))) {
        const d = net.canvasToDOM(p);
        if (d.x < 2 || d.y < 2 || d.x > canvas.clientWidth - 2 || d.y > canvas.clientHeight - 2)
            continue;
        const px = ctx.getImageData(Math.round(d.x * ratio), Math.round(d.y * ratio), 1, 1).data;
        const seen = (c) => Math.round((c * px[3]) / 255 + 255 - px[3]);  // over the white page
        out[id] = [seen(px[0]), seen(px[1]), seen(px[2]), d.x, d.y];
    }
    return out;
}"""
NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _off_segment(point, start, end) -> float:
    """Distance from *point* to the segment *start*–*end*."""
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    t = (
        0.0
        if dx == dy == 0
        else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    )
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def test_click_highlights_the_neighbours(open_page, pages):
    visit = _open(open_page, pages["actors"])
    page = visit.page
    page.evaluate("bioecoViewer.network.focus('actor/nofima', {scale: 1.5})")
    page.evaluate(NEXT_FRAME)
    ids = page.evaluate("bioecoViewer.nodes.getIds()")
    before = page.evaluate(PIXELS, ids)
    page.mouse.click(*_node_point(page, "actor/nofima"))
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/nofima'")
    page.evaluate(NEXT_FRAME)
    after = page.evaluate(PIXELS, ids)
    near = set(page.evaluate("bioecoViewer.neighbours('actor/nofima')")) | {"actor/nofima"}
    faded = {i for i in ids if page.evaluate("(id) => bioecoViewer.faded(id)", i)}
    assert faded == set(ids) - near and faded
    # what a person sees: the clicked node in its own colour, the others paler than before
    colour = page.evaluate("bioecoViewer.nodes.get('actor/nofima').color.background")
    red, green, blue = after["actor/nofima"][:3]
    assert f"#{red:02x}{green:02x}{blue:02x}" == colour.lower()
    centre = after["actor/nofima"][3:]
    spots = {i: after[i][3:] for i in near if i in after}
    paler = [
        i
        for i in faded & set(before)
        if sum(before[i][:3]) < 3 * 250  # not a white label halo
        and all(_off_segment(after[i][3:], centre, spots[j]) > 12 for j in spots)
        and all(
            ((x - after[i][3]) ** 2 + (y - after[i][4]) ** 2) ** 0.5 > 40 for x, y in spots.values()
        )
    ]
    assert len(paler) >= 5
    for i in paler:
        assert sum(after[i][:3]) > sum(before[i][:3]) + 30, (i, before[i], after[i])
    # a click on empty canvas ends the highlight: the picture is the one before the click
    box = page.locator("#network canvas").bounding_box()
    corner = (box["x"] + 3, box["y"] + 3)
    assert page.evaluate("([x, y]) => bioecoViewer.network.getNodeAt({x, y})", [3, 3]) is None
    page.mouse.click(*corner)
    page.wait_for_function("bioecoViewer.highlighted() === null")
    page.evaluate(NEXT_FRAME)
    assert page.evaluate(PIXELS, ids) == before
    page.mouse.click(*_node_point(page, "actor/nofima"))
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/nofima'")
    page.click("#reset")
    assert page.evaluate("bioecoViewer.highlighted()") is None
    assert not page.evaluate("(id) => bioecoViewer.faded(id)", ids[0])
    visit.assert_clean()


def test_big_graph_settings_keep_tooltips_and_the_click(open_page, hostile_dataset, tmp_path):
    from bioeco.viz import viewer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(viewer, "HOVER_MAX_NODES", 1)  # as if the graph were big
        path = write_viewer(hostile_dataset, tmp_path / "big.html", size_by="degree")
    visit = _open(open_page, path)
    page = visit.page
    assert page.evaluate("bioecoViewer.network.interactionHandler.options.hover") is False
    page.mouse.move(*_node_point(page, "actor/alpha"))
    tooltip = page.wait_for_selector("div.vis-tooltip", state="visible")
    assert tooltip.inner_text().splitlines()[0] == HOSTILE_IMG
    page.mouse.click(*_node_point(page, "actor/alpha"))
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/alpha'")
    assert page.evaluate("bioecoViewer.faded('actor/alpha')") is False
    visit.assert_clean()

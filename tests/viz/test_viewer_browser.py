"""The viewer in a real browser (Debian's headless Chromium): what a person would see and do."""

from __future__ import annotations

import pytest

from bioeco.analyses.project import actor_projection, bipartite_graph, entity_id
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
        "focus": (real_dataset, {"focus": "biotech-north"}),
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


#: The labels vis-network draws now (visible nodes whose font, at the current zoom, reaches its
#: draw threshold) with the boxes it measured for them, in canvas units.
LABEL_BOXES = """() => {
    const net = bioecoViewer.network, scale = net.getScale();
    const limit = net.nodesHandler.options.scaling.label.drawThreshold;
    return Object.values(net.body.nodes)
        .filter((n) => !n.options.hidden && n.options.font.size * scale >= limit)
        .map((n) => { const s = n.labelModule.size;
                      return [n.id, s.left, s.top, s.left + s.width, s.top + s.height]; });
}"""


def _settle(page) -> None:
    """Wait until the view has been re-fitted, its labels placed and drawn."""
    page.wait_for_selector("#network[data-settled=true]", state="attached")
    page.evaluate(NEXT_FRAME)


def _labels_apart(page, least: int) -> set[str]:
    """Assert that no two drawn labels overlap and at least *least* are drawn; their ids."""
    boxes = page.evaluate(LABEL_BOXES)
    assert len(boxes) >= least, boxes
    for i, (a, *box) in enumerate(boxes):
        for b, *other in boxes[i + 1 :]:
            apart = box[2] <= other[0] or other[2] <= box[0] or box[3] <= other[1]
            assert apart or other[3] <= box[1], (a, b, box, other)
    return {b[0] for b in boxes}


def _inside_view(page) -> bool:
    """Every visible node's centre lies inside the drawing area."""
    return page.evaluate(
        """() => {
            const net = bioecoViewer.network, box = net.canvas.frame.canvas;
            const ids = bioecoViewer.visibleNodeIds();
            return ids.length > 0 && Object.values(net.getPositions(ids)).every((p) => {
                const d = net.canvasToDOM(p);
                return d.x >= 0 && d.y >= 0 && d.x <= box.clientWidth && d.y <= box.clientHeight;
            });
        }"""
    )


def _check(page, menu: str, value: str) -> None:
    """Tick one entry of a filter menu, as a person would (open it, click the box)."""
    if not page.is_visible(f"#menu-{menu} .menu-body"):
        page.click(f"#menu-{menu} summary")
    page.click(f"#menu-{menu} input[value='{value}']")


def test_page_loads_offline_without_errors(open_page, pages, save_screenshot):
    visit = _open(open_page, pages["bipartite"], width=1400, height=900)
    visit.assert_clean()
    assert all(url.startswith("file://") for url in visit.requests)
    assert visit.page.text_content("#title") == "bioeco ecosystem viewer"
    legend = visit.page.text_content("#legend")
    assert "Marine industries" in legend and "bridge candidate" in legend
    assert "overlapping initiatives" in legend and "Gaps in the value chain" in legend
    assert "no actors in " in legend or "few actors in " in legend
    _settle(visit.page)
    _labels_apart(visit.page, 20)  # the whole view: labels at first sight cover no other
    assert _inside_view(visit.page)
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


def test_search_and_filters_refit_label_and_combine(open_page, pages, save_screenshot):
    visit = _open(open_page, pages["bipartite"], width=1440, height=900)
    page = visit.page
    _settle(page)
    everything = _visible(page)
    assert _drawn(page) == everything
    whole = page.evaluate("bioecoViewer.network.getScale()")

    # search: the matches and their neighbours, re-fitted and labelled
    page.fill("#search", "nofima")
    _settle(page)
    found = _visible(page)
    assert "actor/nofima" in found and found < everything
    assert _drawn(page) == found
    neighbours = set(page.evaluate("bioecoViewer.neighbours('actor/nofima')"))
    assert found == {"actor/nofima", *neighbours}
    assert _inside_view(page) and page.evaluate("bioecoViewer.network.getScale()") > whole
    labelled = _labels_apart(page, 5)
    assert "actor/nofima" in labelled and len(labelled & neighbours) >= len(neighbours) // 2
    save_screenshot(page, "viewer-search")
    page.fill("#search", "")
    _settle(page)
    assert _visible(page) == everything

    # filters: several sectors (either), AND a type; re-fitted and labelled
    nodes = {n["id"]: n for n in page.evaluate("bioecoViewer.nodes.get()")}
    _check(page, "sector", "marine")
    _settle(page)
    marine = _visible(page)
    assert marine == {i for i, n in nodes.items() if "marine" in n["tops"]}
    assert _inside_view(page)
    labelled = _labels_apart(page, 5)
    assert labelled <= marine
    _check(page, "sector", "health")
    _settle(page)
    either = {i for i, n in nodes.items() if {"marine", "health"} & set(n["tops"])}
    assert _visible(page) == either
    # counts beside the type entries follow the sector choice
    counts = dict(
        page.evaluate(
            """() => [...document.querySelectorAll('#menu-type .entry')].map(
                (e) => [e.querySelector('input').value, +e.querySelector('.count').textContent])"""
        )
    )
    for code, count in counts.items():
        assert count == sum(1 for i in either if nodes[i]["typeCode"] == code), code
    _check(page, "type", "company")
    _settle(page)
    companies = {i for i in either if nodes[i]["typeCode"] == "company"}
    assert _visible(page) == companies and companies
    sector_counts = dict(
        page.evaluate(
            """() => [...document.querySelectorAll('#menu-sector .entry')].map(
                (e) => [e.querySelector('input').value, +e.querySelector('.count').textContent])"""
        )
    )
    marine_companies = {
        i for i, n in nodes.items() if "marine" in n["tops"] and n["typeCode"] == "company"
    }
    assert sector_counts["marine"] == len(marine_companies)
    _labels_apart(page, 3)
    save_screenshot(page, "viewer-filter")
    # a type group ticks all its types
    page.click("#menu-type input[data-group='research, education, health']")
    _settle(page)
    group = page.evaluate(
        """() => [...document.querySelectorAll('#menu-type input[data-group]')]
            .find((b) => b.dataset.group === 'research, education, health')
            .closest('label').nextElementSibling.querySelectorAll('input')"""
        + """.length"""
    )
    assert group >= 2 and len(page.evaluate("bioecoViewer.state().type")) == 1 + group
    page.click("#reset")
    _settle(page)
    assert _visible(page) == everything
    assert page.text_content("#status") == f"Showing {len(everything)} of {len(everything)} nodes"
    _check(page, "role", "funder")
    _settle(page)
    funders = _visible(page)
    assert funders and funders < everything
    visit.assert_clean()


def test_focus_labels_do_not_overlap(open_page, pages, save_screenshot):
    visit = _open(open_page, pages["focus"], width=1440, height=900)
    page = visit.page
    _settle(page)
    labelled = _labels_apart(page, 15)
    assert "initiative/biotech-north" in labelled
    assert _inside_view(page)
    save_screenshot(page, "viewer-focus")
    visit.assert_clean()


def test_panel_shows_the_facts_and_sources_of_marealis(
    open_page, pages, real_dataset, save_screenshot
):
    from bioeco.store.query import select

    visit = _open(open_page, pages["bipartite"], width=1440, height=900)
    page = visit.page
    page.fill("#search", "marealis")
    _settle(page)
    page.mouse.click(*_node_point(page, "actor/marealis"))
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/marealis'")
    panel = page.locator("#panel")
    page.mouse.move(5, 5)  # the panel stays when the pointer leaves the node
    assert panel.locator("h2").inner_text() == "Marealis"
    text = panel.inner_text()
    # every membership's source and locator, as the graph states them
    rows = select(
        real_dataset,
        """SELECT ?src ?loc WHERE { ?ms org:member actor:marealis ; prov:wasDerivedFrom ?src ;
                                       bioeco:locator ?loc }""",
    )
    assert len(rows) >= 3
    for src, loc in rows.itertuples(index=False):
        assert f"{src.rsplit('/', 1)[-1]}, {loc}" in text, (src, loc)
    assert "Marine industries (stated)" in text or "Marine industries (inferred)" in text
    assert "Bridge score" in text and "Suggested pair with" in text
    assert "Biotech North" in panel.locator("a").all_inner_texts()
    save_screenshot(page, "viewer-panel")
    # a neighbour's link selects it
    page.click("#panel a[data-node='initiative/biotech-north']")
    page.wait_for_function("bioecoViewer.highlighted() === 'initiative/biotech-north'")
    assert panel.locator("h2").inner_text() == "Biotech North"
    # the list: sorted by name on a click, a row click selects
    page.fill("#search", "")
    _settle(page)
    before = page.locator("#list-table tbody tr td:first-child").all_inner_texts()
    scores = page.locator("#list-table tbody tr td:nth-child(4)").all_inner_texts()
    decimals = {len(s.partition(".")[2]) for s in scores if s}
    assert len(decimals) == 1, scores  # one number format in the column ("1.000" beside "0.991")
    page.click("#list-table th button[data-sort='name']")
    names = page.locator("#list-table tbody tr td:first-child").all_inner_texts()
    by_name = "(xs) => xs.slice().sort((a, b) => a.localeCompare(b))"  # the reader's collation
    assert names == page.evaluate(by_name, names) and names != before
    assert len(names) == min(len(_visible(page)), 300)
    page.click("#list-table tbody tr[data-node='actor/ntnu']")
    page.wait_for_function("bioecoViewer.highlighted() === 'actor/ntnu'")
    assert panel.locator("h2").inner_text() == "NTNU"
    visit.assert_clean()


def test_year_control_draws_the_memberships_of_that_year(open_page, pages, real_dataset):
    visit = _open(open_page, pages["bipartite"])
    page = visit.page
    _settle(page)
    options = page.locator("#year option").all_inner_texts()
    assert options == ["all years", "2017", "2021", "change 2017 → 2021"]
    seen = {}
    for year in (2017, 2021):
        page.select_option("#year", str(year))
        _settle(page)
        graph = bipartite_graph(real_dataset, as_of=year)
        assert _visible(page) == {entity_id(n) for n in graph}
        lines = page.evaluate(
            """() => bioecoViewer.edges.get({filter: (e) => !e.hidden && !e.overlay})
                .map((e) => [e.from, e.to].sort().join(' '))"""
        )
        assert sorted(lines) == sorted(
            " ".join(sorted((entity_id(a), entity_id(b)))) for a, b in graph.edges
        )
        seen[year] = set(lines)
    assert seen[2017] != seen[2021]

    # the change mode: every node, coloured by what analyze change says of it, in its words
    from bioeco.analyses.change import compare_years

    page.select_option("#year", "change")
    _settle(page)
    assert _visible(page) == {entity_id(n) for n in bipartite_graph(real_dataset)}
    legend = page.text_content("#legend")
    assert "Colour: change 2017 → 2021" in legend and "not-observed" in legend
    table = compare_years(real_dataset, 2017, 2021)["change_continuity"]
    colours = {n["id"]: n["color"]["background"] for n in page.evaluate("bioecoViewer.nodes.get()")}
    swatches = page.evaluate(
        """() => [...document.querySelectorAll('#legend ul:first-of-type li')]
            .filter((li) => li.querySelector('.swatch'))
            .map((li) => [li.children[1].textContent,
                          li.querySelector('.swatch').style.background])"""
    )
    by_words = {words: colour for words, colour in swatches}
    for subject, status, difference in table[["subject", "status", "difference"]].itertuples(False):
        if subject not in colours:
            continue
        words = next(w for w in by_words if w.startswith({"both": "in both"}.get(status, "only")))
        if status != "both":
            year = 2017 if status == "only-earlier" else 2021
            words = next(w for w in by_words if w.startswith(f"only {year}: {difference}"))
        red, green, blue = (int(colours[subject][i : i + 2], 16) for i in (1, 3, 5))
        assert by_words[words] == f"rgb({red}, {green}, {blue})", (subject, words)
    visit.assert_clean()


def test_the_link_restores_the_view_and_exports_open(open_page, pages, tmp_path):
    from PIL import Image

    visit = _open(open_page, pages["bipartite"], width=1440, height=900)
    page = visit.page
    _settle(page)
    page.fill("#search", "nor")
    _check(page, "sector", "marine")
    page.select_option("#year", "2021")
    page.select_option("#colour", "community")
    page.select_option("#size", "degree")
    _settle(page)
    page.click("#list-table tbody tr:first-child")
    page.click("#share")
    link = page.input_value("#link")
    assert "#" in link and "sector=marine" in link
    state = page.evaluate("bioecoViewer.state()")
    shown = _visible(page)
    colours = page.evaluate("bioecoViewer.nodes.get().map(n => n.color.background)")

    again = _open(
        open_page, pages["bipartite"], width=1440, height=900, fragment="#" + link.split("#", 1)[1]
    )
    other = again.page
    _settle(other)
    assert other.evaluate("bioecoViewer.state()") == state
    assert _visible(other) == shown
    assert other.evaluate("bioecoViewer.nodes.get().map(n => n.color.background)") == colours
    assert other.evaluate("bioecoViewer.highlighted()") == state["sel"]
    assert other.input_value("#search") == "nor"
    assert "Colour: community" in other.text_content("#legend")

    # exports: a PNG of the drawing area and an SVG of what is shown, both files that open
    with page.expect_download() as info:
        page.click("#export-png")
    png = tmp_path / "view.png"
    info.value.save_as(png)
    with Image.open(png) as image:
        size = page.evaluate(
            "[bioecoViewer.network.canvas.frame.canvas.width,"
            " bioecoViewer.network.canvas.frame.canvas.height]"
        )
        assert list(image.size) == size
        assert len(image.convert("RGB").getcolors(1 << 24)) > 20  # a drawing, not a blank
    with page.expect_download() as info:
        page.click("#export-svg")
    svg = tmp_path / "view.svg"
    info.value.save_as(svg)
    import xml.etree.ElementTree as ET

    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    marks = {e.get("data-node") for e in root.iter() if e.get("data-node")}
    assert marks == shown
    texts = {t.text for t in root.iter(f"{ns}text")}
    assert texts and texts <= {n["label"] for n in page.evaluate("bioecoViewer.nodes.get()")}
    visit.assert_clean()
    again.assert_clean()


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
    from bioeco.viz import viewer_model

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(viewer_model, "HOVER_MAX_NODES", 1)  # as if the graph were big
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

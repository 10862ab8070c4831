"""The summarised view of a big graph in a real browser (Debian's headless Chromium): the note
says what is left out, and search and focus reach a node the summary does not draw."""

from __future__ import annotations

import pytest

from bioeco.viz import viewer_summary
from bioeco.viz.viewer import viewer_data, write_viewer

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

"""The report in a real browser (Debian Chromium): offline, heatmap numbers, hostile labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioeco.ingest.build import build_dataset
from bioeco.viz import report as rep
from tests.viz.hostile import HOSTILE, SCRIPT, hostile_graph


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> tuple[Path, rep.ReportData]:
    """The report of the real data/ with the default options, and what it was made from."""
    data = rep.collect(build_dataset(), top=10)
    path = tmp_path_factory.mktemp("report") / "report.html"
    rep.write_report(path, rep.render(data))
    return path, data


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "report.html"
    rep.write_report(path, rep.render(rep.collect(hostile_graph(), top=5, min_shared=1)))
    return path


def test_report_loads_offline_without_errors(real_report, open_page, save_screenshot):
    path, _ = real_report
    visit = open_page(path)
    visit.assert_clean()
    assert visit.requests == [path.resolve().as_uri()]  # the page itself, nothing else
    page = visit.page
    assert page.title() == "bioeco: ecosystem report"
    assert page.locator("h2").all_inner_texts()[:3] == [
        "Key findings",
        "Coverage: sector × value-chain stage",
        "Sector pairs that meet less than expected",
    ]
    shot = save_screenshot(page, "report")
    save_screenshot(page, "report-full", full_page=True)
    assert shot.stat().st_size > 10_000


def test_heatmap_numbers_in_the_browser_equal_gaps_coverage(real_report, open_page):
    path, data = real_report
    page = open_page(path).page
    cells = page.eval_on_selector_all(
        "#coverage svg g[id^='count-']", "gs => gs.map(g => [g.id, g.textContent.trim()])"
    )
    table = data.tables["gaps_coverage"]
    expected = {
        f"count-{e}-{s}-{t}": str(int(c))
        for e, s, t, c in table[["entity", "sector", "stage", "count"]].itertuples(index=False)
    }
    assert dict(cells) == expected
    assert len(expected) == len(table) > 0
    # the heatmap is drawn on screen, with its readable labels
    box = page.locator("#coverage svg").bounding_box()
    assert box["width"] > 600 and box["height"] > 200
    assert "Marine industries" in page.locator("#coverage svg").text_content()


def test_biotech_north_and_dln_are_in_the_report(real_report, open_page):
    path, _ = real_report
    text = open_page(path).page.inner_text("body")
    for expected in ("btn-ar-2021", "dln-2017", "Biotech North", "Digital Life Norway"):
        assert expected in text


def test_viewer_link_points_next_to_the_report(real_report, open_page):
    path, _ = real_report
    href = open_page(path).page.get_attribute("header a", "href")
    assert href == "viewer.html"


def test_hostile_labels_show_as_text_and_run_nothing(hostile_report, open_page, save_screenshot):
    visit = open_page(hostile_report)
    page = visit.page
    page.wait_for_timeout(200)  # let any injected handler fire; a pass never depends on it
    visit.assert_clean()
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    text = page.inner_text("body")
    assert HOSTILE in text and SCRIPT in text
    assert "A & <b>bold</b>" in text
    page.locator("#overlap").scroll_into_view_if_needed()
    save_screenshot(page, "report-hostile")


def test_findings_first_change_present_no_path_and_a_short_main_part(
    real_report, open_page, save_screenshot
):
    """At 1280 px the key findings open the page, the change between the sources' years is
    there, no machine path shows, and the main part (before the appendix) is at most about four
    screens (4 000 px)."""
    path, data = real_report
    page = open_page(path, width=1280, height=900).page
    first = page.locator("main section").first
    assert first.get_attribute("id") == "findings"
    assert first.bounding_box()["y"] < 300
    items = page.locator("#findings li").all_inner_texts()
    assert 1 <= len(items) <= 7 and len(items) == len(data.findings)
    assert page.locator("#change").count() == 1
    assert "only not observed" in page.inner_text("#change").lower()
    text = page.inner_text("body")
    assert str(path.parent) not in text and "/home/" not in text and "/work/" not in text
    main_height = page.evaluate("document.getElementById('appendix').offsetTop")
    assert main_height <= 4000, main_height
    save_screenshot(page, "report-findings")
    save_screenshot(page, "report-main", full_page=True)

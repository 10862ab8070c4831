"""The browser fixtures themselves: they must see what a page does wrong."""

from __future__ import annotations

from pathlib import Path


def _page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    return path


def test_a_clean_local_page_passes(tmp_path, open_page):
    visit = open_page(_page(tmp_path, "<p id='x'>hello</p>"))
    assert visit.page.text_content("#x") == "hello"
    visit.assert_clean()
    assert visit.requests and all(url.startswith("file://") for url in visit.requests)


def test_requests_off_the_machine_are_recorded_and_aborted(tmp_path, open_page):
    visit = open_page(_page(tmp_path, "<img src='http://127.0.0.1:9/pixel.png'>"))
    visit.page.wait_for_load_state("load")
    assert visit.outside_requests == ["http://127.0.0.1:9/pixel.png"]


def test_dialogs_console_errors_and_exceptions_are_recorded(tmp_path, open_page):
    body = "<script>console.error('bad'); alert('boom');</script><script>null.x</script>"
    visit = open_page(_page(tmp_path, body))
    assert visit.dialogs == ["alert: boom"]
    assert visit.console_errors == ["bad"]
    assert len(visit.page_errors) == 1


def test_screenshot_is_saved_under_out(tmp_path, open_page, save_screenshot):
    visit = open_page(_page(tmp_path, "<h1>screenshot</h1>"), width=320, height=200)
    path = save_screenshot(visit.page, "browser-fixture")
    assert path.parent.name == "screenshots" and path.parent.parent.name == "out"
    assert path.read_bytes().startswith(b"\x89PNG")

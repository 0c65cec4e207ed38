"""The review report in a real browser: Debian's headless Chromium driven by Playwright.

Nothing is downloaded: Playwright drives /usr/bin/chromium (`.ci/browser-setup.sh`
installs it). Without it the test skips, except on CI (CI=true), where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """Playwright's Chromium API bound to Debian's browser; skip (fail on CI) without it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} missing: install it with `bash .ci/browser-setup.sh` (apt: chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, corpus_items) -> Path:
    """The report of the bundled corpus plus the hostile document (see test_report)."""
    from govfacts.pipeline.report import write_report
    from test_report import build_store

    folder = tmp_path_factory.mktemp("browser")
    with build_store(folder / "r.duckdb", corpus_items) as store:
        return write_report(store, folder / "report.html")


@pytest.fixture
def opened(chromium, report_file):
    """A page showing the report, with every console message, dialog and request recorded."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    seen = {"console": [], "errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(report_file.as_uri(), wait_until="load")
    yield page, seen
    page.close()


def test_report_renders_table_charts_and_highlights(opened, tmp_path):
    page, seen = opened
    rows = page.locator("#city-period-table tbody tr")
    assert rows.count() >= 40
    assert page.locator("#city-period-table tbody tr", has_text="2021年1-6月").first.is_visible()

    charts = page.locator("#charts figure img")
    assert charts.count() >= 3
    sizes = charts.evaluate_all(
        "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert all(ok and w > 300 and h > 200 for ok, w, h in sizes), sizes

    kinds = page.locator(".doc .m").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert len(kinds) >= 200 and {"amount", "count", "growth", "date", "project"} <= set(kinds)
    colours = page.locator(".doc .m").evaluate_all(
        "els => new Set(els.map(e => getComputedStyle(e).backgroundColor)).size"
    )
    assert colours >= 5  # one colour per kind

    # the hostile document shows its markup as text, and nothing of it became an element
    hostile = page.locator("article.doc", has_text="淮南市召开新闻发布会")
    assert "<script>alert(1)</script>" in hostile.inner_text()
    assert "<img src=x onerror=alert(1)>" in hostile.inner_text()
    assert page.locator("script").count() == 1
    assert page.locator("img[onerror], [onclick], iframe").count() == 0
    assert page.evaluate("typeof window.alert") == "function"

    page.screenshot(path=str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000

    assert seen["dialogs"] == []
    assert seen["errors"] == []
    assert [c for c in seen["console"] if c[0] in ("error", "warning")] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]


def test_hover_shows_value_unit_status_period_city_speaker(opened):
    page, seen = opened
    mention = page.locator("article.doc", has_text="淮南市召开新闻发布会").locator(".m.k-count")
    mention.scroll_into_view_if_needed()
    mention.hover()
    tip = mention.evaluate("e => getComputedStyle(e, '::after').content")
    for part in (
        "48个",
        "值 value: 48 个",
        "status: actual",
        "2021-01-01 – 2021-06-30",
        "city: 淮南市",
        "speaker",
    ):
        assert part in tip
    assert seen["errors"] == [] and seen["dialogs"] == []


def test_value_link_jumps_to_its_evidence_and_filter_hides_rows(opened):
    page, seen = opened
    link = page.locator("#city-period-table tr", has_text="2021年1-6月").locator("a.v").first
    link.click()
    target = page.evaluate("location.hash")
    assert target.startswith("#fact-")
    evidence = page.locator(target)
    assert evidence.is_visible() and "48个" in evidence.locator("mark").first.inner_text()

    page.fill("#filter", "淮南市")
    shown = page.locator("#city-period-table tbody tr:not([hidden])").all_inner_texts()
    assert shown and all("淮南市" in r for r in shown)
    page.fill("#filter", "")
    assert page.locator("#city-period-table tbody tr[hidden]").count() == 0
    assert seen["errors"] == [] and seen["dialogs"] == []

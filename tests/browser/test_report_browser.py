"""The HTML report in a real browser (Debian's headless Chromium, driven by Playwright):
charts and highlights render, filters filter, and a hostile document stays text.

Skips without a Chromium binary or Playwright, unless EVENTX_REQUIRE_BROWSER=1 (set by
.ci/run, which installs Chromium): then it fails, so CI cannot pass without running it.
Playwright never downloads a browser here: it launches /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "analysis" / "data"
ARTIFACTS = ROOT / "out" / "test-artifacts"  # out/ is ignored by git
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TITLE = "eventx browser test"


def _chromium() -> str:
    """The Chromium binary, or skip (fail when the browser is required)."""
    found = os.environ.get("EVENTX_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    reason = None
    if not found:
        reason = "no chromium binary (install Debian's chromium package: apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason:
        if os.environ.get("EVENTX_REQUIRE_BROWSER") == "1":
            pytest.fail(f"EVENTX_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    """The report of the test corpus (hostile document included), open in headless Chromium."""
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    log, report = tmp / "events.sqlite", tmp / "report.html"
    corpus = str(DATA / "dated.jsonl")
    result = runner.invoke(app, ["run", corpus, "-r", str(DATA / "rules"), "-o", str(log), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", str(log), "--corpus", corpus, "--title", TITLE, "-o", str(report)])
    assert result.exit_code == 0, result.output

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp / "profile"),  # a new, empty user data dir
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 1000},
            java_script_enabled=True,
        )
        try:
            page = context.new_page()
            page.problems = []  # console errors, page errors and dialogs: none expected
            page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
            page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
            page.goto(report.as_uri())
            page.wait_for_selector("li.event")
            yield page
        finally:
            context.close()


def _visible_events(page) -> int:
    return page.locator("li.event:visible").count()


def test_charts_render_as_svg(page) -> None:
    assert page.locator("svg.chart").count() >= 5
    assert page.locator("svg.chart-types rect").count() == 3  # one bar per type
    assert page.locator("svg.chart-time g.bucket").count() == 6  # 1 to 6 March
    box = page.locator("svg.chart-types").bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 40


def test_triggers_and_arguments_are_highlighted(page) -> None:
    triggers = page.locator("article.doc mark.ann.trigger")
    assert triggers.count() == 8
    first = page.locator("article.doc").first
    assert first.locator("mark.trigger").first.inner_text() == "sending"
    assert "Lithuania" in first.locator("mark.arg").all_inner_texts()
    assert page.locator("mark.trigger.m-possible").count() == 1
    assert page.locator("mark.trigger.m-negated").count() == 1
    # a highlight is coloured: its background is not transparent
    colour = first.locator("mark.trigger").first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")


def test_filtering_by_type_and_modality(page) -> None:
    total = _visible_events(page)
    assert total == 8
    deployment = page.locator('input[data-type="deployment"]')
    deployment.click()
    try:
        assert _visible_events(page) == total - 5
        assert page.locator("mark.trigger.off").count() == 5  # unhighlighted, text kept
        assert "3 of 8 events shown" in page.locator("#counter").inner_text()
    finally:
        deployment.click()
    assert _visible_events(page) == total
    negated = page.locator('input[data-modality="negated"]')
    negated.click()
    try:
        assert _visible_events(page) == total - 1
    finally:
        negated.click()


def test_hostile_document_is_shown_as_text_and_runs_nothing(page) -> None:
    assert page.title() == TITLE
    assert page.evaluate("typeof window.__pwned") == "undefined"
    hostile = page.locator("article.doc", has_text="window.__pwned=3")
    assert hostile.count() == 1
    text = hostile.locator(".text").inner_text()
    assert '<script>window.__pwned = 1; document.title = "pwned";</script>' in text
    assert '"><img src=x onerror=' in text
    assert "<b>Paris</b>" in text
    assert hostile.locator("img, script, b").count() == 0  # no element came from the text
    assert '<img src=x onerror="window.__pwned=4">' in hostile.locator("h3").inner_text()
    assert page.problems == []


def test_screenshot_artifact(page) -> None:
    """Saved for people (and CI artifacts) to look at: out/test-artifacts/report.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "report.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000

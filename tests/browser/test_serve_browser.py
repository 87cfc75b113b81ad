"""`eventx serve` driven in a real browser (Debian's headless Chromium, via Playwright), as a
rule author would: open the pack, see the sample's matches, edit, break a pattern, save.

Skips without Chromium or Playwright, unless EVENTX_REQUIRE_BROWSER=1 (CI): then it fails.
Playwright never downloads a browser here: it launches /usr/bin/chromium.
"""

from __future__ import annotations

import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from eventx.api import Extractor
from eventx.io.readers import iter_corpus
from eventx.serve import Session, make_server, serve_in_thread
from eventx.text.model import Document

from test_report_browser import ARTIFACTS, CHROMIUM_ARGS, _chromium

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "analysis" / "data"
CORPUS = DATA / "dated.jsonl"
TRIGGER = "[lemma=send]=trigger"
EDITOR = "[data-testid=rule-editor]"
MATCH = "[data-testid=match]"
TIMEOUT = 30_000  # ms: the machine may be busy; a live result normally takes well under 1 s


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(DATA / "rules", rules)
    return rules


@pytest.fixture()
def served(pack: Path):
    session = Session(pack, [str(CORPUS)])
    server = make_server(session, "127.0.0.1", 0)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def page(browser, served):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.problems = []  # console errors, page errors, dialogs: none expected
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(served.url)
    page.wait_for_selector(MATCH)
    yield page
    context.close()


def _events(pack: Path) -> list[dict]:
    extractor = Extractor(pack)
    return [e for d in iter_corpus([str(CORPUS)]) if isinstance(d, Document) for e in extractor.extract(d)]


def _settled(page) -> None:
    """Wait until the page shows the analysis of what the editor holds."""
    page.wait_for_function(
        "() => /up to date|error\\(s\\)/.test(document.getElementById('status').textContent)"
    )


def test_the_page_opens_the_packs_rule_file_and_shows_the_sample_matches(page, pack: Path) -> None:
    assert page.locator(EDITOR).input_value() == (pack / "events.yml").read_text()
    events = _events(pack)
    assert len(events) > 1
    matches = page.locator(MATCH)
    assert matches.count() == len(events)
    shown = sorted((m.get_attribute("data-rule"), m.get_attribute("data-type")) for m in matches.all())
    assert shown == sorted((e["rule"], e["type"]) for e in events)
    first = events[0]
    item = page.locator(f'{MATCH}[data-rule="{first["rule"]}"]').first
    assert first["type"] in item.inner_text() and first["modality"] in item.inner_text()
    for role, arg in first["args"].items():
        assert f"{role}={arg['text']}" in item.inner_text()
    # the trigger is highlighted in its document, coloured
    mark = page.locator("mark.trigger").first
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    # the hostile document of the corpus stays text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#documents img, #documents script").count() == 0
    assert page.problems == []


def test_filter_by_rule(page, pack: Path) -> None:
    events = _events(pack)
    rule = events[0]["rule"]
    page.select_option("[data-testid=rule-filter]", rule)
    assert page.locator(MATCH).count() == sum(e["rule"] == rule for e in events)
    assert {m.get_attribute("data-rule") for m in page.locator(MATCH).all()} == {rule}
    page.select_option("[data-testid=rule-filter]", "")
    assert page.locator(MATCH).count() == len(events)


def test_an_edit_matching_nothing_empties_the_matches_live_without_saving(page, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    text = before.decode()
    nothing = re.sub(r"\]=trigger", " & lower=qqqzzx]=trigger", text)
    assert nothing != text
    page.fill(EDITOR, nothing)
    page.wait_for_function(f"() => document.querySelectorAll('{MATCH}').length === 0")
    _settled(page)
    assert page.locator(MATCH).count() == 0
    assert "no problems" in page.locator("[data-testid=diagnostics]").inner_text()
    lost = len(_events(pack))
    assert f"{lost} lost" in page.locator("#diff-count").inner_text()
    assert "failed" in page.locator("[data-testid=examples]").inner_text()
    assert (pack / "events.yml").read_bytes() == before  # nothing was saved
    assert page.locator("#dirty").is_visible()
    page.fill(EDITOR, text)  # undoing the edit brings them back
    page.wait_for_function(f"() => document.querySelectorAll('{MATCH}').length === {lost}")


def test_a_broken_pattern_shows_a_positioned_diagnostic_and_leaves_the_file_untouched(page, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    broken = before.decode().replace(TRIGGER, "[lemma=send=trigger")
    line = next(i for i, l in enumerate(broken.splitlines(), 1) if "[lemma=send=trigger" in l)
    page.fill(EDITOR, broken)
    diagnostics = page.locator("[data-testid=diagnostics] li.error")
    diagnostics.first.wait_for()
    text = diagnostics.first.inner_text()
    assert re.search(rf"events\.yml:{line}:\d+ E2\d\d error: ", text), text
    assert page.locator("[data-testid=save]").is_disabled()
    assert page.locator(".gutter .err", has_text=str(line)).count() == 1
    # clicking the problem puts the caret on its line
    diagnostics.first.click()
    caret_line = page.evaluate("() => { const t = document.querySelector('[data-testid=rule-editor]');"
                               " return t.value.slice(0, t.selectionStart).split('\\n').length; }")
    assert caret_line == line
    page.keyboard.press("Control+s")  # refused while there are errors
    assert (pack / "events.yml").read_bytes() == before


def test_save_writes_the_new_text(page, pack: Path) -> None:
    text = (pack / "events.yml").read_text().replace("A country sends forces somewhere.", "A country sends its forces.")
    page.fill(EDITOR, text)
    _settled(page)
    page.locator("[data-testid=save]").click()
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('saved')"
                           " || /up to date/.test(document.getElementById('status').textContent)")
    assert (pack / "events.yml").read_text() == text
    assert page.locator("#dirty").is_hidden()
    assert page.problems == []


def test_try_a_sentence_is_explained_live(page) -> None:
    page.fill("[data-testid=try-sentence]", "Poland is sending 2,000 troops to Lithuania.")
    explained = page.locator("[data-testid=explain]")
    explained.locator(".event").first.wait_for()
    shown = explained.inner_text()
    assert "deployment" in shown and "test.send" in shown
    assert "@countries=POL" in shown  # the tokens table, with lexicon hits
    page.fill("[data-testid=try-sentence]", "Poland is sending parcels to Lithuania.")
    explained.locator(".miss").first.wait_for()
    assert "test.send" in explained.locator(".miss").first.inner_text()


class _Attacker(BaseHTTPRequestHandler):
    """Another site the author visits: its page tries to write the pack."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802
        body = f"""<!doctype html><title>elsewhere</title><script>
        window.results = [];
        const body = JSON.stringify({{path: "events.yml", text: "rules: []\\n"}});
        fetch("{self.target}api/save", {{method: "POST", headers: {{"Content-Type": "application/json"}}, body}})
          .then(r => window.results.push("json " + r.status), e => window.results.push("json blocked"));
        fetch("{self.target}api/save", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body}})
          .then(r => window.results.push("simple " + r.type), e => window.results.push("simple blocked"));
        fetch("{self.target}api/file?path=events.yml").then(r => r.text())
          .then(t => window.results.push("read " + t.length), e => window.results.push("read blocked"));
        </script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_another_site_cannot_read_or_write_the_pack(browser, served, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    handler = type("Attacker", (_Attacker,), {"target": served.url})
    attacker = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
        page.wait_for_function("() => window.results.length === 3", timeout=TIMEOUT)
        results = page.evaluate("window.results")
        assert "json blocked" in results  # the preflight is not granted
        assert "read blocked" in results  # no CORS header: the answer cannot be read
    finally:
        context.close()
        attacker.shutdown()
        attacker.server_close()
    assert (pack / "events.yml").read_bytes() == before


def test_screenshot_artifact(page) -> None:
    """For people and CI artifacts: out/test-artifacts/serve.png (docs/serve.png is made the same way)."""
    page.fill("[data-testid=try-sentence]", "Poland is sending 2,000 troops to Lithuania.")
    page.locator("[data-testid=explain] .event").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "serve.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000

#!/usr/bin/env python
"""Take docs/serve.png: `eventx serve` on the shipped pack and corpora/sample, in Debian's
headless Chromium (Playwright, never a downloaded browser), with an unsaved edit that loses
events (``send`` taken out of the headline deployment rule) and a sentence explained.

Usage: .venv/bin/python scripts/serve-screenshot.py [OUT.png]
Nothing is saved: the edit stays in the page.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from eventx.serve import Session, make_server, serve_in_thread

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "serve.png"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("no chromium binary (apt-get install chromium)")
    session = Session(ROOT / "rules", [str(ROOT / "corpora" / "sample")])
    server = make_server(session, "127.0.0.1", 0)
    serve_in_thread(server)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 1200})
            page.set_default_timeout(60_000)
            page.goto(server.url)
            page.wait_for_selector("[data-testid=match]")
            page.select_option("[data-testid=file-list]", "deployment.yml")
            page.wait_for_function("() => /up to date/.test(document.getElementById('status').textContent)")
            editor = page.locator("[data-testid=rule-editor]")
            text = editor.input_value()
            editor.fill(text.replace("[lemma=send|dispatch|rush|airlift|", "[lemma=dispatch|rush|airlift|", 1))
            line = text[: text.index("[lemma=send|dispatch|rush|airlift|")].count("\n")  # the edited line, near the top
            editor.evaluate("(t, line) => { t.setSelectionRange(0, 0); t.scrollTop = (line - 12) * 19;"
                            " t.dispatchEvent(new Event('scroll')); }", line)
            page.wait_for_function("() => /up to date/.test(document.getElementById('status').textContent)")
            page.fill("[data-testid=try-sentence]", "Two destroyers were dispatched to the Gulf.")
            page.locator("[data-testid=explain] .sentence").first.wait_for()
            page.evaluate("() => { document.getElementById('right').scrollTop = 0; }")
            page.wait_for_timeout(500)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

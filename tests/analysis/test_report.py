"""`eventx report`: one offline HTML file; document text is always text, never markup.

The browser test (tests/browser) checks what a user sees; these check the file itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest
from analysis_inputs import CORPUS, HOSTILE_ID
from typer.testing import CliRunner

from eventx.cli import app
from eventx.rules.model import TypeDecl
from eventx.io.eventlog import DocInfo
from eventx.report import build_report, segments
from eventx.report.charts import date_buckets

runner = CliRunner()
HOSTILE_MARKUP = ("<script>window.__pwned", "<img src=x", "onerror", "<!--", "<b>Paris</b>", "{{ data }}")


def _report(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


_DATA_BLOCK = re.compile(r'<script type="application/json" id="eventx-data">(.*?)</script>', re.S)


def _data(html: str) -> dict:
    block = _DATA_BLOCK.search(html)
    assert block is not None
    return json.loads(block.group(1))


def _markup(html: str) -> str:
    """The page without its JSON data block, which must hold no ``<``/``>`` at all."""
    block = _DATA_BLOCK.search(html)
    assert block is not None and not set("<>") & set(block.group(1))
    return html[: block.start(1)] + html[block.end(1) :]


def _doc(data: dict, doc_id: str) -> dict:
    return next(d for d in data["docs"] if d["id"] == doc_id)


def _marked(doc_or_snippet: list, anns: list, kind: str) -> list[str]:
    """Texts covered by annotations of ``kind`` (joining adjacent pieces of one annotation)."""
    found: dict[int, str] = {}
    for text, ids in doc_or_snippet:
        for i in ids:
            if anns[i][1] == kind:
                found[i] = found.get(i, "") + text
    return list(found.values())


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "sqlite"])
def test_report_from_every_format_is_self_contained(logs: dict[str, Path], tmp_path: Path, fmt: str) -> None:
    html = _markup(_report(tmp_path, str(logs[fmt])))
    assert html.count("<svg") >= 4
    assert not re.search(r"https?:|//[a-z]", html, re.I)  # nothing to fetch, works offline
    assert not re.search(r"<(link|img|iframe|object)\b|\bsrc=|@import", html, re.I)
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the data block and ours


def test_hostile_text_is_data_not_markup(logs: dict[str, Path], tmp_path: Path) -> None:
    html = _report(tmp_path, str(logs["jsonl"]), "--corpus", str(CORPUS))
    for markup in HOSTILE_MARKUP:
        assert markup not in _markup(html)
    data = _data(html)
    hostile = _doc(data, HOSTILE_ID)  # the id that tries to close the script block survives as data
    text = "".join(piece for piece, _ in hostile["segments"])
    assert text == json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[-1])["text"]
    assert hostile["title"] == '<img src=x onerror="window.__pwned=4">'


def test_the_script_is_allowed_by_hash_and_nothing_else(logs: dict[str, Path], tmp_path: Path) -> None:
    html = _report(tmp_path, str(logs["jsonl"]))
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1))
    script = re.search(r"<script>(.*)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_with_the_corpus_every_event_is_marked_in_its_document(logs: dict[str, Path], tmp_path: Path) -> None:
    data = _data(_report(tmp_path, str(logs["sqlite"]), "--corpus", str(CORPUS)))
    doc = _doc(data, "wire-001")
    assert "".join(piece for piece, _ in doc["segments"]).startswith("Poland is sending 2,000 troops")
    assert _marked(doc["segments"], doc["anns"], "trigger") == ["sending", "alert"]
    assert "Lithuania" in _marked(doc["segments"], doc["anns"], "arg")
    # offsets are Python string indices: right after characters outside the BMP too
    rocket = _doc(data, "wire-004")
    assert _marked(rocket["segments"], rocket["anns"], "trigger") == ["send", "sending"]
    assert [data["events"][k]["modality"] for k in rocket["events"]] == ["possible", "asserted"]
    assert not any(e["misplaced"] for e in data["events"])


def test_without_the_corpus_events_show_their_spans(logs: dict[str, Path], tmp_path: Path) -> None:
    data = _data(_report(tmp_path, str(logs["csv"])))
    doc = _doc(data, "wire-001")
    assert doc["segments"] is None
    first = data["events"][doc["events"][0]]
    assert "".join(piece for piece, _ in first["snippet"]) == "Poland is sending 2,000 troops to Lithuania"
    assert _marked(first["snippet"], doc["anns"], "trigger") == ["sending"]


def test_a_changed_corpus_is_flagged_not_mismarked(logs: dict[str, Path], tmp_path: Path) -> None:
    changed = tmp_path / "dated.jsonl"
    changed.write_text(CORPUS.read_text(encoding="utf-8").replace("Poland is", "Poland, it is said, is"), encoding="utf-8")
    data = _data(_report(tmp_path, str(logs["jsonl"]), "--corpus", str(changed)))
    doc = _doc(data, "wire-001")
    assert data["events"][doc["events"][0]]["misplaced"] is True
    assert "sending" not in _marked(doc["segments"], doc["anns"], "trigger")


def test_time_chart_has_a_bar_per_day_from_document_dates(logs: dict[str, Path], tmp_path: Path) -> None:
    html = _report(tmp_path, str(logs["sqlite"]))
    assert "per day" in html
    assert html.count('<g class="bucket">') == 6  # 1 to 6 March, empty days included
    assert "No document dates" in _report(tmp_path, str(logs["jsonl"]))


def test_max_docs_limits_the_document_view_not_the_charts(logs: dict[str, Path], tmp_path: Path) -> None:
    html = _report(tmp_path, str(logs["jsonl"]), "--max-docs", "2")
    assert len(_data(html)["docs"]) == 2
    assert "first 2 of 4 documents" in html
    assert "<strong>8</strong> events" in html


def test_segments_nest_overlapping_spans_outermost_first() -> None:
    pieces = segments("abcdefgh", [(2, 6, 0), (4, 5, 1), (0, 8, 2)])
    assert "".join(p for p, _ in pieces) == "abcdefgh"
    assert pieces == [["ab", [2]], ["cd", [2, 0]], ["e", [2, 0, 1]], ["f", [2, 0]], ["gh", [2]]]
    assert segments("", []) == []


def test_date_buckets_widen_with_the_range() -> None:
    assert date_buckets(["2024-01-30", "2024-02-02"]) == ("day", ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"])
    granularity, months = date_buckets(["2023-11-05", "2024-02-01", "not a date"])
    assert (granularity, months) == ("month", ["2023-11", "2023-12", "2024-01", "2024-02"])
    assert date_buckets(["1990-01-01", "2024-01-01"])[0] == "year"


def test_build_report_api_escapes_what_it_writes_as_html() -> None:
    event = {"doc_id": "<d>", "type": "deployment", "modality": "asserted", "rule": "r",
             "trigger": {"text": "<i>", "start": 0, "end": 3}, "span": {"text": "<i>", "start": 0, "end": 3},
             "args": {"agent": {"text": "<script>", "start": 0, "end": 3}}}
    types = {"deployment": TypeDecl("deployment", roles={"agent": "actor"})}
    html = build_report([event], documents={"<d>": DocInfo("2024-01-01", "<t>")}, title="<title>", types=types.__getitem__)
    assert "<title>&lt;title&gt;</title>" in html
    assert "&lt;script&gt;" in html  # the actor chart label
    assert "<i>" not in html and "<d>" not in html


def test_unwritable_output_is_a_clear_error(logs: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(logs["jsonl"]), "-o", str(tmp_path / "missing" / "r.html")])
    assert result.exit_code == 2
    assert "the output directory does not exist" in result.output

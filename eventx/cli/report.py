"""``eventx report``: a self-contained HTML report of an event log."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from eventx.cli.app import CorpusOption, FormatOption, RulesOption, app, stderr_console
from eventx.cli.stats import corpus_warning


@app.command()
def report(
    events: Annotated[str, typer.Argument(help="Event log: .jsonl, .csv or .sqlite/.db as written by eventx run.")],
    output: Annotated[str, typer.Option("--output", "-o", help="HTML file to write.")],
    fmt: FormatOption = None,
    corpus: CorpusOption = None,
    rules: RulesOption = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Page title (default: from the log's name).")] = None,
    max_docs: Annotated[int, typer.Option("--max-docs", min=1, help="Documents in the document view (charts count all).")] = 200,
    top: Annotated[int, typer.Option("--top", min=1, help="How many actors and places to chart.")] = 10,
) -> None:
    """Write one offline HTML file: charts, and every event highlighted in its document.

    Example: eventx report events.jsonl --corpus corpora/ -o report.html
    """
    from eventx.report import report_from_log
    from eventx.stats import pack_types

    summary = report_from_log(
        events, output, fmt, corpus, title=title, max_docs=max_docs, top=top, types=pack_types(rules),
        on_problem=corpus_warning,
    )
    if summary.with_text:
        text = "with their text" + (f" ({summary.with_text} found in the corpus)" if summary.with_text < summary.documents_shown else "")
    elif corpus:
        text = "as event spans: none of them is in --corpus (ids are paths relative to the INPUT given to eventx run)"
    else:
        text = "as event spans (give --corpus for full texts)"
    stderr_console().print(
        f"wrote {summary.path}: {summary.events} events, {summary.documents_shown} of"
        f" {summary.documents_with_events} documents {text}",
        markup=False,
    )

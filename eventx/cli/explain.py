"""``eventx explain``: tokens, prefilter, events and near misses of each sentence of a text."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console

from eventx.cli.app import JsonOption, RulesOption, app, elide_lists, load_extractor, stdout_console
from eventx.errors import InputError


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="The text to explain, or - to read it from stdin.")],
    rules: RulesOption = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="Explain this rule or mention rule (by id) even if the prefilter skips it.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show how the rules see a text: tokens, mentions by layer, selected rules, events, and why
    rules and mention rules did not fire.

    Example: eventx explain "Poland is sending troops to Lithuania." --rule deployment.active
    """
    from eventx.explain import Explainer

    if text == "-":
        text = sys.stdin.read()
    extractor = load_extractor(rules)
    reports = Explainer(extractor).explain(text, rule_id=rule)
    if not reports:
        raise InputError("the text has no tokens")
    if as_json:
        typer.echo(json.dumps({"sentences": [r.to_dict() for r in reports]}, ensure_ascii=False, indent=2))
        return
    out = stdout_console()
    for report in reports:
        _print_sentence(out, report)


def _print_sentence(out: Console, report) -> None:
    from rich.table import Table

    out.rule(f"sentence {report.index}", style="bold")
    out.print(report.text, markup=False)
    tokens = Table(show_edge=False, pad_edge=False)
    for column in ("#", "word", "lemma", "shape", "lexicons"):
        tokens.add_column(column, overflow="fold")
    for row in report.tokens:
        lexicons = " ".join(row.lexicons[:8]) + (f" … (+{len(row.lexicons) - 8} more)" if len(row.lexicons) > 8 else "")
        tokens.add_row(str(row.index), row.word, row.lemma, row.shape, lexicons)
    out.print(tokens)
    layer = None
    for mention in report.layers:
        if mention["layer"] != layer:
            layer = mention["layer"]
            out.print(f"mentions, layer {layer}:", style="bold", markup=False)
        parts = ", ".join(f"{name}={text!r}" for name, text in mention["parts"].items())
        norm = f" ={mention['norm']}" if mention["norm"] else ""
        out.print(f"  @{mention['label']} {mention['text']!r}{norm} (tokens {mention['tokens'][0]}..{mention['tokens'][1] - 1},"
                  f" {mention['rule']})" + (f" parts: {parts}" if parts else ""), markup=False)
    selected = ", ".join(report.candidates) if report.candidates else "none (no trigger word occurs)"
    out.print(f"prefilter selected: {selected}", markup=False)
    if report.events:
        events = Table(title="events", show_edge=False, pad_edge=False)
        for column in ("type", "rule", "trigger", "args", "modality", "attribution", "mentions"):
            events.add_column(column, overflow="fold")
        for event in report.events:
            args = "; ".join(
                f"{role}={arg['text']!r}" + (f" ({arg['norm']})" if "norm" in arg else "")
                + (f" ={arg['value']} {arg.get('qualifier', '')}".rstrip() if "value" in arg else "")
                for role, arg in event["args"].items()
            )
            attribution = event["attribution"]["text"] if event.get("attribution") else ""
            later = ", ".join(
                f"{m['trigger']['text']!r} (sentence {m['sentence']['index']})" for m in event.get("mentions") or ()
            )
            events.add_row(event["type"], event["rule"], event["trigger"]["text"], args, event["modality"], attribution, later)
        out.print(events)
    elif not report.mentions:
        out.print("events: none", markup=False)
    for mention in report.mentions:
        out.print(
            f"mention: {mention['of_type']} {mention['trigger']['text']!r} [{mention['modality']}] ({mention['rule']})"
            f" is merged into the event of sentence {mention['of_sentence']}"
            + (f", giving it {', '.join(mention['contributed'])}" if mention["contributed"] else ""),
            markup=False,
        )
    for miss in report.near_misses:
        style = {"event": "green", "overlap": "yellow"}.get(miss.outcome, "red")
        out.print(f"{miss.rule}: ", style=f"bold {style}", end="", markup=False)
        out.print(elide_lists(miss.message), markup=False)

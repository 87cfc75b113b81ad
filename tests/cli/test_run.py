"""`eventx run` end to end with the shipped rules, through typer's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from eventx.cli import app

SENTENCES = (
    "China has deployed about 2,000 soldiers to the disputed border region, state media reported. "
    "The embassy ordered all non-essential staff to leave Khartoum on Sunday. "
    "Japan's coast guard was placed on high alert after the launch. "
    "The president said he has no plans to send troops to the region. "
    "Officials warned that residents could be told to evacuate within hours. "
    "The software deployment was delayed."
)


def run_cli(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


def events_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def by_trigger(events: list[dict]) -> dict[str, dict]:
    return {e["trigger"]["text"]: e for e in events}


def args(event: dict) -> dict[str, str]:
    return {role: arg["text"] for role, arg in event["args"].items()}


@pytest.fixture(scope="module")
def required_events(tmp_path_factory) -> dict[str, dict]:
    doc = tmp_path_factory.mktemp("docs") / "wire.txt"
    doc.write_text(SENTENCES, encoding="utf-8")
    out = doc.parent / "events.jsonl"
    result = run_cli(str(doc), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return by_trigger([orjson.loads(line) for line in out.read_bytes().splitlines()])


def test_deployment_with_quantity_destination_and_attribution(required_events):
    event = required_events["deployed"]
    assert event["type"] == "deployment" and event["modality"] == "asserted"
    assert args(event) == {
        "agent": "China",
        "quantity": "about 2,000",
        "force": "soldiers",
        "destination": "the disputed border region",
    }
    assert event["args"]["agent"]["norm"] == "CHN"
    assert (event["args"]["quantity"]["value"], event["args"]["quantity"]["qualifier"]) == (2000, "approx")
    assert event["attribution"]["text"] == "state media"


def test_evacuation_order(required_events):
    event = required_events["leave"]  # the trigger of an order to leave is the way out
    assert event["type"] == "evacuation_order" and event["modality"] == "asserted"
    assert args(event)["authority"] == "The embassy"
    assert args(event)["affected"] == "all non-essential staff"
    assert args(event)["location"] == "Khartoum"


def test_alert_status(required_events):
    event = required_events["alert"]
    assert event["type"] == "alert_status" and event["modality"] == "asserted"
    assert args(event)["force"] == "Japan's coast guard"
    assert args(event)["level"] == "high alert"


def test_negated_and_possible_events(required_events):
    assert (required_events["send"]["type"], required_events["send"]["modality"]) == ("deployment", "negated")
    evacuation = [e for e in required_events.values() if e["type"] == "evacuation_order" and e["modality"] == "possible"]
    assert len(evacuation) == 1 and "evacuate" in evacuation[0]["span"]["text"]


def test_software_deployment_is_not_an_event(required_events):
    assert len(required_events) == 5
    assert all("software" not in e["span"]["text"] for e in required_events.values())


def test_offsets_index_the_original_text(required_events):
    for event in required_events.values():
        for part in [event["trigger"], event["span"], *event["args"].values()]:
            assert SENTENCES[part["start"] : part["end"]] == part["text"]


def test_stdin_plain_text_goes_to_stdout():
    result = run_cli("-", "--quiet", input="Poland is sending thousands of extra troops to Lithuania.")
    assert result.exit_code == 0, result.output
    events = events_of(result.stdout)
    assert [e["type"] for e in events] == ["deployment"]
    assert events[0]["doc_id"] == "stdin"


def test_directory_jsonl_and_csv_inputs(tmp_path: Path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("Russia sent 500 troops to the border.", encoding="utf-8")
    (corpus / "b.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Residents were ordered to leave the town.", "date": "2004-08-13"}) + "\n",
        encoding="utf-8",
    )
    with (corpus / "c.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerow(["c1", "The army was put on high alert."])
    (corpus / "golden").mkdir()
    (corpus / "golden" / "ignored.txt").write_text("Troops were sent to Iraq.", encoding="utf-8")
    result = run_cli(str(corpus), "--quiet", "--jobs", "2")
    assert result.exit_code == 0, result.output
    found = sorted((e["doc_id"], e["type"]) for e in events_of(result.stdout))
    assert found == [("c1", "alert_status"), ("j1", "evacuation_order"), ("sub/a", "deployment")]


def test_summary_reports_documents_events_and_errors(tmp_path: Path):
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(
        '{"id": "ok", "text": "Troops were sent to the border."}\n{broken json\n{"id": "empty", "text": ""}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run_cli(str(corpus), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "documents" in result.stderr and "2" in result.stderr
    assert "deployment" in result.stderr
    assert "in.jsonl:2" in result.stderr  # the malformed line is named
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1 and errors[0]["line"] == 2 and errors[0]["code"] == "E302"


def test_missing_input_is_a_usage_error(tmp_path: Path):
    result = run_cli(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr and "Traceback" not in result.output


def test_jobs_output_is_identical_to_single_process(tmp_path: Path):
    corpus = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": f"d{i}", "text": f"Unit {i}: {SENTENCES}" if i % 3 else "Nothing happened."})
        for i in range(90)
    ]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli(str(corpus), "-o", str(one), "--jobs", "1", "-q").exit_code == 0
    assert run_cli(str(corpus), "-o", str(two), "--jobs", "2", "-q").exit_code == 0
    assert one.read_bytes() == two.read_bytes() and one.stat().st_size > 0

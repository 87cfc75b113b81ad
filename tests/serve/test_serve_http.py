"""`eventx serve` through a plain HTTP client: the JSON API, what it refuses (other origins and
hosts, paths out of the rule root, saves that would break the pack) and the CLI around it."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app
from eventx.io.readers import iter_corpus
from eventx.serve import Session, make_server, serve_in_thread
from eventx.text.model import Document

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "analysis" / "data"
TRIGGER = "[lemma=send]=trigger"


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(DATA / "rules", rules)
    return rules


@pytest.fixture()
def server(pack: Path):
    session = Session(pack, [str(DATA / "dated.jsonl")])
    srv = make_server(session, "127.0.0.1", 0)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def request(srv, method: str, path: str, body: object = None, headers: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    sent = {"Host": f"127.0.0.1:{srv.port}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    conn.request(method, path, body=data, headers=sent)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, {"raw": raw.decode("utf-8", "replace")}


def expected_events(pack: Path) -> list[dict]:
    extractor = Extractor(pack)
    return [e for doc in iter_corpus([str(DATA / "dated.jsonl")]) if isinstance(doc, Document) for e in extractor.extract(doc)]


# --- the API -------------------------------------------------------------------------------------


def test_state_lists_the_pack_files_and_opens_the_first_rules_file(server, pack: Path) -> None:
    status, state = request(server, "GET", "/api/state")
    assert status == 200
    assert state["files"] == ["common.yml", "events.yml", "lexicons/countries.txt", "types.yml"]
    assert state["main"] == "events.yml"
    status, file = request(server, "GET", "/api/file?path=events.yml")
    assert status == 200 and file["text"] == (pack / "events.yml").read_text()


def test_analysis_shows_the_sample_events_of_the_pack(server, pack: Path) -> None:
    status, result = request(server, "POST", "/api/analyse", {"files": {}, "focus": "events.yml"})
    assert status == 200 and result["errors"] == 0
    shown = [(d["id"], e["rule"], e["trigger"]) for d in result["documents"] for e in d["events"]]
    want = [(e["doc_id"], e["rule"], e["trigger"]["text"]) for e in expected_events(pack)]
    assert sorted(shown) == sorted(want) and want
    assert {e["status"] for e in result["examples"]} == {"passed"}
    assert len(result["examples"]) == 4  # the inline examples of events.yml
    assert result["diff"]["gained"] == result["diff"]["lost"] == 0


def test_an_unsaved_edit_is_analysed_without_touching_the_file(server, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    edited = before.decode().replace(TRIGGER, "[lemma=qqqzzx]=trigger")
    status, result = request(server, "POST", "/api/analyse", {"files": {"events.yml": edited}, "focus": "events.yml"})
    assert status == 200 and result["errors"] == 0
    assert not any(e["rule"] == "test.send" for d in result["documents"] for e in d["events"])
    sends = sum(e["rule"] == "test.send" for e in expected_events(pack))
    assert result["diff"]["lost"] == sends > 0
    assert any(line["text"].startswith("  - missing  deployment") for line in result["diff"]["lines"])
    assert any(e["status"] == "failed" for e in result["examples"])
    assert (pack / "events.yml").read_bytes() == before


def test_a_broken_pattern_gives_a_positioned_diagnostic_and_keeps_the_last_results(server, pack: Path) -> None:
    text = (pack / "events.yml").read_text()
    broken = text.replace(TRIGGER, "[lemma=send=trigger")
    line = next(i for i, l in enumerate(broken.splitlines(), 1) if "[lemma=send=trigger" in l)
    request(server, "POST", "/api/analyse", {"files": {}})
    status, result = request(server, "POST", "/api/analyse", {"files": {"events.yml": broken}})
    assert status == 200 and result["errors"] >= 1 and result["stale"]
    first = result["diagnostics"][0]
    assert first["path"] == "events.yml" and first["line"] == line and first["col"] > 1
    assert re.fullmatch(r"E2\d\d", first["code"])
    assert result["documents"]  # the last good results stay on show, marked stale


def test_save_writes_atomically_and_becomes_the_diff_base(server, pack: Path) -> None:
    target = pack / "events.yml"
    os.chmod(target, 0o640)
    text = target.read_text().replace("A country sends forces somewhere.", "A country sends forces.")
    status, result = request(server, "POST", "/api/save", {"path": "events.yml", "text": text})
    assert status == 200 and result["saved"] == "events.yml"
    assert target.read_text() == text
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in pack.iterdir()) == ["common.yml", "events.yml", "lexicons", "types.yml"]  # no temporary file left
    edited = text.replace(TRIGGER, "[lemma=qqqzzx]=trigger")
    request(server, "POST", "/api/save", {"path": "events.yml", "text": edited})
    status, result = request(server, "POST", "/api/analyse", {"files": {}})
    assert result["diff"]["lost"] == 0 and result["diff"]["saved"] == result["diff"]["now"]


def test_save_is_refused_when_the_pack_would_have_errors(server, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    broken = before.decode().replace(TRIGGER, "[lemma=send=trigger")
    status, result = request(server, "POST", "/api/save", {"path": "events.yml", "text": broken})
    assert status == 409 and "error" in result["error"]
    assert result["diagnostics"][0]["path"] == "events.yml"
    assert (pack / "events.yml").read_bytes() == before
    # a file that breaks another one (an undefined lexicon) is refused too
    status, _ = request(server, "POST", "/api/save", {"path": "common.yml", "text": "vars: {}\n"})
    assert status == 409


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("../outside.yml", 403),
        ("lexicons/../../outside.yml", 403),
        ("/etc/passwd", 403),
        ("new.yml", 404),
        ("", 400),
    ],
)
def test_save_never_leaves_the_rule_root(server, pack: Path, path: str, status: int) -> None:
    outside = pack.parent / "outside.yml"
    outside.write_text("keep\n")
    code, result = request(server, "POST", "/api/save", {"path": path, "text": "rules: []\n"})
    assert code == status, result
    assert outside.read_text() == "keep\n"
    assert not (pack / "new.yml").exists()


def test_save_refuses_a_symlink_out_of_the_root(pack: Path) -> None:
    outside = pack.parent / "elsewhere.yml"
    outside.write_text("rules: []\n")
    (pack / "linked.yml").symlink_to(outside)
    session = Session(pack, [])
    srv = make_server(session, "127.0.0.1", 0)
    serve_in_thread(srv)
    try:
        status, result = request(srv, "POST", "/api/save", {"path": "linked.yml", "text": "rules: []\n# changed\n"})
        assert status == 403 and "symlink" in result["error"]
        status, _ = request(srv, "GET", "/api/file?path=linked.yml")
        assert status == 403
    finally:
        srv.shutdown()
        srv.server_close()
    assert outside.read_text() == "rules: []\n"


# --- who may ask ---------------------------------------------------------------------------------


def test_a_cross_origin_save_is_refused(server, pack: Path) -> None:
    before = (pack / "events.yml").read_bytes()
    text = before.decode() + "# written by another site\n"
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": f"http://evil.example:{server.port}"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        status, result = request(server, "POST", "/api/save", {"path": "events.yml", "text": text}, headers)
        assert status == 403, headers
        assert "forbidden" in result["error"]
    assert (pack / "events.yml").read_bytes() == before
    status, _ = request(server, "POST", "/api/save", {"path": "events.yml", "text": text},
                        {"Origin": f"http://localhost:{server.port}"})
    assert status == 200


def test_a_foreign_host_header_is_refused_dns_rebinding(server) -> None:
    for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1:{server.port + 1}"):
        status, result = request(server, "GET", "/api/file?path=events.yml", headers={"Host": host})
        assert status == 403 and "Host" in result["error"]
        status, _ = request(server, "GET", "/", headers={"Host": host})
        assert status == 403
    status, _ = request(server, "GET", "/", headers={"Host": f"localhost:{server.port}"})
    assert status == 200


def test_a_post_must_be_json(server, pack: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/api/save", body="path=events.yml&text=x",
                 headers={"Host": f"127.0.0.1:{server.port}", "Content-Type": "application/x-www-form-urlencoded"})
    assert conn.getresponse().status == 415
    conn.close()


def test_the_page_and_its_assets_are_served_with_a_strict_policy(server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/", headers={"Host": f"127.0.0.1:{server.port}"})
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")
    assert response.getheader("Access-Control-Allow-Origin") is None
    assert 'data-testid="rule-editor"' in page and 'data-testid="save"' in page
    assert "http" not in page.replace('http-equiv', '')  # nothing fetched from elsewhere
    conn.close()


# --- the command ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_listens_on_localhost_only(pack: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from eventx.cli import main; main()", "serve", str(pack), str(DATA / "dated.jsonl"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + process.stderr.read()
        port = int(match.group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass
        listening = _listening_addresses(port)
        assert listening == {"127.0.0.1"}, listening
    finally:
        process.terminate()
        process.wait(timeout=20)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) != port or fields[3] != "0A":  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if size == 4:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(socket.AF_INET6, words))
    if not found:
        pytest.skip("cannot read /proc/net/tcp")
    return found


def test_cli_reports_a_missing_pack_and_a_busy_port(tmp_path: Path, pack: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such rule file or directory" in result.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        result = runner.invoke(app, ["serve", str(pack), "--port", str(port)])
        assert result.exit_code == 2
        assert f"cannot listen on 127.0.0.1:{port}" in result.output
        assert time.monotonic() - started < 60


def test_every_interface_accepts_this_machines_names_only(pack: Path) -> None:
    srv = make_server(Session(pack, []), "0.0.0.0", 0)
    serve_in_thread(srv)
    try:
        name = socket.gethostname().lower()
        for host in (f"127.0.0.1:{srv.port}", f"{name}:{srv.port}"):
            status, _ = request(srv, "GET", "/api/state", headers={"Host": host})
            assert status == 200, host
        status, _ = request(srv, "GET", "/api/state", headers={"Host": f"evil.example:{srv.port}"})
        assert status == 403
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_warns_when_not_local_only(pack: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from eventx.cli import main; main()", "serve", str(pack), "--port", "0", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert "http://0.0.0.0:" in line
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert "warning: listening on 0.0.0.0: anyone who can reach it can read and change the rules" in err


def test_a_pack_broken_on_disk_opens_and_can_be_fixed(pack: Path) -> None:
    target = pack / "events.yml"
    good = target.read_text()
    target.write_text(good.replace(TRIGGER, "[lemma=send=trigger"))
    srv = make_server(Session(pack, [str(DATA / "dated.jsonl")]), "127.0.0.1", 0)
    serve_in_thread(srv)
    try:
        status, result = request(srv, "POST", "/api/analyse", {"files": {}})
        assert status == 200 and result["errors"] >= 1 and result["diagnostics"][0]["path"] == "events.yml"
        assert result["documents"] == []
        status, _ = request(srv, "POST", "/api/save", {"path": "events.yml", "text": good})
        assert status == 200
        status, result = request(srv, "POST", "/api/analyse", {"files": {}})
        assert result["errors"] == 0 and result["documents"]
        assert result["diff"]["lost"] == 0  # the saved pack is the base again
    finally:
        srv.shutdown()
        srv.server_close()


def test_cli_reports_a_missing_corpus(pack: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", str(pack), str(tmp_path / "no-corpus.jsonl")])
    assert result.exit_code == 2
    assert "no-corpus.jsonl" in result.output


def test_a_change_on_disk_becomes_the_new_base(server, pack: Path) -> None:
    target = pack / "events.yml"
    status, before = request(server, "POST", "/api/analyse", {"files": {}})
    sends = sum(e["rule"] == "test.send" for d in before["documents"] for e in d["events"])
    assert sends
    target.write_text(target.read_text().replace(TRIGGER, "[lemma=qqqzzx]=trigger"))  # another editor
    status, after = request(server, "POST", "/api/analyse", {"files": {}})
    assert not any(e["rule"] == "test.send" for d in after["documents"] for e in d["events"])
    assert after["diff"]["lost"] == 0 and after["diff"]["saved"] == after["diff"]["now"]


def test_unsaved_edits_of_two_files_are_analysed_together(server, pack: Path) -> None:
    common = (pack / "common.yml").read_text()
    events = (pack / "events.yml").read_text()
    # the var moves to events.yml: alone, each edit breaks the pack; together they are fine
    moved = common.replace('vars:\n  place: "(?: @countries | [lower=the] [lower=region|coast|capital] )"\n', "")
    assert moved != common
    status, alone = request(server, "POST", "/api/analyse", {"files": {"common.yml": moved}})
    assert alone["errors"] and any("place" in d["message"] for d in alone["diagnostics"])
    with_var = events.replace("imports: [common.yml]\n",
                              'imports: [common.yml]\nvars:\n  place: "(?: @countries | [lower=the] [lower=region|coast|capital] )"\n')
    status, both = request(server, "POST", "/api/analyse", {"files": {"common.yml": moved, "events.yml": with_var}})
    assert status == 200 and both["errors"] == 0
    assert both["diff"]["gained"] == both["diff"]["lost"] == both["diff"]["changed"] == 0
    assert (pack / "common.yml").read_text() == common and (pack / "events.yml").read_text() == events


def test_a_backtracking_pattern_cannot_freeze_the_page(server, pack: Path) -> None:
    slow = (pack / "events.yml").read_text().replace(TRIGGER, TRIGGER + " ( ( []+ )+ [lower=qqqq] )?")
    started = time.monotonic()
    status, result = request(server, "POST", "/api/analyse", {"files": {"events.yml": slow}})
    assert status == 200 and result["errors"] == 0
    assert result["skipped"] >= 1  # the long document, over its 1 s budget
    assert time.monotonic() - started < 30

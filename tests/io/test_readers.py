"""Corpus readers: every INPUT kind and every hostile input, one behaviour per test."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.errors import InputError
from eventx.io import ReadProblem, check_inputs, iter_corpus
from eventx.text.model import Document


def read(*inputs: str | Path, stdin=None) -> list[Document | ReadProblem]:
    return list(iter_corpus([str(i) for i in inputs], stdin=stdin))


def docs(items) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def problems(items) -> list[ReadProblem]:
    return [i for i in items if isinstance(i, ReadProblem)]


def jsonl(*objs) -> str:
    return "".join(orjson.dumps(o).decode() + "\n" for o in objs)


# --- input kinds -----------------------------------------------------------------------


def test_txt_file_is_one_document_named_by_its_stem(tmp_path):
    (tmp_path / "wire-1.txt").write_text("Troops were sent.\r\nMore text.\n")
    assert read(tmp_path / "wire-1.txt") == [Document("wire-1", "Troops were sent.\r\nMore text.\n")]


def test_directory_is_recursive_sorted_and_skips_golden_hidden_and_outputs(tmp_path):
    corpus = tmp_path / "corpus"
    for rel, text in {
        "b.txt": "B",
        "a/z.txt": "AZ",
        "a/deep/x.txt": "AX",
        "golden/a.events.jsonl": "{}",
        "golden/g.txt": "not a document",
        ".hidden/h.txt": "hidden",
        ".h.txt": "hidden",
        "run.events.jsonl": '{"doc_id": "x"}\n',
        "run.events.jsonl.errors.jsonl": '{"doc_id": "x"}\n',
        "README.md": "ignored",
    }.items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (corpus / "c.jsonl").write_text(jsonl({"id": "j1", "text": "J"}, {"text": "no id"}))
    items = read(corpus)
    assert problems(items) == []
    assert [(d.id, d.text) for d in docs(items)] == [
        ("a/deep/x", "AX"),
        ("a/z", "AZ"),
        ("b", "B"),
        ("j1", "J"),
        ("c:2", "no id"),
    ]


def test_jsonl_fields_date_title_meta(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        jsonl(
            {"id": "n1", "text": "T1", "date": "2004-08-12", "title": "Head", "meta": {"src": "ap"}},
            {"id": 7, "text": "T2", "date": "2004-08-12T23:30:00-05:00", "url": "http://x"},
            {"id": "n3", "text": "T3", "date": "2004-08-12T01:00:00Z", "meta": {"url": "meta wins"}, "url": "u"},
        )
    )
    d1, d2, d3 = read(path)
    assert d1 == Document("n1", "T1", "2004-08-12", "Head", {"src": "ap"})
    assert (d2.id, d2.date, d2.meta) == ("7", "2004-08-12", {"url": "http://x"})
    assert (d3.date, d3.meta) == ("2004-08-12", {"url": "meta wins"})


def test_unparseable_date_keeps_the_document_and_reports_it(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text(jsonl({"id": "a", "text": "x", "date": "last Tuesday"}))
    problem, doc = read(path)
    assert doc == Document("a", "x")
    assert (problem.line, problem.doc_id, problem.severity) == (1, "a", "warning")
    assert "last Tuesday" in problem.error


def test_csv_with_extra_columns_to_meta_and_missing_id(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        'id,text,date,title,source\n'
        'r1,"Multi\nline, quoted",2004-08-12,Head,ap\n'
        ',second,,,\n',
        newline="",
    )
    d1, d2 = read(path)
    assert d1 == Document("r1", "Multi\nline, quoted", "2004-08-12", "Head", {"source": "ap"})
    assert (d2.id, d2.text, d2.date, d2.title) == ("rows:4", "second", None, None)  # record starts on line 4


def test_csv_meta_column_json_object(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('id,text,meta\na,x,"{""k"": 1}"\nb,y,plain\n', newline="")
    a, b = read(path)
    assert a.meta == {"k": 1}
    assert b.meta == {"meta": "plain"}


def test_csv_missing_text_value_and_missing_text_column(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,text\na,2004-01-01,ok\nb,2004-01-01\nc,2004-01-01,fine\n", newline="")
    items = read(rows)
    assert [d.id for d in docs(items)] == ["a", "c"]
    [problem] = problems(items)
    assert (problem.source, problem.line) == (str(rows), 3)

    headless = tmp_path / "headless.csv"
    headless.write_text("id,body\na,b\n")
    [problem] = read(headless)
    assert "no 'text' column" in problem.error


@pytest.mark.parametrize("name", ["doc.txt.gz", "docs.jsonl.gz", "docs.csv.gz"])
def test_gzip_inputs(tmp_path, name):
    payload = {"doc.txt.gz": "gz text", "docs.jsonl.gz": jsonl({"id": "g", "text": "gz text"}), "docs.csv.gz": "id,text\ng,gz text\n"}[name]
    with gzip.open(tmp_path / name, "wt", encoding="utf-8", newline="") as fh:
        fh.write(payload)
    [doc] = read(tmp_path / name)
    assert doc.text == "gz text"
    assert doc.id == ("doc" if name.startswith("doc.") else "g")


def test_corrupt_gzip_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_bytes(b"not gzip at all")
    [problem] = read(tmp_path / "bad.jsonl.gz")
    assert problem.source.endswith("bad.jsonl.gz") and "cannot read" in problem.error


def test_stdin_jsonl_when_first_nonblank_char_is_brace():
    data = b"\n  \n" + jsonl({"id": "s1", "text": "a"}, {"text": "b"}).encode()
    items = read("-", stdin=io.BytesIO(data))
    assert [(d.id, d.text) for d in items] == [("s1", "a"), ("stdin:4", "b")]


def test_stdin_plain_text_is_one_document():
    text = "  Plain text, {not json}.\nSecond line."
    assert read("-", stdin=io.StringIO(text)) == [Document("stdin", text)]
    assert read("-", stdin=io.BytesIO(text.encode())) == [Document("stdin", text)]


def test_stdin_text_stream_uses_its_byte_buffer():
    wrapper = io.TextIOWrapper(io.BytesIO(codecs.BOM_UTF8 + b"caf\xc3\xa9"), encoding="latin-1")
    assert read("-", stdin=wrapper) == [Document("stdin", "café")]


def test_reading_streams_instead_of_slurping():
    class CountingStream(io.RawIOBase):
        def __init__(self, data: bytes):
            self.data, self.pos = data, 0

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.data[self.pos : self.pos + len(buffer)]
            buffer[: len(chunk)] = chunk
            self.pos += len(chunk)
            return len(chunk)

    data = jsonl(*({"id": str(i), "text": "x" * 100} for i in range(20_000))).encode()
    stream = CountingStream(data)
    first = next(iter_corpus(["-"], stdin=io.BufferedReader(stream)))
    assert first.id == "0"
    assert stream.pos < len(data) / 4


# --- inputs that cannot be used at all -------------------------------------------------


def test_missing_input_raises_before_anything_is_read(tmp_path):
    (tmp_path / "ok.txt").write_text("fine")
    with pytest.raises(InputError, match=r"nope\.txt: no such file or directory"):
        iter_corpus([str(tmp_path / "ok.txt"), str(tmp_path / "nope.txt")])  # no next() needed


def test_unsupported_extension_and_bad_input_lists(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError, match="unsupported input type"):
        check_inputs([str(tmp_path / "notes.md")])
    with pytest.raises(InputError):
        check_inputs([])
    with pytest.raises(InputError, match="more than once"):
        check_inputs(["-", "-"])


# --- hostile inputs ------------------------------------------------------------------


def test_invalid_utf8_in_txt_is_replaced_and_reported_once_with_its_line(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"line one\nline \xff two \xfe\n")
    problem, doc = read(tmp_path / "bad.txt")
    assert doc.text == "line one\nline \ufffd two \ufffd\n"
    assert (problem.line, problem.doc_id, problem.severity) == (2, "bad", "warning")
    assert "2 undecodable byte sequences" in problem.error


def test_invalid_utf8_in_jsonl_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "x\xc3y"}\n')
    items = read(path)
    assert [d.text for d in docs(items)] == ["ok", "x\ufffdy"]
    [problem] = problems(items)
    assert (problem.source, problem.line, problem.doc_id) == (str(path), 2, "b")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_bom_encodings(tmp_path, encoding):
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    text = "Déploiement à Kyiv — 1,200 troops"
    (tmp_path / "t.txt").write_bytes(bom + text.encode(encoding))
    (tmp_path / "t.jsonl").write_bytes(bom + jsonl({"id": "j", "text": text}).encode(encoding))
    assert read(tmp_path / "t.txt") == [Document("t", text)]
    assert read(tmp_path / "t.jsonl") == [Document("j", text)]


def test_binary_file_is_skipped(tmp_path):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "ok.txt").write_text("fine")
    items = read(tmp_path)
    assert [d.id for d in docs(items)] == ["ok"]
    [problem] = problems(items)
    assert problem.source.endswith("img.txt") and "binary" in problem.error


def test_malformed_jsonl_lines_are_reported_and_skipped(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        jsonl({"id": "before", "text": "a"})
        + '{"id": "broken", "text": \n'
        + "[1, 2]\n"
        + jsonl({"id": "no-text"}, {"id": "num-text", "text": 5}, {"id": "after", "text": "b"})
    )
    items = read(path)
    assert [d.id for d in docs(items)] == ["before", "after"]
    found = [(p.line, p.doc_id) for p in problems(items)]
    assert found == [(2, None), (3, None), (4, "no-text"), (5, "num-text")]
    assert all(p.severity == "error" and p.source == str(path) for p in problems(items))


def test_duplicate_ids_across_the_run_skip_the_later_document(tmp_path):
    (tmp_path / "a.jsonl").write_text(jsonl({"id": "x", "text": "first"}))
    (tmp_path / "b.jsonl").write_text(jsonl({"id": "y", "text": "y"}, {"id": "x", "text": "second"}))
    items = read(tmp_path / "a.jsonl", tmp_path / "b.jsonl")
    assert [d.text for d in docs(items)] == ["first", "y"]
    [problem] = problems(items)
    assert (problem.source, problem.line, problem.doc_id) == (str(tmp_path / "b.jsonl"), 2, "x")
    assert "duplicate" in problem.error


def test_duplicate_ids_among_many_are_found_exactly(tmp_path):
    """Thousands of ids (the reader's table of ids grows many times over), ids that differ in
    one character, in case, in normalisation or only in length, generated ids that collide
    with given ones: every repeat is reported, every new id is kept."""
    given = [f"doc-{i}" for i in range(3000)] + ["a", "A", "aa", "\ufffd", "é", "e\u0301", "x" * 300]
    repeats = [given[i] for i in range(0, len(given), 7)] + ["doc-0", "aa", "e\u0301", "x" * 300]
    records = [{"id": i, "text": "t"} for i in given + repeats]
    (tmp_path / "a.jsonl").write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    # a generated id ("<stem>:<line>") that a given id already took gets "~2"
    (tmp_path / "b.jsonl").write_text(jsonl({"id": "b:2", "text": "t"}, {"text": "u"}, {"id": "b:2~2", "text": "v"}))
    items = read(tmp_path / "a.jsonl", tmp_path / "b.jsonl")
    kept = [d.id for d in docs(items)]
    assert kept[: len(given)] == given
    assert kept[len(given):] == ["b:2", "b:2~2"]
    duplicates = [(p.doc_id, p.line) for p in problems(items) if p.severity == "error"]
    offset = len(given)
    assert duplicates == [(r, offset + n + 1) for n, r in enumerate(repeats)] + [("b:2~2", 3)]


def test_empty_documents_are_yielded(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "e.jsonl").write_text(jsonl({"id": "blank", "text": "   "}))
    assert [d.id for d in read(tmp_path)] == ["blank", "empty"]


def test_five_megabyte_single_line(tmp_path):
    big = "Troops were deployed. " * 240_000  # ~5.3 MB
    (tmp_path / "big.jsonl").write_text(jsonl({"id": "big", "text": big}))
    (tmp_path / "big.csv").write_text(f'id,text\nbigc,"{big}"\n', newline="")
    assert [len(d.text) for d in read(tmp_path)] == [len(big), len(big)]


def test_problem_record_and_rendering():
    problem = ReadProblem("c/x.jsonl", 3, "d1", "missing 'text' field: skipped")
    assert problem.to_record() == {"doc_id": "d1", "source": "c/x.jsonl", "line": 3, "error": "missing 'text' field: skipped", "code": "E302"}
    assert problem.render() == "c/x.jsonl:3:1: error: document 'd1': missing 'text' field: skipped [E302]"


# --- round trips over arbitrary text ---------------------------------------------------

TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_jsonl_and_csv_round_trip_any_text(tmp_path, texts):
    """Newlines, \\r, U+2028, quotes, commas: every text comes back exactly, one document each."""
    (tmp_path / "t.jsonl").write_text(jsonl(*({"id": f"j{i}", "text": t} for i, t in enumerate(texts))), encoding="utf-8")
    with open(tmp_path / "t.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows([f"c{i}", t] for i, t in enumerate(texts))
    items = read(tmp_path / "t.jsonl", tmp_path / "t.csv")
    assert problems(items) == []
    assert [d.text for d in items] == texts + texts

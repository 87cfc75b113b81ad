"""The scoring code of benchmarks/quality.py on tiny hand-made fixtures (no rule pack, no data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "quality.py"
_spec = importlib.util.spec_from_file_location("eventx_quality_benchmark", _PATH)
quality = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = quality
_spec.loader.exec_module(quality)

Ev, Unit, SentenceUnit = quality.Ev, quality.Unit, quality.SentenceUnit


def ev(t: str, s: int, e: int, modality: str = "asserted", **args: tuple[int, int]) -> Ev:
    return Ev(type=t, trigger=(s, e), modality=modality, args=dict(args))


def test_overlap_is_strict_on_both_sides():
    assert quality.overlaps((0, 5), (4, 9))
    assert not quality.overlaps((0, 5), (5, 9))  # touching is not overlapping
    assert not quality.overlaps((5, 9), (0, 5))


def test_match_needs_same_type_and_overlapping_triggers():
    gold = [ev("deployment", 10, 17), ev("alert_status", 30, 35)]
    pred = [ev("alert_status", 10, 17), ev("alert_status", 33, 40)]
    assert quality.match_events(gold, pred) == [(1, 1)]


def test_match_is_one_to_one_and_prefers_the_larger_overlap():
    gold = [ev("deployment", 0, 10)]
    pred = [ev("deployment", 8, 12), ev("deployment", 2, 9)]
    assert quality.match_events(gold, pred) == [(0, 1)]
    # two gold events, one prediction overlapping both: matched once
    gold = [ev("deployment", 0, 5), ev("deployment", 6, 10)]
    assert len(quality.match_events(gold, [ev("deployment", 3, 8)])) == 1


def test_score_units_counts_tp_fp_fn_modality_and_arguments():
    gold = [ev("deployment", 0, 4, "negated", force=(5, 11), destination=(15, 20))]
    pred = [ev("deployment", 0, 4, "asserted", force=(5, 11), destination=(21, 25)), ev("evacuation_order", 40, 45)]
    scores = quality.score_units([Unit("d1", "x" * 60, None, gold, pred)])
    assert (scores.tp["deployment"], scores.fp["deployment"], scores.fn["deployment"]) == (1, 0, 0)
    assert scores.fp["evacuation_order"] == 1
    assert (scores.modality_ok["deployment"], scores.modality_n["deployment"]) == (0, 1)
    assert (scores.arg_ok["force"], scores.arg_n["force"]) == (1, 1)
    assert (scores.arg_ok["destination"], scores.arg_n["destination"]) == (0, 1)
    gold_n, pred_n, tp, p, r, f = scores.prf()
    assert (gold_n, pred_n, tp) == (1, 2, 1)
    assert (p, r) == (0.5, 1.0) and f == pytest.approx(2 / 3)


def test_types_outside_the_core_types_are_ignored():
    scores = quality.score_units([Unit("d", "", None, [], [ev("attack", 0, 3)])])
    assert sum(scores.fp.values()) == 0


def test_window_scoring_counts_only_predictions_inside_the_window():
    gold = [ev("alert_status", 12, 19)]
    pred = [ev("alert_status", 12, 19), ev("alert_status", 50, 55), ev("deployment", 8, 11)]
    scores = quality.score_units([Unit("b@10-30", "x" * 80, (10, 30), gold, pred)])
    assert scores.tp["alert_status"] == 1
    assert scores.fp["alert_status"] == 0  # the one at 50 is outside the window
    assert scores.fp["deployment"] == 0  # starts before the window


def test_remention_is_an_unmatched_prediction_of_a_fully_matched_type():
    gold = [ev("deployment", 0, 4)]
    pred = [ev("deployment", 0, 4), ev("deployment", 30, 35), ev("alert_status", 50, 55)]
    scores = quality.score_units([Unit("d", "x" * 60, None, gold, pred)])
    assert scores.fp["deployment"] == 1 and scores.remention["deployment"] == 1
    assert scores.fp["alert_status"] == 1 and scores.remention["alert_status"] == 0  # no gold of that type
    assert scores.prf("deployment")[3] == 0.5
    assert scores.merged_precision("deployment") == 1.0


def test_no_remention_when_a_gold_event_of_the_type_is_missed():
    gold = [ev("deployment", 0, 4), ev("deployment", 60, 64)]
    pred = [ev("deployment", 0, 4), ev("deployment", 30, 35)]
    scores = quality.score_units([Unit("d", "x" * 80, None, gold, pred)])
    assert scores.remention["deployment"] == 0


def _sentence(labels, predicted, scope="", labelled=quality.SENTENCE_LABELLED):
    scope_set = frozenset(s for s in scope.split("|") if s)
    return SentenceUnit("s", "text", labels, scope_set, [ev(t, 0, 1) for t in predicted], labelled)


def test_sentence_scoring_with_label_scope():
    # MOBILIZE line: labelled deployment, either type counts as the hit
    unit = _sentence(["deployment"], ["alert_status"], "deployment|alert_status")
    assert quality.sentence_outcome(unit) == (["deployment"], [], [])
    unit = _sentence(["deployment"], ["alert_status", "deployment"], "deployment|alert_status")
    assert quality.sentence_outcome(unit) == (["deployment"], [], [])
    # without a scope only the label itself counts, and the other type is a false positive
    unit = _sentence(["deployment"], ["alert_status"])
    assert quality.sentence_outcome(unit) == ([], ["deployment"], ["alert_status"])


def test_sentence_scoring_ignores_types_the_source_does_not_label():
    unit = _sentence([], ["evacuation_order", "deployment"])
    assert quality.sentence_outcome(unit) == ([], [], ["deployment"])
    scores = quality.score_sentences([unit, _sentence(["alert_status"], [])])
    assert (scores.fp["deployment"], scores.fn["alert_status"], scores.fp["evacuation_order"]) == (1, 1, 0)


def test_tables_render_every_type_and_an_overall_row():
    scores = quality.score_units([Unit("d", "x" * 10, None, [ev("deployment", 0, 4)], [ev("deployment", 0, 4)])])
    lines = quality.prf_table(scores)
    assert lines[0].startswith("| type | gold | pred | matched | precision | recall | F1 | modality")
    assert any(line.startswith("| deployment | 1 | 1 | 1 | 1.00 | 1.00 | 1.00 | 1.00 (1/1)") for line in lines)
    assert any(line.startswith("| evacuation_order | 0 | 0 | 0 | – |") for line in lines)
    assert lines[-1].startswith("| **overall** | 1 | 1 | 1 |")
    sentence_lines = quality.prf_table(quality.score_sentences([]), quality.SENTENCE_LABELLED)
    assert any("evacuation_order | not labelled" in line for line in sentence_lines)


def test_list_errors_shows_false_positives_negatives_and_modality_errors():
    text = "Troops were sent north. Police were put on alert."
    gold = [ev("deployment", 12, 16, "possible"), ev("alert_status", 43, 48)]
    pred = [ev("deployment", 12, 16, "asserted")]
    lines = quality.list_errors([Unit("d", text, None, gold, pred)], "all")
    kinds = [line.split()[0] for line in lines if not line.startswith("   ")]
    assert kinds == ["FN", "MOD"]
    assert any("[[alert]]" in line for line in lines)
    assert quality.list_errors([Unit("d", text, None, gold, pred)], "deployment")[0].startswith("MOD")


def test_replace_section_between_markers_and_appending_when_absent():
    start, end = quality.START_MARK, quality.END_MARK
    readme = f"# Benchmarks\n\nintro\n\n{start}\nold\n{end}\n\n## Speed\nkept\n"
    new = quality.replace_section(readme, "## Quality\nnew table")
    assert new == f"# Benchmarks\n\nintro\n\n{start}\n## Quality\nnew table\n{end}\n\n## Speed\nkept\n"
    appended = quality.replace_section("# Benchmarks\n", "## Quality")
    assert appended == f"# Benchmarks\n\n{start}\n## Quality\n{end}\n"
    assert quality.replace_section("", "x") == f"{start}\nx\n{end}\n"


def test_argument_agrees_on_overlap_or_on_the_same_words_elsewhere():
    text = "Iraq: the US will send troops to Iraq."
    assert quality.same_argument(text, (0, 4), (0, 4))
    assert quality.same_argument(text, (0, 4), (33, 37))  # a later mention of the same words
    assert not quality.same_argument(text, (0, 4), (10, 12))
    assert not quality.same_argument(text, (0, 4), None)
    assert quality.same_argument("The army ... the Army", (0, 8), (13, 21))  # case and article


def test_targets_line_reports_strict_and_merged_results():
    gold = [ev(t, 0, 4) for t in quality.CORE_TYPES]
    units = [Unit(f"d{i}", "x" * 50, None, [g], [g, ev(g.type, 20, 24)]) for i, g in enumerate(gold)]
    line = quality.targets_line(quality.score_units(units))
    assert "strict scoring: missed F1 deployment 0.67, P deployment 0.50" in line
    assert "re-mentions left out: all met" in line


def test_half_of_is_a_stable_even_odd_split_of_sha1():
    import hashlib

    for key in ("agx-lst-1", "mod-001", "https://example.org/a", "bbc-politics-042"):
        last = int(hashlib.sha1(key.encode()).hexdigest()[-1], 16)
        assert quality.half_of(key) == ("A" if last % 2 == 0 else "B")
    halves = {quality.half_of(f"doc-{i}") for i in range(20)}
    assert halves == {"A", "B"}


def test_halves_rows_score_each_half_and_the_whole_set():
    hit = Unit("a", "x" * 40, None, [ev("deployment", 0, 4)], [ev("deployment", 0, 4)], "A")
    miss = Unit("b", "x" * 40, None, [ev("alert_status", 0, 4)], [], "B")
    rows = quality.halves_rows("modern", [hit, miss])
    assert [r.split(" | ")[1] for r in rows] == ["A", "B", "**all**"]
    assert "| 1.00 (1.00/1.00, 1) |" in rows[0]  # deployment on half A
    assert rows[1].split(" | ")[5] == "0.00 (0.00/0.00, 1)"  # alert_status missed on half B
    assert rows[2].split(" | ")[2] == "2"  # both units in the whole set
    table = quality.halves_table({"modern": [hit, miss], "plover": "skipped: not found"})
    assert table[2] == quality.HALVES_HEAD[0] and len(table) == 2 + 2 + 3 + 1

"""Sentence splitting and the abbreviation convention."""

from __future__ import annotations

import pytest

from eventx.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Troops arrived. They left.", ["Troops arrived.", "They left."]),
        ("Is it over? Yes! Done.", ["Is it over?", "Yes!", "Done."]),
        ("He left. 300 troops stayed.", ["He left.", "300 troops stayed."]),
        # closing quotes and brackets stay with the sentence they close
        ('"We will not leave," he said. "Never."', ['"We will not leave," he said.', '"Never."']),
        ('He said "go." Then he left.', ['He said "go."', "Then he left."]),
        ("It rose (slightly.) Then it fell.", ["It rose (slightly.)", "Then it fell."]),
        ("He left. \u201cWe stay,\u201d she said.", ["He left.", "\u201cWe stay,\u201d she said."]),
        # no split before lower case or inside numbers
        ("It cost $2.5 million. Done.", ["It cost $2.5 million.", "Done."]),
        ("He said no. and left", ["He said no. and left"]),
        # titles never end a sentence; initials and "No." before numbers neither
        ("Gen. Tommy Franks arrived.", ["Gen. Tommy Franks arrived."]),
        ("Mr. Bush and Dr. Rice met Lt. Col. Smith.", ["Mr. Bush and Dr. Rice met Lt. Col. Smith."]),
        ("J. Smith and George W. Bush met.", ["J. Smith and George W. Bush met."]),
        ("It ranked No. 1 on Jan. 24 in St. Louis.", ["It ranked No. 1 on Jan. 24 in St. Louis."]),
        ("U.S. troops arrived. They stayed.", ["U.S. troops arrived.", "They stayed."]),
        ("The U.S. Army said so.", ["The U.S. Army said so."]),
        # sentence-final "U.S." splits only before a typical sentence opener
        ("Talks were held in the U.S. The result was clear.", ["Talks were held in the U.S.", "The result was clear."]),
        ("He flew to the U.S. But he returned.", ["He flew to the U.S.", "But he returned."]),
        ("It was sold to Acme Inc. It paid cash.", ["It was sold to Acme Inc.", "It paid cash."]),
        ("Acme Inc. Chairman John Smith said.", ["Acme Inc. Chairman John Smith said."]),
        ("at 10 a.m. Friday in Washington.", ["at 10 a.m. Friday in Washington."]),
        ("IN THE U.S. THE TROOPS WAIT.", ["IN THE U.S.", "THE TROOPS WAIT."]),
        # AG-News "Title (Source). Body" and capitalised headlines
        (
            "Ore. Plans New Rail Line (AP). AP - The state acted.",
            ["Ore. Plans New Rail Line (AP).", "AP - The state acted."],
        ),
        ("TROOPS ARRIVE IN IRAQ. THEY WERE SENT.", ["TROOPS ARRIVE IN IRAQ.", "THEY WERE SENT."]),
        # blank lines always split; single newlines (hard wrapping) never do
        ("Headline without stop\n\nBody text here.", ["Headline without stop", "Body text here."]),
        ("A line\nwrapped here. Next one.", ["A line\nwrapped here.", "Next one."]),
        ("One.\r\n\r\nTwo", ["One.", "Two"]),
        ("Wait... What now?", ["Wait...", "What now?"]),
        ("  padded.   ", ["padded."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_are_trimmed_and_cover_text() -> None:
    text = "  One here.  Two there!\n\n\tThree?  "
    spans = split_sentences(text)
    assert spans == [(2, 11), (13, 23), (26, 32)]
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == "".join(text.split())

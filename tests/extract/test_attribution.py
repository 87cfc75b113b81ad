"""Reporting frames outside the match span. ``{...}`` marks the span, ``[x]`` the trigger."""

from __future__ import annotations

import pytest

from eventx.extract.attribution import find_attribution

CASES = [
    # --- required by the brief
    ("{China has [deployed] about 2,000 soldiers to the disputed border region}, state media reported.", "state media"),
    ("The president said {he has no plans to [send] troops to the region}.", "The president"),
    ("The president said he has no plans to {[send] troops to the region}.", "The president"),
    ("{The embassy [ordered] all non-essential staff to leave Khartoum} on Sunday.", None),
    # --- trailing frames
    ("{Poland is [sending] extra troops to Lithuania}, the defence minister said.", "the defence minister"),
    ("{Troops were [sent]} to the border, officials told Reuters on Monday.", "officials"),
    ("{Troops were [sent]} to the border, said a spokesman for the ministry.", "a spokesman for the ministry"),
    ("{Troops were [sent]} to the border, a senior U.S. official said on Monday.", "a senior U.S. official"),
    ("{The army [deployed] tanks}, the ministry said in a statement.", "the ministry"),
    ("{Troops [attacked] the town}, the missing officers' commander told AFP.", "the missing officers' commander"),
    ("{Russia has [massed] troops} near the border, according to NATO.", "NATO"),
    ("{Russia has [massed] troops} near the border, according to a statement from the ministry.",
     "a statement from the ministry"),
    ("{The army [sent] troops}, the rebels attacked, officials said.", "officials"),
    ("{Troops were [deployed]}, he said.", "he"),
    ("{The town was [evacuated]}, Britain and France said.", "Britain and France"),
    ("Tokyo has no plans to send ships, the premier said on Friday, although {Japan is weighing a "
     "request to [dispatch] police}.", "the premier"),  # the frame also covers the contrast
    ("If the river keeps rising, officials said, {the [evacuation] could be widened}.", "officials"),
    # --- quoted speech
    ('"{We will [send] troops}," the minister said.', "the minister"),
    ('"{We will [send] troops}," said a spokesman for the ministry on Monday.', "a spokesman for the ministry"),
    # --- leading frames
    ("The ministry said that {troops had been [sent]}.", "The ministry"),
    ("NATO says {it will [send] more ships}.", "NATO"),
    ("Japan's defence minister said on Monday that {the army would [deploy] 500 troops}.",
     "Japan's defence minister"),
    ("According to NATO, {Russia has [massed] troops} near the border.", "NATO"),
    ("The ministry on Monday announced {the [deployment] of 500 troops}.", "The ministry"),
    ("Officials who could not be named said {the army [deployed] troops}.", "Officials"),
    ("John Smith, a spokesman, said {troops were [sent]}.", "John Smith"),
    ("Officials in Ankara said {the [exercise] would go ahead}.", "Officials in Ankara"),
    ("Officials stressed that {the level had not been [raised]}.", "Officials"),
    ("The minister was quoted as saying {troops would be [sent]}.", "The minister"),
    # --- no attribution
    ("{Japan announced it would [send] troops}.", None),  # the frame is inside the span
    ("{Residents were [told] to evacuate}.", None),  # "told" is an order, not a frame
    ("{Troops were [deployed]}, it was reported.", None),  # passive: no source
    ("The ministry issued a statement, saying {troops were [sent]}.", None),  # participle
    ("While officials said talks would go on, {troops were [deployed]}.", None),
    ("The ministry said talks failed; {the army [deployed] troops}.", None),
    ("{Troops were [sent]} despite reports of fighting.", None),
    ("{The United States [sent] troops}.", None),  # "States" is not a verb
    ("Despite a report that {troops were [sent]}, the ministry was silent.", None),
    ("{Japan [sent] troops} without warning.", None),
]


@pytest.mark.parametrize(("marked_text", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_attribution(marked, marked_text: str, expected: str | None) -> None:
    m = marked(marked_text)
    source = find_attribution(m.sentence, m.span)
    assert m.text_of(source) == expected
    if source is not None:  # the source never overlaps the span
        assert source[1] <= m.span[0] or source[0] >= m.span[1]


def test_frame_inside_the_span_is_not_returned(marked) -> None:
    m = marked("{The president said he has no plans to [send] troops}.")
    assert find_attribution(m.sentence, m.span) is None

"""Date normalisation: absolute dates always, relative ones against the document date."""

from __future__ import annotations

import pytest

from eventx.text.dates import normalise_date

DOC = "2004-08-12"  # a Thursday, ISO week 33


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2004-08-12", "2004-08-12"),
        ("Aug. 12, 2004", "2004-08-12"),
        ("August 12 2004", "2004-08-12"),
        ("12 August 2004", "2004-08-12"),
        ("on the 12th of August, 2004", "2004-08-12"),
        ("Sept. 3, 2001", "2001-09-03"),
        ("March 2004", "2004-03"),
        ("in 2003", "2003"),
        ("Friday, Aug. 13, 2004", "2004-08-13"),
        ("Feb. 30, 2004", None),
        ("2004-13-01", None),
        ("Jan. 24", None),
        ("today", None),
        ("on Friday", None),
        ("they may go", None),
        ("soon", None),
    ],
)
def test_without_document_date(text: str, expected: str | None) -> None:
    assert normalise_date(text, None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan. 24", "2004-01-24"),
        ("in March", "2004-03"),
        ("today", "2004-08-12"),
        ("tonight", "2004-08-12"),
        ("yesterday", "2004-08-11"),
        ("last night", "2004-08-11"),
        ("tomorrow", "2004-08-13"),
        ("on Friday", "2004-08-06"),
        ("on Thursday", "2004-08-12"),  # the document's own weekday is the document date
        ("Sunday night", "2004-08-08"),
        ("on Monday morning", "2004-08-09"),
        ("last Thursday", "2004-08-05"),
        ("last Friday", "2004-08-06"),
        ("next Thursday", "2004-08-19"),
        ("next Monday", "2004-08-16"),
        ("this Friday", "2004-08-13"),
        ("last week", "2004-W32"),
        ("this week", "2004-W33"),
        ("earlier this week", "2004-W33"),
        ("next week", "2004-W34"),
        ("last month", "2004-07"),
        ("this month", "2004-08"),
        ("next month", "2004-09"),
        ("last year", "2003"),
        ("this year", "2004"),
        ("next year", "2005"),
        ("three days ago", "2004-08-09"),
        ("two weeks ago", "2004-07-29"),
        ("Aug. 12, 2003", "2003-08-12"),
        ("whenever", None),
    ],
)
def test_with_document_date(text: str, expected: str | None) -> None:
    assert normalise_date(text, DOC) == expected


@pytest.mark.parametrize(
    ("text", "doc_date", "expected"),
    [
        ("Dec. 30", "2004-01-05", "2003-12-30"),  # a December date in a January story
        ("Jan. 3", "2004-12-30", "2005-01-03"),
        ("last month", "2004-01-05", "2003-12"),
        ("last week", "2005-01-03", "2004-W53"),
        ("next month", "2004-12-01", "2005-01"),
        ("yesterday", "2004-03-01", "2004-02-29"),
        ("today", "2004-08-12T10:30:00", "2004-08-12"),
        ("today", "not a date", None),
    ],
)
def test_year_boundaries(text: str, doc_date: str, expected: str | None) -> None:
    assert normalise_date(text, doc_date) == expected


def test_reference_dates_of_reduced_precision():
    # a document dated to the month or year resolves what that precision allows, nothing more
    assert normalise_date("last month", "2021-06") == "2021-05"
    assert normalise_date("next year", "2012") == "2013"
    assert normalise_date("March 5", "2012") == "2012-03-05"
    assert normalise_date("yesterday", "2021-06") is None
    assert normalise_date("last week", "2021-06") is None
    assert normalise_date("last month", "2012") is None

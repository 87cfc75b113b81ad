"""Date normalisation to ISO 8601, resolved against the document date where needed.

Conventions:

- Absolute dates are always resolved: "2004-08-12", "Aug. 12, 2004", "12 August 2004" ->
  "2004-08-12"; "March 2004" -> "2004-03"; a bare year "2004" -> "2004". Month names must be
  capitalised ("May", not the modal "may"). Numeric forms such as "8/12/2004" are ambiguous
  between US and European order and are not read.
- A day or month without a year ("Jan. 24", "in March") takes the document's year, unless that
  is more than nine months from the document date, when the adjacent year is used (a December
  date in a January story is last year's); without a document date it is None.
- Relative expressions need the document date (None without one): "today", "tonight", "this
  morning" -> the document date; "yesterday", "last night" -> the day before; "tomorrow" -> the
  day after; "3 days ago"/"two weeks ago" -> that day.
- Weekdays: a bare weekday ("on Friday", "Sunday night") is the most recent such day on or
  before the document date (news mostly reports the past; the document's own weekday is the
  document date); "last Friday" is strictly before it; "next Friday" strictly after and "this
  Friday" on or after it.
- "last/this/next week" -> ISO week ("2004-W32"); "last/this/next month" -> "2004-07"; "last/this/
  next year" -> "2003". "earlier this week" and the like count as "this week".
"""

from __future__ import annotations

import datetime as dt

import regex

from eventx.regexstore import compile_regex

__all__ = ["normalise_date"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SMALL_NUMBERS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_SMALL_NUMBERS["a"] = 1

_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<year>(?:1[89]|2[0-9])[0-9]{2})\b"

_ISO_RE = compile_regex(r"\b(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?\b")
_MONTH_DAY_RE = compile_regex(rf"(?i)\b{_MONTH}\s*{_DAY}(?:\s*,?\s*{_YEAR})?")
_DAY_MONTH_RE = compile_regex(rf"(?i)\b{_DAY}\s*(?:of\s+)?{_MONTH}(?:\s*,?\s*{_YEAR})?")
_MONTH_YEAR_RE = compile_regex(rf"(?i)\b{_MONTH}(?:\s*,?\s*{_YEAR})?")
_YEAR_RE = compile_regex(rf"\b{_YEAR}")

_SAME_DAY_RE = compile_regex(r"\b(?:today|tonight|this (?:morning|afternoon|evening))\b")
_DAY_BEFORE_RE = compile_regex(r"\b(?:yesterday|last night)\b")
_DAY_AFTER_RE = compile_regex(r"\btomorrow\b")
_AGO_RE = compile_regex(r"\b(?P<n>[0-9]+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                        r"(?P<unit>day|week)s?\s+ago\b")
_PERIOD_RE = compile_regex(r"\b(?P<which>last|this|next|past|coming)\s+(?P<unit>week|month|year)\b")
_WEEKDAY_RE = compile_regex(
    r"\b(?:(?P<which>last|next|this|coming|past)\s+)?"
    r"(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_MAX_GAP_DAYS = 270
_OFFSETS = {"last": -1, "past": -1, "this": 0, "next": 1, "coming": 1}


def _iso_day(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: dt.date) -> int:
    """The document's year, unless that puts month/day over nine months from ``ref``; then
    the adjacent year nearer to it ("Dec. 30" in a January story is last year's)."""
    gaps = {}
    for year in (ref.year, ref.year - 1, ref.year + 1):
        try:
            gaps[year] = abs((dt.date(year, month, day) - ref).days)
        except ValueError:  # Feb 29 outside a leap year
            continue
    if not gaps:
        return ref.year
    if gaps.get(ref.year, _MAX_GAP_DAYS + 1) <= _MAX_GAP_DAYS:
        return ref.year
    return min(gaps, key=lambda year: (gaps[year], year))


def _month_of(match: regex.Match[str]) -> int | None:
    name = match.group("mon")
    if not name[0].isupper():  # "may", "march" as words, not months
        return None
    return _MONTHS[name[:3].lower()]


def _absolute(text: str, ref: dt.date | None) -> str | None:
    month: int | None
    match = _ISO_RE.search(text)
    if match:
        year, month = int(match["year"]), int(match["month"])
        if match["day"]:
            return _iso_day(year, month, int(match["day"]))
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    for pattern in (_MONTH_DAY_RE, _DAY_MONTH_RE):
        for match in pattern.finditer(text):
            month = _month_of(match)
            if month is None:
                continue
            day = int(match["day"])
            if match["year"]:
                return _iso_day(int(match["year"]), month, day)
            if ref is None:
                return None
            return _iso_day(_year_for(month, day, ref), month, day)
    for match in _MONTH_YEAR_RE.finditer(text):
        month = _month_of(match)
        if month is None:
            continue
        if match["year"]:
            return f"{match['year']}-{month:02d}"
        if ref is None:
            return None
        return f"{_year_for(month, 15, ref)}-{month:02d}"
    match = _YEAR_RE.search(text)
    return match["year"] if match else None


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _relative(text: str, ref: dt.date) -> str | None:
    if _SAME_DAY_RE.search(text):
        return ref.isoformat()
    if _DAY_BEFORE_RE.search(text):
        return (ref - dt.timedelta(days=1)).isoformat()
    if _DAY_AFTER_RE.search(text):
        return (ref + dt.timedelta(days=1)).isoformat()
    match = _AGO_RE.search(text)
    if match:
        n = match["n"]
        count = int(n) if n.isdigit() else _SMALL_NUMBERS[n]
        days = count * (7 if match["unit"] == "week" else 1)
        return (ref - dt.timedelta(days=days)).isoformat()
    match = _WEEKDAY_RE.search(text)
    if match:
        delta = (ref.weekday() - _WEEKDAYS.index(match["day"])) % 7  # days back to that weekday
        which = match["which"]
        if which in ("last", "past") and delta == 0:
            delta = 7
        elif which in ("next", "coming", "this"):
            delta = delta - 7 if delta else (-7 if which != "this" else 0)
        return (ref - dt.timedelta(days=delta)).isoformat()
    match = _PERIOD_RE.search(text)
    if match:
        offset = _OFFSETS[match["which"]]
        if match["unit"] == "week":
            return _iso_week(ref + dt.timedelta(weeks=offset))
        if match["unit"] == "month":
            index = ref.year * 12 + ref.month - 1 + offset
            return f"{index // 12:04d}-{index % 12 + 1:02d}"
        return f"{ref.year + offset:04d}"
    return None


def _parse_doc_date(doc_date: str | None) -> tuple[dt.date | None, str]:
    """(reference date, precision "day" | "month" | "year") of a document date.

    A date known to the month stands for the middle of that month, one known to the year
    for the middle of that year: near enough to place "March 5" in a year, and the
    precision says which relative expressions it can resolve soundly.
    """
    if not doc_date:
        return None, "day"
    try:
        if len(doc_date) == 4:
            return dt.date(int(doc_date), 7, 1), "year"
        if len(doc_date) == 7:
            return dt.date.fromisoformat(doc_date + "-15"), "month"
        return dt.date.fromisoformat(doc_date[:10]), "day"
    except ValueError:
        return None, "day"


def normalise_date(text: str, doc_date: str | None) -> str | None:
    """ISO 8601 form of a date expression, or None when it cannot be resolved.

    Example: ``normalise_date("on Friday", "2004-08-12") == "2004-08-06"``; ``doc_date`` may
    also be known to the month (``"2021-06"``) or the year (``"2012"``) only.
    """
    ref, precision = _parse_doc_date(doc_date)
    text = text.replace("\u2019", "'")
    absolute = _absolute(text, ref)
    if absolute is not None:
        return absolute
    if ref is None:
        return None
    if precision != "day":  # only "last month" / "next year" are sound against such a date
        match = _PERIOD_RE.search(text.lower())
        if match is None or match["unit"] == "week" or (match["unit"] == "month" and precision == "year"):
            return None
    return _relative(text.lower(), ref)

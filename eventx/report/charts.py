"""Inline SVG charts for the HTML report, generated in Python: no chart library, no JS,
nothing fetched, and every label passes through :func:`html.escape`.

Charts are drawn in a fixed coordinate system (``viewBox``) and scale to the page width.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from html import escape

BAR_HEIGHT = 22
LABEL_WIDTH = 190
CHART_WIDTH = 640
MAX_LABEL = 28  # characters shown before a label is cut (the full label is in the tooltip)
DAY_LIMIT = 62  # up to this many days: one bar per day; then per month, then per year
MONTH_LIMIT = 120
NEUTRAL = "#6b7c93"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _svg(title: str, width: int, height: int, body: list[str], kind: str) -> str:
    return (
        f'<svg class="chart chart-{_attr(kind)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, colours: Mapping[str, str] | None = None, kind: str = "bars") -> str:
    """Horizontal bars, one per ``(label, count)``, in the order given."""
    if not items:
        return f'<p class="empty">{escape(title)}: nothing to show</p>'
    peak = max(count for _, count in items) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 50
    body = []
    for row, (label, count) in enumerate(items):
        y = 6 + row * BAR_HEIGHT
        width = max(1.0, span * count / peak)
        colour = (colours or {}).get(label, NEUTRAL)
        body.append(
            f'<g class="bar"><title>{escape(label)}: {count}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="label">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width:.1f}" height="{BAR_HEIGHT - 6}" rx="2" fill="{_attr(colour)}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}" class="value">{count}</text></g>'
        )
    return _svg(title, CHART_WIDTH, 12 + len(items) * BAR_HEIGHT, body, kind)


def date_buckets(dates: Iterable[str]) -> tuple[str, list[str]]:
    """(granularity, every bucket from the first to the last date) for ISO dates.

    Days when the range is short, else months, else years — with empty buckets included,
    so that the x axis is a real time line.
    """
    parsed = sorted(p for p in {_parse(d) for d in dates} if p is not None)
    if not parsed:
        return "day", []
    first, last = parsed[0], parsed[-1]
    if (last - first).days < DAY_LIMIT:
        return "day", [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    months = (last.year - first.year) * 12 + last.month - first.month
    if months < MONTH_LIMIT:
        keys = []
        year, month = first.year, first.month
        for _ in range(months + 1):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return "month", keys
    return "year", [str(y) for y in range(first.year, last.year + 1)]


def bucket_of(iso: str, granularity: str) -> str | None:
    """The bucket key of one ISO date (None if it is not a date)."""
    day = _parse(iso)
    if day is None:
        return None
    return {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[granularity]


def _parse(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return None


def _bucket_label(key: str, granularity: str) -> str:
    if granularity == "month":
        return f"{calendar.month_abbr[int(key[5:7])]} {key[:4]}"
    return key


def time_chart(
    title: str, buckets: Sequence[str], counts: Mapping[tuple[str, str], int], types: Sequence[str],
    colours: Mapping[str, str], granularity: str,
) -> str:
    """Stacked vertical bars: events per time bucket, one colour per type (``counts[(bucket, type)]``)."""
    if not buckets:
        return f'<p class="empty">{escape(title)}: no document dates</p>'
    totals = [sum(counts.get((b, t), 0) for t in types) for b in buckets]
    peak = max(totals) or 1
    left, top, plot_h, bottom = 40, 10, 180, 70
    step = max(6.0, min(48.0, (CHART_WIDTH - left - 10) / len(buckets)))
    width = int(left + step * len(buckets) + 10)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" class="axis"/>']
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{tick}</text>')
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 5}" y2="{y:.1f}" class="grid"/>')
    label_every = max(1, round(len(buckets) / 16))
    for i, bucket in enumerate(buckets):
        x = left + i * step
        y = top + plot_h
        label = _bucket_label(bucket, granularity)
        parts = []
        for event_type in types:
            n = counts.get((bucket, event_type), 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{h:.1f}" fill="{_attr(colours[event_type])}">'
                f"<title>{escape(label)}: {n} {escape(event_type)}</title></rect>"
            )
        body.append(f'<g class="bucket"><title>{escape(label)}: {totals[i]} events</title>{"".join(parts)}</g>')
        if i % label_every == 0:
            cx, cy = x + step / 2, top + plot_h + 12
            body.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate(-40 {cx:.1f} {cy:.1f})" text-anchor="end" class="tick">{escape(label)}</text>'
            )
    return _svg(title, width, top + plot_h + bottom, body, "time")


def legend(types: Sequence[str], colours: Mapping[str, str]) -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{_attr(colours[t])}"></span>{escape(t)}</span>' for t in types
    )
    return f'<div class="legend">{items}</div>'

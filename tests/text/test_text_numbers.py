"""Quantity normalisation: value, qualifier and unit."""

from __future__ import annotations

import pytest

from eventx.text.numbers import Quantity, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit"),
    [
        ("1,200", 1200, "exact", None),
        ("1,200,000", 1_200_000, "exact", None),
        ("2.5", 3, "exact", None),
        ("more than 3,000", 3000, "at_least", None),
        ("over 3,000", 3000, "at_least", None),
        ("at least 50", 50, "at_least", None),
        ("about 2,000", 2000, "approx", None),
        ("some 2,000", 2000, "approx", None),
        ("around 40", 40, "approx", None),
        ("roughly 10", 10, "approx", None),
        ("approximately 5", 5, "approx", None),
        ("an estimated 3,000", 3000, "approx", None),
        ("nearly 500", 500, "approx", None),
        ("almost 600", 600, "approx", None),
        ("close to 700", 700, "approx", None),
        ("up to 500", 500, "at_most", None),
        ("fewer than 20", 20, "at_most", None),
        ("less than 10", 10, "at_most", None),
        ("no more than 5", 5, "at_most", None),
        ("at most 3", 3, "at_most", None),
        ("two dozen", 24, "exact", None),
        ("a dozen", 12, "exact", None),
        ("three hundred", 300, "exact", None),
        ("three hundred and fifty", 350, "exact", None),
        ("twenty-five", 25, "exact", None),
        ("nine", 9, "exact", None),
        ("1.5 million", 1_500_000, "exact", None),
        ("half a million", 500_000, "exact", None),
        ("thousands", 1000, "at_least", None),
        ("Thousands", 1000, "at_least", None),
        ("hundreds", 100, "at_least", None),
        ("tens of thousands", 10_000, "at_least", None),
        ("hundreds of thousands", 100_000, "at_least", None),
        ("millions", 1_000_000, "at_least", None),
        ("dozens", 24, "at_least", None),
        ("scores", 40, "at_least", None),
        ("several hundred", 200, "at_least", None),
        ("a few thousand", 2000, "at_least", None),
        ("more than a dozen", 12, "at_least", None),
        ("about two dozen", 24, "approx", None),
        ("up to thousands", 1000, "at_most", None),
        ("a couple of", 2, "approx", None),
        ("20%", 20, "exact", "percent"),
        ("20 per cent", 20, "exact", "percent"),
        ("$5 million", 5_000_000, "exact", "dollar"),
    ],
)
def test_values_and_qualifiers(text: str, value: int, qualifier: str, unit: str | None) -> None:
    assert parse_quantity(text) == Quantity(value, qualifier, unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two battalions", Quantity(2, "exact", "battalion")),
        ("2,000 soldiers", Quantity(2000, "exact", "soldier")),
        ("more than 3,000 troops", Quantity(3000, "at_least", "troop")),
        ("thousands of extra troops", Quantity(1000, "at_least", "troop")),
        ("two battalions of paratroopers", Quantity(2, "exact", "battalion")),
        ("2,000 U.S. troops", Quantity(2000, "exact", "troop")),
        ("three warships", Quantity(3, "exact", "warship")),
        ("a dozen jets", Quantity(12, "exact", "jet")),
        ("several brigades", Quantity(2, "at_least", "brigade")),
        ("an estimated 3,000 people", Quantity(3000, "approx", "people")),
        ("2,000-strong force", Quantity(2000, "exact", "force")),
        ("500 troops to Iraq", Quantity(500, "exact", "troop")),
        ("300 died in the attack", Quantity(300, "exact", None)),
        ("Thousands of Iraqi policemen", Quantity(1000, "at_least", "policeman")),
    ],
)
def test_units(text: str, expected: Quantity) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "some troops", "many soldiers", "a battalion", "troops", "no number here", "the 3rd Division", "the 1990s", "2bn"],
)
def test_no_number(text: str) -> None:
    assert parse_quantity(text) is None

from __future__ import annotations

import pytest

from requests_app.packets.pages import (
    PageRangeError,
    format_page_ranges,
    included_pages,
    parse_page_ranges,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("3", [3]),
        ("3, 5-7", [3, 5, 6, 7]),
        ("5-7, 3", [3, 5, 6, 7]),
        ("3;5 - 7", [3, 5, 6, 7]),
        ("2\u20134", [2, 3, 4]),  # an en dash, as word processors type it
        ("1, 1, 1-2", [1, 2]),
        ("10", [10]),
        (",,3,,", [3]),
    ],
)
def test_it_parses_what_staff_type(text: str, expected: list[int]) -> None:
    assert parse_page_ranges(text, 10) == expected


@pytest.mark.parametrize("text", ["0", "11", "9-11", "a", "3-", "-3", "3..5", "1 2", "7-5"])
def test_it_refuses_what_is_not_a_page_of_the_document(text: str) -> None:
    with pytest.raises(PageRangeError) as info:
        parse_page_ranges(text, 10)
    assert info.value.params["part"]


def test_it_says_a_backwards_range_the_right_way_round() -> None:
    with pytest.raises(PageRangeError) as info:
        parse_page_ranges("7-5", 10)
    assert info.value.message % info.value.params == (
        "The range “7-5” goes backwards; write it as 5-7."
    )


def test_it_shows_pages_back_in_short_form() -> None:
    assert format_page_ranges([7, 3, 5, 6]) == "3, 5-7"
    assert format_page_ranges([]) == ""
    assert format_page_ranges([1, 2, 3, 9]) == "1-3, 9"
    assert parse_page_ranges(format_page_ranges([2, 4, 5, 6, 8]), 8) == [2, 4, 5, 6, 8]


def test_it_lists_the_pages_that_go_in() -> None:
    assert included_pages(5, [2, 4]) == [1, 3, 5]
    assert included_pages(3, [7]) == [1, 2, 3]

"""Name normalisation, table-driven: folding, surnames, suffixes, nicknames."""

from __future__ import annotations

import pytest

from disclosure_gateway.normalise.names import fold, given_alts, parse_family, parse_given, parse_name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("José", "JOSE"),
        ("  maría   josé ", "MARIA JOSE"),
        ("O'Brien", "OBRIEN"),
        ("Núñez-Peña", "NUNEZ PENA"),
        ("J.R.", "J R"),
        ("Straße", "STRASSE"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(raw: str | None, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("last", "family", "tokens", "suffix"),
    [
        ("García López", "GARCIA LOPEZ", ("GARCIA", "LOPEZ"), ""),
        ("GARCIA-LOPEZ", "GARCIA LOPEZ", ("GARCIA", "LOPEZ"), ""),
        ("García y López", "GARCIA LOPEZ", ("GARCIA", "LOPEZ"), ""),
        ("de la Cruz", "DELACRUZ", ("DELACRUZ",), ""),
        ("Hernández de la Cruz", "HERNANDEZ DELACRUZ", ("HERNANDEZ", "DELACRUZ"), ""),
        ("Smith Jr.", "SMITH", ("SMITH",), "JR"),
        ("Smith, III", "SMITH", ("SMITH",), "III"),
        ("Van Dyke", "VANDYKE", ("VANDYKE",), ""),
        ("Jr", "JR", ("JR",), ""),  # a name that is only a suffix word stays a name
    ],
)
def test_parse_family(last: str, family: str, tokens: tuple[str, ...], suffix: str) -> None:
    assert parse_family(last) == (family, tokens, suffix)


@pytest.mark.parametrize(
    ("first", "given", "more", "suffix"),
    [
        ("José Luis", "JOSE", "LUIS", ""),
        ("Mary-Jane", "MARY", "JANE", ""),
        ("Robert Jr", "ROBERT", "", "JR"),
        ("", "", "", ""),
    ],
)
def test_parse_given(first: str, given: str, more: str, suffix: str) -> None:
    assert parse_given(first) == (given, more, suffix)


def test_nicknames_relate_directly_both_ways() -> None:
    assert "WILLIAM" in given_alts("BILL")
    assert "BILL" in given_alts("WILLIAM")
    assert "ELIZABETH" in given_alts("LIZ")


def test_nicknames_are_not_followed_transitively() -> None:
    # WILLIAM and ROBERT share the nickname BILL; they are not each other's nickname.
    assert "ROBERT" not in given_alts("WILLIAM")
    assert "WILLIAM" not in given_alts("ROBERT")


def test_initials_have_no_nicknames() -> None:
    assert given_alts("J") == ()


@pytest.mark.parametrize(
    ("fields", "suffix"),
    [
        (("John", "", "Smith", "SR"), "SR"),       # the master's suffix column wins
        (("John", "", "Smith Jr", None), "JR"),    # appended to the last name
        (("John Jr", "", "Smith", None), "JR"),    # appended to the first name
        (("John", "", "Smith", "Junior"), "JR"),
        (("John", "", "Smith", "esq"), ""),         # not a generational suffix
    ],
)
def test_suffix_sources(fields: tuple[str, str, str, str | None], suffix: str) -> None:
    assert parse_name(*fields).suffix == suffix


def test_parse_name_moves_second_given_name_to_middle() -> None:
    n = parse_name("José Luis", "Antonio", "García-López")
    assert (n.given, n.middle, n.family) == ("JOSE", "LUIS ANTONIO", "GARCIA LOPEZ")

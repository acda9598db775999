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


@pytest.mark.parametrize(("nick", "name"), [("BARB", "BARBARA"), ("LIAM", "WILLIAM"),
                                            ("KRIS", "KRISTEN"), ("KATIE", "KATHERINE"),
                                            ("CATE", "CATHERINE"), ("PACO", "FRANCISCO")])
def test_the_reviewed_list_adds_what_the_package_lacks(nick: str, name: str) -> None:
    # both directions, and still not transitive (LIAM is not BILL)
    assert name in given_alts(nick) and nick in given_alts(name)
    assert "BILL" not in given_alts("LIAM")


def test_every_reviewed_row_has_a_note_and_no_row_repeats() -> None:
    import csv

    from disclosure_gateway.normalise.names import REVIEWED_NICKNAMES

    lines = [ln for ln in REVIEWED_NICKNAMES.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert rows and all(r["note"].strip() for r in rows)
    pairs = [(r["name"], r["nickname"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert REVIEWED_NICKNAMES.read_text(encoding="utf-8").startswith("# Given-name diminutives")

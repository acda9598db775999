"""Name sufficiency: the taxpayer's given and family name, as a person's name.

A request must name the taxpayer (26 U.S.C. 6103(i)(2)(B)(i)). Both the given
and the family name must be present, written in name characters (letters of
any script, accents, spaces, hyphen, apostrophe, period), and not be one of the
placeholders record systems use for "we do not know" (UNKNOWN, N/A, FNU/LNU,
TEST, XXX...). A middle name is optional but, when given, must be made of name
characters too.

Placeholders are compared after folding (``fold.lookalike``: NFKC, Unicode's
confusables to ASCII, invisible characters removed; then case, accents and
punctuation): ``Unkn\u043ewn`` with a Cyrillic ``о``, ``ＵＮＫＮＯＷＮ`` in
fullwidth letters or ``N\u200b/A`` with a zero-width space are the placeholder
they look like. Why that holds: the record is read by people and by the
matcher as what it looks like, so a name that looks like a placeholder names
nobody. What it must not refuse: names that merely share letters with a
placeholder (``Anon``, ``Tess``), names in other scripts (``Иван``, ``王芳``) and
accented names (``José``, ``Nguyễn``, ``Müller``): only a value whose *whole*
folded form is a placeholder is refused, and letters with no ASCII look-alike
keep their identity.
"""

from __future__ import annotations

import pandas as pd

from . import _text as t

#: name characters (RE2): letters and combining marks, space, hyphen, apostrophes, period
NAME_CHARS = r"[\p{L}\p{M} .'’-]+"

#: placeholder names, compared after removing everything but letters and upper-casing
PLACEHOLDER_NAMES: frozenset[str] = frozenset(
    {
        "UNKNOWN", "UNK", "UNKN", "NONE", "NULL", "NIL", "TEST", "TESTER", "TESTING",
        "FNU", "LNU", "NFN", "NLN", "NMN", "FIRSTNAME", "LASTNAME", "FIRST", "LAST", "NAME",
        "NONAME", "TBD", "TBA", "ANONYMOUS", "REDACTED", "EMPTY", "DUMMY",
        "SAMPLE", "NOTPROVIDED", "NOTGIVEN", "REFUSED", "DECLINED",
    }
)


#: "N/A" and its spellings, and "NA" written in capitals as a placeholder is. A
#: mixed-case "Na" is a real (Korean) family name and passes; the same name in an
#: all-capitals record is refused — failing closed on an ambiguous value.
NOT_APPLICABLE = r"(?i:n\s*/\s*a\.?|n\.\s*a\.?|not\s+applicable)|NA"


def _placeholder(col: t.Column) -> t.Mask:
    key = t.folded(col)
    # all-X ("X", "XXX", "XX XX") is how a blank is often typed
    return (
        t.in_set(key, PLACEHOLDER_NAMES)
        | t.fullmatch(key, r"X+")
        | t.fullmatch(t.lookalike(col), NOT_APPLICABLE)
    )


def check_names(df: pd.DataFrame) -> dict[str, t.Mask]:
    first = t.stripped(t.column(df, "first_name"))
    middle = t.stripped(t.column(df, "middle_name"))
    last = t.stripped(t.column(df, "last_name"))
    first_blank, middle_blank, last_blank = t.blank(first), t.blank(middle), t.blank(last)
    bad_chars = (
        (~first_blank & ~t.fullmatch(first, NAME_CHARS))
        | (~middle_blank & ~t.fullmatch(middle, NAME_CHARS))
        | (~last_blank & ~t.fullmatch(last, NAME_CHARS))
    )
    # a name of punctuation only ("-", "..") has no letter; treat it as missing
    first_empty = first_blank | ~t.contains(first, r"\p{L}")
    last_empty = last_blank | ~t.contains(last, r"\p{L}")
    # "Na Na" (however written) is no one's name
    both_na = t.in_set(t.folded(first), {"NA"}) & t.in_set(t.folded(last), {"NA"})
    return {
        "NAME_MISSING": first_empty | last_empty,
        "NAME_INVALID_CHARACTERS": bad_chars,
        "NAME_PLACEHOLDER": (~first_blank & _placeholder(first))
        | (~last_blank & _placeholder(last))
        | both_na,
    }

"""Fold text that only *looks* like something else into what it looks like.

A hostile requester can write the placeholder ``Unknown`` with a Cyrillic
``о`` (U+043E), ``TBD`` in fullwidth letters, or hide a zero-width space in
``N/A``: to a reader it is the same word, to a byte comparison it is not.
Every placeholder check and every identity key of the gate therefore compares
text after :func:`lookalike`:

1. **NFKC** (Unicode compatibility forms: fullwidth ``Ｔ``, ligatures ``ﬁ``,
   superscripts, circled letters) — UAX #15;
2. **confusables**: each non-ASCII character that Unicode's confusables data
   (UTS #39, ``confusables.txt``, as shipped by the maintained
   ``confusable-homoglyphs`` package) lists as visually confusable with an
   ASCII character is replaced by that character — Cyrillic ``о`` -> ``o``,
   Greek ``Α`` -> ``A``, ``⁄`` (fraction slash) -> ``/``;
3. **invisible format characters** (category Cf: zero-width space and joiners,
   soft hyphen, bidirectional controls) are removed.

The package stores the data as an undirected graph (each character with the
characters it is confusable with). A UTS #39 *skeleton* class is a source
character with its prototype; the ASCII member of a class is at most two steps
away (source -> prototype -> other sources), so that is how far we look.
Where a class has several ASCII members (``І`` is confusable with ``l``, ``I``
and ``1``), a letter of the character's own case wins, then any letter, then a
digit, then other ASCII — so a capital ``І`` becomes ``I``, never ``1``.

What this must *not* change: ASCII text (returned as is), and letters that are
not confusable with ASCII — ``é``, ``ñ``, ``ß``, Cyrillic ``Ж``, Han, Hangul —
which keep their identity, so legitimate non-Latin and accented names are
compared as written (accent folding, where wanted, is the caller's step). The
fold is used only to *compare*; nothing folded is stored or shown.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _rank(source: str, target: str) -> tuple[int, str]:
    """Preference of an ASCII replacement for ``source`` (lower is better)."""
    if target.isalpha():
        same_case = source.isupper() == target.isupper()
        return (0 if same_case else 1, target)
    if target.isdigit():
        return (2, target)
    return (3, target)


@lru_cache(maxsize=1)
def confusables_table() -> dict[int, str]:
    """``str.translate`` table: non-ASCII code point -> its ASCII look-alike."""
    from confusable_homoglyphs.confusables import confusables_data

    graph: dict[str, list[str]] = {k: [e["c"] for e in v] for k, v in confusables_data.items()}
    # each node's ASCII form, once: a letter with combining marks counts as the
    # letter ("Ø" is confusable with "O" + U+0338)
    ascii_of: dict[str, str] = {}
    for node in {n for ns in graph.values() for n in ns}:
        bare = _strip_marks(node)
        if len(bare) == 1 and bare.isascii() and bare.isprintable() and not bare.isspace():
            ascii_of[node] = bare
    table: dict[int, str] = {}
    for char, neighbours in graph.items():
        if len(char) != 1 or char.isascii():
            continue
        # one step (source -> prototype) and two (-> the prototype's other sources)
        reach = [*neighbours, *(m for n in neighbours for m in graph.get(n, ()))]
        forms = {ascii_of[n] for n in reach if n in ascii_of}
        if forms:
            table[ord(char)] = min([_rank(char, f) for f in forms])[1]
    return table


def lookalike(text: str) -> str:
    """``text`` as it looks: NFKC, confusables to ASCII, invisible format characters removed.

    Case, spacing, accents that are not confusable, and punctuation are kept.
    """
    if text.isascii():
        return text
    return _fold(text)


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    # cached: the same names and street names recur across columns, rules and batches
    table = confusables_table()
    normal = unicodedata.normalize("NFKC", text)
    folded = normal.translate(table)
    if folded != normal:
        # a replacement can meet a following combining mark ("e" + U+0301): normalise
        # again until stable, so that folding twice gives what folding once gave
        for _ in range(3):
            again = unicodedata.normalize("NFKC", folded).translate(table)
            if again == folded:
                break
            folded = again
    if folded.isascii():
        return folded
    return "".join(c for c in folded if c.isascii() or unicodedata.category(c) != "Cf")


def letters_key(text: str) -> str:
    """Upper-case letters only, accents removed, after :func:`lookalike`.

    ``"Unkn\u043ewn"`` -> ``"UNKNOWN"``; ``"O'Brien"`` -> ``"OBRIEN"``; ``"Nguyễn"`` -> ``"NGUYEN"``.
    For rules that work per distinct value in Python; columns use ``_text.folded``.
    """
    s = unicodedata.normalize("NFKD", lookalike(text))
    return "".join(c for c in s if c.isalpha() and unicodedata.category(c) != "Mn").upper()

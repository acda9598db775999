"""Read one address line into facts the address rules decide on.

``usaddress`` (a conditional random field trained on US addresses) labels the
tokens of a line: house number, street name, PO box, unit, place, state, ZIP.
From those labels and a few patterns this module derives a small bit set of
facts per *distinct* line of text. Parsing is the slow part of the gate
(about 20,000 lines a second per core), so distinct lines are parsed once and
spread over worker processes in chunks (:func:`classify_many`).

The placeholder vocabulary covers the values the court and the inspector
general found accepted in 2025 ("Don't Care 12345", "Failed to Provide",
"Unknown Address", "NA NA", "00000", missing street names or numbers, jails
named without a building location).

Every line is read as it looks (``fold.lookalike``: NFKC, Unicode confusables
to ASCII, invisible characters removed) before any rule or the parser sees it,
so ``123 ТВD St`` in Cyrillic letters or ``１２３ Ａｎｙ Ｓｔ`` in fullwidth ones
is judged as the ``123 TBD St`` it shows.

**Placeholder street names** (:func:`placeholder_street`). What a requester
must set forth is the taxpayer's address, and a street address names its
street. When the *whole* street name (the parser's ``StreetName``, with
directionals and street types set aside) is made of words that in a record
mean "no value" — TBD, N/A, NA, ANY, UNKNOWN, NONE, NOWHERE, FAKE, TEST, XX…
in any case, punctuation, spacing or look-alike letters — the line names no
street, whatever house number and "St" surround it: ``123 TBD St``,
``123 N/A``, ``123 Any Street`` are refused (ADDRESS_PLACEHOLDER). The same
holds for a unit designator (``Apt TBD``), and ``N/A`` written with a slash is
a placeholder anywhere in a line. What must pass: streets that merely contain
such letters or words (``Anyway Rd``, ``Nonesuch Ln``, ``Test Valley Rd``,
``Any Town Rd``: a word that is not a placeholder makes the rest a name),
lettered streets (``N A St`` is North A Street, ``X St`` exists), and route
designators after a route type (``County Road XX``, ``County Road NA``:
lettered county trunk highways use one to three letters). Known cost,
accepted on purpose: a real street whose entire name is such a word (there
are roads named ``Nowhere Rd``) is refused; from the request alone it cannot
be told from the placeholder, and a refusal names the field to fix rather than
disclosing on a guess.
"""

from __future__ import annotations

import multiprocessing
import re
import unicodedata
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

import usaddress

from .fold import lookalike

# --- facts (bits) ----------------------------------------------------------------
BLANK = 1
HAS_NUMBER = 2  # a house number with at least one digit, not all zeros
HAS_STREET = 4  # a street name
PO_BOX = 8  # PO box, rural route / highway contract box, private mailbox
GENERAL_DELIVERY = 16
FACILITY = 32  # names a jail, prison or detention facility
PLACEHOLDER = 64  # placeholder text, or a house number of zeros
ZIP_LIKE = 128  # nothing but a 5- or 9-digit number
UNPARSEABLE = 256  # labels repeat: two addresses in one line, or garbage
HAS_BOX_ID = 512  # the box has a number (matters only where boxes are allowed)

#: below this many distinct lines the pool costs more than it saves
PARALLEL_MIN = 20_000


class LineFacts(NamedTuple):
    flags: int
    # locality found inside the line itself, used only when the request's
    # city/state/zip columns are all empty (a whole address typed in one line)
    city: str
    state: str
    zip: str


_APOSTROPHES = str.maketrans("", "", "'’`")
_NOT_WORD = re.compile(r"[^0-9A-Z\u00C0-\u024F]+")


def _norm(text: str) -> str:
    """As it looks, upper case, accents removed, apostrophes dropped (DON'T -> DONT),
    other punctuation to spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", lookalike(text))
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(_NOT_WORD.sub(" ", text.upper().translate(_APOSTROPHES)).split())


# phrases that make any line a placeholder, wherever they appear
_PHRASES = re.compile(
    r"\b(?:DONT CARE|DO NOT CARE|DONT KNOW|DO NOT KNOW|FAILED TO PROVIDE|NOT PROVIDED|"
    r"NOT GIVEN|NOT STATED|NOT KNOWN|UNKNOWN|UNKWN|SAME AS ABOVE|SEE ABOVE|AS ABOVE|NO ADDRESS|"
    r"ADDRESS UNKNOWN|TO BE DETERMINED|NOT AVAILABLE|NOT APPLICABLE|NO FIXED ADDRESS|"
    r"NO KNOWN ADDRESS|REFUSED|DECLINED|PLACEHOLDER|DUMMY|FAKE|REDACTED|XXX+)\b"
)
# words that are placeholders only when a line is made of nothing else
# ("NA NA", "not given", "on file"); single letters are not among them ("# A" and
# "APT B" are units)
_VOCAB = frozenset({
    "NA", "NONE", "NULL", "NIL", "TBD", "TBA", "TEST", "UNK", "UNKN", "XX",
    "SAME", "ABOVE", "AS", "SEE", "NO", "ADDRESS", "BLANK", "EMPTY", "VOID", "ANY",
    "WHATEVER", "DONT", "CARE", "NOT", "GIVEN", "PROVIDED", "PROVIDE", "FAILED", "TO", "KNOW",
    "NOTHING", "MISSING", "HOMELESS", "TRANSIENT", "ON", "FILE",
})
# ...and those that are placeholders even alone. Real places carry some of the
# others as names (Given WV, Nothing AZ, Blank PA), so alone they pass.
_VOCAB_ALONE = frozenset({"NA", "NONE", "NULL", "NIL", "TBD", "TBA", "TEST", "UNK", "UNKN", "XX",
                          "HOMELESS", "TRANSIENT", "MISSING"})
#: words that, as a street's (or unit's) *entire* name, say "no value" (see the module
#: docstring for why, and what must still pass)
STREET_PLACEHOLDERS = frozenset({
    "TBD", "TBA", "NA", "NONE", "NULL", "NIL", "UNKNOWN", "UNK", "UNKN", "ANY", "ANYWHERE",
    "NOWHERE", "FAKE", "TEST", "DUMMY", "PLACEHOLDER", "REDACTED", "WHATEVER",
})
_XS = re.compile(r"XX+")
#: "N/A" with a slash (any spacing) is not-applicable wherever it stands in a line
_NA_SLASH = re.compile(r"(?<![0-9A-Z])N\s*/\s*A(?![0-9A-Z])", re.IGNORECASE)
_ORDINAL = re.compile(r"\d+(?:ST|ND|RD|TH)", re.IGNORECASE)
_ORDINAL_WORD = re.compile(r"\b\d+(?:ST|ND|RD|TH)\b", re.IGNORECASE)
# "N/A", "N.A.", "n / a": the not-applicable spellings a single-letter rule would miss
_NOT_APPLICABLE = re.compile(r"\s*N\s*[/.]\s*A\.?\s*", re.IGNORECASE)
_ZIP_LIKE = re.compile(r"\d{5}(?:-?\d{4})?")
_ZEROS = re.compile(r"0+(?:-?0+)?")
_GENERAL_DELIVERY = re.compile(r"\bGENERAL DELIVERY\b")
_BOX = re.compile(
    r"\b(?:P ?O BOX|POST OFFICE BOX|POB|P ?O B|PO DRAWER|LOCK ?BOX|PMB|BOX \d|"
    r"RR \d|R R \d|RURAL ROUTE|HC \d|HCR \d|HIGHWAY CONTRACT)"
)
_FACILITY = re.compile(
    r"\b(?:JAIL|JAILS|DETENTION|DETENTIONS|CORRECTIONAL|CORRECTIONS|PRISON|PENITENTIARY|"
    r"PROCESSING CENTER|PROCESSING CENTRE|HOLDING FACILITY|HOLDING CENTER|STAGING FACILITY|"
    r"TRANSITIONAL CENTER|RESIDENTIAL CENTER|JUSTICE CENTER|LAW ENFORCEMENT CENTER|"
    r"LOCKUP|STOCKADE|REFORMATORY|WORKHOUSE|SHERIFF|FCI|FDC|MDC|USP|ICE|CDF|IPC|SPC|"
    r"INMATE|DETAINEE|DETAINED|INCARCERATED|CUSTODY)\b"
)


def is_placeholder_text(text: str) -> bool:
    """Whether free text (an address line, a city) is placeholder rather than data."""
    if _NOT_APPLICABLE.fullmatch(lookalike(text)):
        return True
    norm = _norm(text)
    if not norm:
        return False
    if _PHRASES.search(norm):
        return True
    if _ZEROS.fullmatch(norm.replace(" ", "")):
        return True
    words = [w for w in norm.split() if not w.isdigit()]
    if len(words) == 1:
        return words[0] in _VOCAB_ALONE
    return bool(words) and all(w in _VOCAB for w in words)


def placeholder_street(name: str, *, route: bool = False) -> bool:
    """Whether a street (or unit) name is made only of placeholder words.

    Letters written one by one are read as one word (``T.B.D.``, ``T B D``,
    ``N/A``, ``N.A.`` -> TBD, NA). After a route type (``route``: "County Road",
    "Highway") a code of up to three letters is a designator, not a word.
    """
    if not name:
        return False
    words: list[str] = []
    run = ""
    for w in _norm(name).split():
        if len(w) == 1 and w.isalpha():
            run += w
            continue
        if run:
            words.append(run)
            run = ""
        words.append(w)
    if run:
        words.append(run)
    if not words:
        return False
    if route and all(len(w) <= 3 and w.isalpha() for w in words):
        return False
    return all(w in STREET_PLACEHOLDERS or _XS.fullmatch(w) for w in words)


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def classify(text: str) -> LineFacts:
    """The facts of one address line (pure; safe to run in a worker process)."""
    raw = lookalike(text).strip()
    if not raw:
        return LineFacts(BLANK, "", "", "")
    norm = _norm(raw)
    flags = 0
    if is_placeholder_text(raw) or _NA_SLASH.search(raw):
        flags |= PLACEHOLDER
    if _ZIP_LIKE.fullmatch(raw.replace(" ", "")):
        flags |= ZIP_LIKE
    if _GENERAL_DELIVERY.search(norm):
        flags |= GENERAL_DELIVERY
    if _BOX.search(norm):
        flags |= PO_BOX
    if _FACILITY.search(norm):
        flags |= FACILITY
    try:
        tags, _kind = usaddress.tag(raw)
        labels: dict[str, str] = dict(tags)
    except usaddress.RepeatedLabelError as e:
        flags |= UNPARSEABLE
        labels = {}
        for token, label in e.parsed_string:
            labels.setdefault(label, token)
    number = labels.get("AddressNumber", "")
    if _ORDINAL.fullmatch(number):
        # "2nd Avenue", "9TH BLVD": usaddress takes the ordinal for a house
        # number; it is the street's name, and there is no house number.
        labels = {**labels, "StreetName": number + " " + labels.get("StreetName", "")}
        number = ""
    pre_type = labels.get("StreetNamePreType", "")
    if "StreetName" not in labels and _ORDINAL_WORD.search(pre_type):
        # "23 E 7th Road" comes back with "7th Road" as a street *type*
        labels = {**labels, "StreetName": pre_type}
    if number and _has_digit(number):
        if _ZEROS.fullmatch(number):
            flags |= PLACEHOLDER
        else:
            flags |= HAS_NUMBER
    if not (flags & (HAS_NUMBER | PO_BOX | PLACEHOLDER | FACILITY | GENERAL_DELIVERY)) and (
        "StreetName" not in labels
    ):
        labels = _street_without_number(raw, labels)
    street = labels.get("StreetName", "")
    # A street name has a letter ("Elm", "5th"), or is a number after a street
    # type ("County Road 45", "US Highway 1"); bare digits are not a street.
    pre_type = labels.get("StreetNamePreType", "")
    if any(c.isalpha() for c in street) or (
        _has_digit(street) and any(c.isalpha() for c in pre_type)
    ):
        flags |= HAS_STREET
    if placeholder_street(street, route=bool(pre_type)) or placeholder_street(
        labels.get("OccupancyIdentifier", "")
    ):
        flags |= PLACEHOLDER
    if any(k in labels for k in ("USPSBoxType", "USPSBoxGroupType", "USPSBoxID")):
        flags |= PO_BOX
    if _has_digit(labels.get("USPSBoxID", "")):
        flags |= HAS_BOX_ID
    if labels.get("SubaddressType", "").upper().replace(".", "") == "PMB":
        flags |= PO_BOX
    return LineFacts(
        flags,
        labels.get("PlaceName", ""),
        labels.get("StateName", ""),
        labels.get("ZipCode", ""),
    )


def _street_without_number(raw: str, labels: dict[str, str]) -> dict[str, str]:
    """Labels for a line that may be a street name written without a house number.

    Without a number ``usaddress`` often reads "Maple Ct" as a place and a
    state (CT) or "Kennedy Place" as a building. Parsed again behind a dummy
    number, a street shows itself; the dummy never counts as a house number.
    """
    if not any(c.isalpha() for c in raw):
        return labels
    try:
        probe, _kind = usaddress.tag("1 " + raw)
    except usaddress.RepeatedLabelError:
        return labels
    # Only a recognised street type ("Ct", "Place", "Avenue B") makes it a
    # street; otherwise any words behind a number would pass as one.
    typed = probe.get("StreetNamePostType") or probe.get("StreetNamePreType")
    if probe.get("AddressNumber") == "1" and probe.get("StreetName") and typed:
        return {**labels, "StreetName": probe["StreetName"],
                "StreetNamePreType": probe.get("StreetNamePreType", "")}
    return labels


def _classify_chunk(texts: Sequence[str]) -> list[LineFacts]:
    return [classify(t) for t in texts]


def classify_many(texts: Sequence[str], *, workers: int = 2) -> list[LineFacts]:
    """Classify distinct lines, over ``workers`` processes when there are many.

    The pool uses the ``forkserver`` start method: the parent holds Arrow
    thread pools, and forking a threaded process can deadlock the child. Like
    every non-fork start method, it imports the main module in the workers,
    so a script calling this must keep its work under
    ``if __name__ == "__main__":``. Should the pool fail for any reason, the
    lines are classified in this process: slower, never a different answer.
    """
    if workers <= 1 or len(texts) < PARALLEL_MIN:
        return _classify_chunk(texts)
    # Several chunks per worker keep both cores busy to the end without
    # pickling one huge list at once.
    size = max(2_000, len(texts) // (workers * 8) + 1)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    ctx = multiprocessing.get_context("forkserver")
    out: list[LineFacts] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for part in pool.map(_classify_chunk, chunks):
                out.extend(part)
    except (BrokenProcessPool, OSError, RuntimeError) as e:
        warnings.warn(f"address parsing pool failed ({e!r}); parsing in-process",
                      RuntimeWarning, stacklevel=2)
        return _classify_chunk(texts)
    return out

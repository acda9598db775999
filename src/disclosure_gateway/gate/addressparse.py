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
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple

import usaddress

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


def _norm(text: str) -> str:
    """Upper case, apostrophes dropped (DON'T -> DONT), other punctuation to spaces."""
    t = text.upper().replace("'", "").replace("’", "").replace("`", "")
    return " ".join(re.sub(r"[^0-9A-Z\u00C0-\u024F]+", " ", t).split())


# phrases that make any line a placeholder, wherever they appear
_PHRASES = re.compile(
    r"\b(?:DONT CARE|DO NOT CARE|DONT KNOW|DO NOT KNOW|FAILED TO PROVIDE|NOT PROVIDED|"
    r"NOT GIVEN|NOT STATED|UNKNOWN|UNKWN|SAME AS ABOVE|SEE ABOVE|AS ABOVE|NO ADDRESS|"
    r"ADDRESS UNKNOWN|TO BE DETERMINED|NOT AVAILABLE|NOT APPLICABLE|NO FIXED ADDRESS|"
    r"NO KNOWN ADDRESS|REFUSED|DECLINED|PLACEHOLDER|DUMMY|FAKE|REDACTED|XXX+)\b"
)
# words that are placeholders only when a line is made of nothing else ("NA NA", "N/A", "none")
_VOCAB = frozenset({
    "NA", "N", "A", "NONE", "NULL", "NIL", "TBD", "TBA", "TEST", "UNK", "UNKN", "X", "XX",
    "SAME", "ABOVE", "AS", "SEE", "NO", "ADDRESS", "BLANK", "EMPTY", "VOID", "ANY",
    "WHATEVER", "DONT", "CARE", "NOT", "GIVEN", "PROVIDED", "PROVIDE", "FAILED", "TO", "KNOW",
    "NOTHING", "MISSING", "HOMELESS", "TRANSIENT", "ON", "FILE",
})
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
    r"LOCKUP|STOCKADE|REFORMATORY|WORKHOUSE|SHERIFF|FCI|FDC|MDC|USP|ICE|CDF|IPC|SPC|"
    r"INMATE|DETAINEE|DETAINED|INCARCERATED|CUSTODY)\b"
)


def is_placeholder_text(text: str) -> bool:
    """Whether free text (an address line, a city) is placeholder rather than data."""
    norm = _norm(text)
    if not norm:
        return False
    if _PHRASES.search(norm):
        return True
    if _ZEROS.fullmatch(norm.replace(" ", "")):
        return True
    words = [w for w in norm.split() if not w.isdigit()]
    return bool(words) and all(w in _VOCAB for w in words)


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def classify(text: str) -> LineFacts:
    """The facts of one address line (pure; safe to run in a worker process)."""
    raw = text.strip()
    if not raw:
        return LineFacts(BLANK, "", "", "")
    norm = _norm(raw)
    flags = 0
    if is_placeholder_text(raw):
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
    if number and _has_digit(number):
        if _ZEROS.fullmatch(number):
            flags |= PLACEHOLDER
        else:
            flags |= HAS_NUMBER
    street = labels.get("StreetName", "")
    # A street name has a letter ("Elm", "5th"), or is a number after a street
    # type ("County Road 45", "US Highway 1"); bare digits are not a street.
    if any(c.isalpha() for c in street) or (
        _has_digit(street) and labels.get("StreetNamePreType")
    ):
        flags |= HAS_STREET
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


def _classify_chunk(texts: Sequence[str]) -> list[LineFacts]:
    return [classify(t) for t in texts]


def classify_many(texts: Sequence[str], *, workers: int = 2) -> list[LineFacts]:
    """Classify distinct lines, over ``workers`` processes when there are many.

    The pool uses the ``forkserver`` start method: the parent holds Arrow
    thread pools, and forking a threaded process can deadlock the child.
    """
    if workers <= 1 or len(texts) < PARALLEL_MIN:
        return _classify_chunk(texts)
    # Several chunks per worker keep both cores busy to the end without
    # pickling one huge list at once.
    size = max(2_000, len(texts) // (workers * 8) + 1)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    ctx = multiprocessing.get_context("forkserver")
    out: list[LineFacts] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for part in pool.map(_classify_chunk, chunks):
            out.extend(part)
    return out

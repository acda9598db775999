"""Addresses: folding and parsing street lines, units, cities, states and ZIPs.

A line is folded (ASCII, upper case, punctuation other than ``#``, ``-`` and
``/`` dropped), then split in two steps:

1. Regular expressions (``HOUSE_RE``, ``UNIT_RE``, ``LINE2_UNIT_RE``) take the
   house number off the front and the unit off the end. They are written in the
   common subset of Python ``re`` and RE2 so the vectorised normaliser
   (``records.py``) runs the very same patterns inside DuckDB over millions of
   rows.
2. What remains (``N MAIN ST``) is parsed once per distinct value by
   ``parse_street``: directionals and the street suffix reduced to their USPS
   Publication 28 abbreviations (``NORTH``→``N``, ``STREET``/``STR``→``ST``), the
   street name with its ordinal and saint/mount/fort words made uniform. Lines the
   patterns do not recognise (no leading house number) go to ``usaddress``.

Units keep only their identifier: ``Apt 4B``, ``#4B``, ``Unit 4-B`` and ``Ste
04B`` all become ``4B`` (the designator is format, the identifier is not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import usaddress
from unidecode import unidecode

# --- patterns shared with the DuckDB path (Python re ∩ RE2) -------------------

#: characters a folded line keeps besides letters, digits and single spaces
_FOLD_DROP = r"[^A-Z0-9#/ -]"
#: house number at the start: 123, 12B, 12-B, 123-45 (Queens), 123 1/2
HOUSE_RE = r"^([0-9]+)(-?[A-Z]|-[0-9]+)?( 1/2)? (.+)$"
_UNIT_WORDS = "APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|FL|FLOOR|BLDG|LOT|SPC|TRLR|NO"
#: unit at the end of a street line: ... APT 4B, ... # 4B, ... UNIT #4B
UNIT_RE = rf"^(.+?) (?:(?:{_UNIT_WORDS})(?: ?#)?|#) ?([0-9A-Z][0-9A-Z-]*)$"
#: a line 2 that is just a unit: APT 4B, #4B, 4B, B — with a designator any token,
#: without one only a token with a digit or a single letter (a word alone is a
#: building or a locality, CROMDALE, not a unit): the unit is group 1 or group 2
LINE2_UNIT_RE = (rf"^(?:(?:{_UNIT_WORDS})(?: ?#)? ?|# ?)([0-9A-Z][0-9A-Z-]*)$"
                 r"|^([0-9A-Z-]*[0-9][0-9A-Z-]*|[A-Z])$")
#: ZIP, ZIP+4 with or without the hyphen, and four-digit ZIPs that lost a leading 0
ZIP_RE = r"^([0-9]{4,5})(?:-?[0-9]{4})?$"

# --- USPS Publication 28 tables (C1 suffixes, directionals) -------------------

_SUFFIX_VARIANTS: dict[str, tuple[str, ...]] = {
    "ALY": ("ALLEY", "ALLEE", "ALLY", "ALY"),
    "ANX": ("ANEX", "ANNEX", "ANNX", "ANX"),
    "ARC": ("ARC", "ARCADE"),
    "AVE": ("AV", "AVE", "AVEN", "AVENU", "AVENUE", "AVN", "AVNUE"),
    "BCH": ("BCH", "BEACH"),
    "BLF": ("BLF", "BLUF", "BLUFF"),
    "BLVD": ("BLVD", "BOUL", "BOULEVARD", "BOULV", "BLV"),
    "BND": ("BEND", "BND"),
    "BR": ("BR", "BRNCH", "BRANCH"),
    "BRG": ("BRDGE", "BRG", "BRIDGE"),
    "BYP": ("BYP", "BYPA", "BYPAS", "BYPASS", "BYPS"),
    "CSWY": ("CAUSEWAY", "CAUSWA", "CSWY"),
    "CTR": ("CEN", "CENT", "CENTER", "CENTR", "CENTRE", "CNTER", "CNTR", "CTR"),
    "CIR": ("CIR", "CIRC", "CIRCL", "CIRCLE", "CRCL", "CRCLE"),
    "CLF": ("CLF", "CLIFF"),
    "CLB": ("CLB", "CLUB"),
    "COR": ("COR", "CORNER"),
    "CRSE": ("COURSE", "CRSE"),
    "CT": ("COURT", "CT", "CRT"),
    "CTS": ("COURTS", "CTS"),
    "CV": ("COVE", "CV"),
    "CRK": ("CREEK", "CRK"),
    "CRES": ("CRESCENT", "CRES", "CRSENT", "CRSNT"),
    "XING": ("CROSSING", "CRSSNG", "XING"),
    "DL": ("DALE", "DL"),
    "DM": ("DAM", "DM"),
    "DV": ("DIV", "DIVIDE", "DV", "DVD"),
    "DR": ("DR", "DRIV", "DRIVE", "DRV"),
    "EST": ("EST", "ESTATE"),
    "ESTS": ("ESTATES", "ESTS"),
    "EXPY": ("EXP", "EXPR", "EXPRESS", "EXPRESSWAY", "EXPW", "EXPY"),
    "EXT": ("EXT", "EXTENSION", "EXTN", "EXTNSN"),
    "FLS": ("FALLS", "FLS"),
    "FRY": ("FERRY", "FRRY", "FRY"),
    "FLD": ("FIELD", "FLD"),
    "FLDS": ("FIELDS", "FLDS"),
    "FLT": ("FLAT", "FLT"),
    "FRD": ("FORD", "FRD"),
    "FRST": ("FOREST", "FORESTS", "FRST"),
    "FRG": ("FORG", "FORGE", "FRG"),
    "FRK": ("FORK", "FRK"),
    "FT": ("FORT", "FRT", "FT"),
    "FWY": ("FREEWAY", "FREEWY", "FRWAY", "FRWY", "FWY"),
    "GDN": ("GARDEN", "GARDN", "GRDEN", "GRDN", "GDN"),
    "GDNS": ("GARDENS", "GDNS", "GRDNS"),
    "GTWY": ("GATEWAY", "GATEWY", "GATWAY", "GTWAY", "GTWY"),
    "GLN": ("GLEN", "GLN"),
    "GRN": ("GREEN", "GRN"),
    "GRV": ("GROV", "GROVE", "GRV"),
    "HBR": ("HARB", "HARBOR", "HARBR", "HBR", "HRBOR"),
    "HVN": ("HAVEN", "HVN"),
    "HTS": ("HT", "HTS", "HEIGHTS"),
    "HWY": ("HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY", "HWY"),
    "HL": ("HILL", "HL"),
    "HLS": ("HILLS", "HLS"),
    "HOLW": ("HLLW", "HOLLOW", "HOLLOWS", "HOLW", "HOLWS"),
    "INLT": ("INLT", "INLET"),
    "IS": ("IS", "ISLAND", "ISLND"),
    "ISLE": ("ISLE", "ISLES"),
    "JCT": ("JCT", "JCTION", "JCTN", "JUNCTION", "JUNCTN", "JUNCTON"),
    "KY": ("KEY", "KY"),
    "KNL": ("KNL", "KNOL", "KNOLL"),
    "LK": ("LK", "LAKE"),
    "LKS": ("LKS", "LAKES"),
    "LNDG": ("LANDING", "LNDG", "LNDNG"),
    "LN": ("LANE", "LN"),
    "LGT": ("LGT", "LIGHT"),
    "LOOP": ("LOOP", "LOOPS"),
    "MALL": ("MALL",),
    "MNR": ("MANOR", "MNR"),
    "MDW": ("MEADOW", "MDW"),
    "MDWS": ("MDWS", "MEADOWS", "MEDOWS"),
    "ML": ("MILL", "ML"),
    "MLS": ("MILLS", "MLS"),
    "MTWY": ("MOTORWAY", "MTWY"),
    "MT": ("MNT", "MT", "MOUNT"),
    "MTN": ("MNTAIN", "MNTN", "MOUNTAIN", "MOUNTIN", "MTIN", "MTN"),
    "OVAL": ("OVAL", "OVL"),
    "OPAS": ("OVERPASS", "OPAS"),
    "PARK": ("PARK", "PRK", "PARKS"),
    "PKWY": ("PARKWAY", "PARKWY", "PKWAY", "PKWY", "PKY", "PARKWAYS", "PKWYS"),
    "PASS": ("PASS",),
    "PATH": ("PATH", "PATHS"),
    "PIKE": ("PIKE", "PIKES"),
    "PNES": ("PINES", "PNES"),
    "PL": ("PL", "PLACE"),
    "PLN": ("PLAIN", "PLN"),
    "PLNS": ("PLAINS", "PLNS"),
    "PLZ": ("PLAZA", "PLZ", "PLZA"),
    "PT": ("POINT", "PT"),
    "PRT": ("PORT", "PRT"),
    "PR": ("PR", "PRAIRIE", "PRR"),
    "RADL": ("RAD", "RADIAL", "RADIEL", "RADL"),
    "RNCH": ("RANCH", "RANCHES", "RNCH", "RNCHS"),
    "RDG": ("RDG", "RDGE", "RIDGE"),
    "RIV": ("RIV", "RIVER", "RVR", "RIVR"),
    "RD": ("RD", "ROAD"),
    "RDS": ("ROADS", "RDS"),
    "RTE": ("ROUTE", "RTE"),
    "ROW": ("ROW",),
    "RUN": ("RUN",),
    "SHR": ("SHOAR", "SHORE", "SHR"),
    "SKWY": ("SKYWAY", "SKWY"),
    "SPG": ("SPG", "SPNG", "SPRING", "SPRNG"),
    "SPGS": ("SPGS", "SPNGS", "SPRINGS", "SPRNGS"),
    "SQ": ("SQ", "SQR", "SQRE", "SQU", "SQUARE"),
    "STA": ("STA", "STATION", "STATN", "STN"),
    "ST": ("STREET", "STRT", "ST", "STR"),
    "STRM": ("STREAM", "STREME", "STRM"),
    "SMT": ("SMT", "SUMIT", "SUMITT", "SUMMIT"),
    "TER": ("TER", "TERR", "TERRACE"),
    "TRCE": ("TRACE", "TRACES", "TRCE"),
    "TRAK": ("TRACK", "TRACKS", "TRAK", "TRK", "TRKS"),
    "TRL": ("TRAIL", "TRAILS", "TRL", "TRLS"),
    "TUNL": ("TUNEL", "TUNL", "TUNLS", "TUNNEL", "TUNNELS", "TUNNL"),
    "TPKE": ("TRNPK", "TURNPIKE", "TURNPK", "TPKE"),
    "UN": ("UN", "UNION"),
    "VLY": ("VALLEY", "VALLY", "VLLY", "VLY"),
    "VIA": ("VDCT", "VIA", "VIADCT", "VIADUCT"),
    "VW": ("VIEW", "VW"),
    "VLG": ("VILL", "VILLAG", "VILLAGE", "VILLG", "VILLIAGE", "VLG"),
    "VIS": ("VIS", "VIST", "VISTA", "VST", "VSTA"),
    "WALK": ("WALK", "WALKS"),
    "WAY": ("WY", "WAY"),
    "WL": ("WELL", "WL"),
    "WLS": ("WELLS", "WLS"),
}
#: every suffix spelling → its USPS abbreviation
STREET_SUFFIXES: dict[str, str] = {v: abbr for abbr, vs in _SUFFIX_VARIANTS.items() for v in vs}

DIRECTIONALS: dict[str, str] = {
    "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S", "E": "E", "EAST": "E", "W": "W",
    "WEST": "W", "NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
    "SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}

#: words written two ways inside street and city names
NAME_WORDS: dict[str, str] = {
    "SAINT": "ST", "STE": "ST", "FORT": "FT", "MOUNT": "MT", "MOUNTAIN": "MTN",
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH",
    "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
    "ELEVENTH": "11TH", "TWELFTH": "12TH",
}

STATES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI",
    "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND",
    "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN",
    "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR",
    "GUAM": "GU", "VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS",
    "NORTHERN MARIANA ISLANDS": "MP",
}
_STATE_CODES = frozenset(STATES.values())

_DROP = re.compile(_FOLD_DROP)
_SPACES = re.compile(r" +")
_HOUSE = re.compile(HOUSE_RE)
_UNIT = re.compile(UNIT_RE)
_LINE2_UNIT = re.compile(LINE2_UNIT_RE)
_ZIP = re.compile(ZIP_RE)


# --- scalar pieces (also called per distinct value by the vectorised path) -----


def fold_line(text: str | None) -> str:
    """ASCII, upper case; keep letters, digits, ``#``, ``-``, ``/``; single spaces."""
    if not text:
        return ""
    s = unidecode(str(text)).upper().replace("'", "")
    s = _DROP.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def normalise_unit(unit: str) -> str:
    """Unit identifier without hyphens and leading zeros (``04-B`` → ``4B``)."""
    u = unit.replace("-", "")
    return u.lstrip("0") or ("0" if u else "")


def normalise_house(number: str, letter: str, half: str) -> str:
    """``12``+``-B`` → ``12B``; ``123``+``-45`` → ``123-45``; ``7``+`` 1/2`` → ``71/2``."""
    if letter.startswith("-") and letter[1:].isalpha():
        letter = letter[1:]
    return (number.lstrip("0") or "0") + letter + ("1/2" if half else "")


def _words(tokens: list[str]) -> str:
    return " ".join(NAME_WORDS.get(t, t) for t in tokens)


@lru_cache(maxsize=1 << 18)
def parse_street(part: str) -> tuple[str, str, str, str]:
    """``(predir, name, suffix, postdir)`` of a folded street part (``N MAIN ST``)."""
    tokens = part.replace("#", " ").split()
    predir = suffix = postdir = ""
    if len(tokens) >= 3 and tokens[-1] in DIRECTIONALS and tokens[-2] in STREET_SUFFIXES:
        postdir = DIRECTIONALS[tokens.pop()]
    if len(tokens) >= 2 and tokens[-1] in STREET_SUFFIXES:
        suffix = STREET_SUFFIXES[tokens.pop()]
    if len(tokens) >= 2 and tokens[0] in DIRECTIONALS:
        predir = DIRECTIONALS[tokens.pop(0)]
    if not suffix and not postdir and len(tokens) >= 2 and tokens[-1] in DIRECTIONALS:
        postdir = DIRECTIONALS[tokens.pop()]
    return predir, _words(tokens), suffix, postdir


@lru_cache(maxsize=1 << 16)
def parse_irregular_line(line: str) -> tuple[str, str, str, str, str, str]:
    """``(house, predir, name, suffix, postdir, unit)`` of a folded line the patterns
    do not recognise, by ``usaddress``; empty parts where it finds none."""
    try:
        tagged, _kind = usaddress.tag(line)
        parts: dict[str, str] = dict(tagged)
    except usaddress.RepeatedLabelError:
        parts = {}
        for token, label in usaddress.parse(line):
            parts.setdefault(label, token)
    house = re.sub(r"[^0-9A-Z]", "", parts.get("AddressNumber", ""))
    unit = normalise_unit(re.sub(r"[^0-9A-Z-]", "", parts.get("OccupancyIdentifier", "")))
    name_tokens = parts.get("StreetName", "").split()
    pre = DIRECTIONALS.get(parts.get("StreetNamePreDirectional", ""), "")
    post = DIRECTIONALS.get(parts.get("StreetNamePostDirectional", ""), "")
    suffix = STREET_SUFFIXES.get(parts.get("StreetNamePostType", ""), "")
    if parts.get("USPSBoxID"):
        return "", "", "PO BOX", "", "", re.sub(r"[^0-9A-Z]", "", parts["USPSBoxID"])
    return house, pre, _words(name_tokens), suffix, post, unit


@lru_cache(maxsize=1 << 14)
def normalise_city(city: str | None) -> str:
    return _words(fold_line(city).replace("#", " ").replace("-", " ").split())


@lru_cache(maxsize=256)
def normalise_state(state: str | None) -> str:
    s = fold_line(state).replace("-", " ")
    if s in _STATE_CODES:
        return s
    return STATES.get(s, "")


def normalise_zip(zip_code: str | None) -> str:
    m = _ZIP.match(fold_line(zip_code).replace(" ", ""))
    return m.group(1).rjust(5, "0") if m else ""


# --- the whole address ---------------------------------------------------------


@dataclass(frozen=True)
class ParsedAddress:
    house: str
    predir: str
    street: str
    suffix: str
    postdir: str
    unit: str
    city: str
    state: str
    zip5: str


def split_line(line1: str | None, line2: str | None) -> tuple[str, str, str, str, str, str]:
    """``(house, predir, street, suffix, postdir, unit)`` of address lines 1 and 2."""
    a1 = fold_line(line1)
    a2 = fold_line(line2)
    unit2 = ""
    if a2:
        m2 = _LINE2_UNIT.match(a2)
        unit2 = normalise_unit(m2.group(1) or m2.group(2)) if m2 else ""
    m = _HOUSE.match(a1)
    if not m:
        house, pre, name, suffix, post, unit1 = parse_irregular_line(a1) if a1 else ("",) * 6
        return house, pre, name, suffix, post, unit2 or unit1
    number, letter, half, rest = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4)
    unit1 = ""
    mu = _UNIT.match(rest)
    if mu:
        rest, unit1 = mu.group(1), normalise_unit(mu.group(2))
    pre, name, suffix, post = parse_street(rest)
    return normalise_house(number, letter, half), pre, name, suffix, post, unit2 or unit1


def parse_address(
    line1: str | None,
    line2: str | None = None,
    city: str | None = None,
    state: str | None = None,
    zip_code: str | None = None,
) -> ParsedAddress:
    """Parse one address (any part may be empty)."""
    house, pre, street, suffix, post, unit = split_line(line1, line2)
    return ParsedAddress(
        house=house,
        predir=pre,
        street=street,
        suffix=suffix,
        postdir=post,
        unit=unit,
        city=normalise_city(city),
        state=normalise_state(state),
        zip5=normalise_zip(zip_code),
    )

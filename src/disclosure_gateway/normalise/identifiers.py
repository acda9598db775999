"""Birth dates and TINs in one comparable form.

A birth date becomes ``YYYY-MM-DD`` *without* calendar validation: a request
that transposed day and month (``1980-13-05`` for ``1980-05-13``) must reach the
comparison as written so the "transposed" level can recognise it.
A TIN becomes its digits, whatever their number, or nothing: identifiers of
any shape are compared as given (nine digits is the legal gate's rule for a
batch's TINs, not the linkage's; public benchmarks use seven-digit ones). The
patterns are shared with the DuckDB path in ``records.py``.
"""

from __future__ import annotations

import re

#: 1980-05-13, 1980/5/13, 1980-05-13T00:00:00 (a timestamp's date part)
DOB_ISO_RE = r"^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:[ T].*)?$"
#: 05/13/1980, 5-13-1980 (US order)
DOB_US_RE = r"^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$"
#: 19800513
DOB_COMPACT_RE = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"

_ISO = re.compile(DOB_ISO_RE)
_US = re.compile(DOB_US_RE)
_COMPACT = re.compile(DOB_COMPACT_RE)


def normalise_dob(value: object) -> str:
    """``YYYY-MM-DD`` or ``""``; month and day are padded, not validated."""
    if value is None:
        return ""
    s = str(value).strip(" ")  # spaces only, as SQL trim() in the vectorised twin
    m = _ISO.match(s) or _COMPACT.match(s)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
    else:
        m = _US.match(s)
        if not m:
            return ""
        mo, d, y = m.group(1), m.group(2), m.group(3)
    return f"{y}-{mo.rjust(2, '0')}-{d.rjust(2, '0')}"


def normalise_tin(value: object) -> str:
    """The digits of a TIN (``123-45-6789`` → ``123456789``), else ``""``."""
    if value is None:
        return ""
    if isinstance(value, int):  # a number column lost the leading zeros
        value = f"{value:09d}"
    return re.sub(r"[^0-9]", "", str(value))

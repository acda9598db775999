"""Normalisation: names and addresses folded and parsed into comparable columns.

The same code serves the request side and the master file, so that a value
written two ways ("García-López" / "GARCIA LOPEZ", "Apt 4" / "#4") reaches the
linkage model and the address check in one form.

- ``names``: scalar parsing of given and family names (cached per distinct value).
- ``addresses``: scalar parsing of street lines, units, cities, states and ZIPs.
- ``records``: the vectorised normaliser that runs both over a DuckDB relation
  (millions of rows) by parsing each distinct value once.
"""

from __future__ import annotations

from .addresses import ParsedAddress, parse_address
from .names import ParsedName, parse_name

__all__ = ["ParsedAddress", "ParsedName", "parse_address", "parse_name"]

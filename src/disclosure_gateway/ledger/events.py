"""Ledger events: what one leaf of the transparency log says, and how it is encoded.

A leaf's data is the RFC 8785 canonical JSON of one event::

    {"seq": 41, "prev": "<hex leaf hash of leaf 40>", "type": "match_decided",
     "time": "2025-06-01T12:00:00.000000Z", "payload": {...}}

``seq`` is the leaf's own index and ``prev`` the leaf hash of the leaf before it
(64 zeros for leaf 0). Both are redundant with the position in the tree on
purpose: a leaf moved, removed or rewritten in the database then contradicts
its neighbours, so a verifier can name the first bad index even when the
tamperer also recomputed the stored leaf hash.

Leaves hold no plain TIN, name or address. Identities go in as keyed hashes
(:func:`keyed_hash`, HMAC-SHA-256 under the custodian's ledger secret,
domain-separated by kind), and :func:`check_payload` refuses any payload that
carries a personal field by name or a bare TIN/SSN-shaped value: the guard fails
closed, so a careless caller cannot leak one into a log that is handed to
auditors.

Pure: imports no database, CLI or file code.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ..canonical import canonical_bytes
from ..errors import InputError, VerificationError


class EventType(StrEnum):
    """The stable list of event types. Append only: a type, once logged, keeps its name."""

    BATCH_RECEIVED = "batch_received"
    BATCH_REFUSED = "batch_refused"
    SIGNATURE_CHECKED = "signature_checked"
    RECORD_REFUSED = "record_refused"
    MATCH_DECIDED = "match_decided"
    REVIEW_DECIDED = "review_decided"
    ANSWER_ISSUED = "answer_issued"
    RESPONSE_ISSUED = "response_issued"
    AGREEMENT_LOADED = "agreement_loaded"
    AGREEMENT_SUSPENDED = "agreement_suspended"
    AGREEMENT_RESUMED = "agreement_resumed"
    RETRACTION = "retraction"
    DISPOSAL_CERTIFIED = "disposal_certified"
    RETENTION_PURGED = "retention_purged"
    STAFF_VIEWED_RECORD = "staff_viewed_record"
    CHECKPOINT = "checkpoint"
    LOGIN_LOCKED = "login_locked"


EVENT_TYPES: frozenset[str] = frozenset(t.value for t in EventType)

#: ``prev`` of leaf 0
GENESIS_PREV = "0" * 64

#: payload keys that would put personal data into the log (compared lower-cased)
FORBIDDEN_KEYS: frozenset[str] = frozenset({
    "tin", "ssn", "itin", "ein", "true_tin", "candidate_tin", "taxpayer_tin",
    "name", "full_name", "first_name", "middle_name", "last_name", "given_name",
    "family_name", "surname", "suffix",
    "dob", "date_of_birth", "birth_date", "birthdate",
    "address", "address_line1", "address_line2", "street", "street_address",
    "last_known_address", "city", "zip", "zip_code", "zipcode", "postal_code",
})
# A bare 9-digit number (with or without SSN dashes) is treated as a TIN wherever
# it appears; digests are 64 hex digits and never match.
_TIN_SHAPED = re.compile(r"\d{3}-?\d{2}-?\d{4}")
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_KEYED_HASH_DOMAIN = b"disclosure-gateway/keyed-hash/v1"


def keyed_hash(secret: bytes, kind: str, value: str) -> str:
    """HMAC-SHA-256 of ``value`` under ``secret``, domain-separated by ``kind`` (hex).

    ``kind`` names what is hashed (``tin``, ``subject``, ``request``...), so the
    same string hashed as two kinds gives unrelated digests and a digest of one
    kind cannot be replayed as another. Normalise ``value`` before hashing.
    """
    if len(secret) < 16:
        raise InputError("the ledger secret must be at least 16 bytes", where="keyed hash")
    if not _KIND.match(kind):
        raise InputError(f"keyed hash kind {kind!r} must be a short lower-case identifier",
                         where="keyed hash")
    msg = _KEYED_HASH_DOMAIN + b"\x00" + kind.encode("ascii") + b"\x00" + value.encode("utf-8")
    return hmac.digest(secret, msg, "sha256").hex()  # the one-shot C path: ~4x hmac.new


def _walk(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if not isinstance(k, str):
                yield f"{here}: keys must be strings"
            elif k.lower() in FORBIDDEN_KEYS:
                yield f"{here}: personal field {k!r} may not enter the ledger; log its keyed hash"
            yield from _walk(v, here)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")
    elif isinstance(value, str) and _TIN_SHAPED.fullmatch(value.strip()):
        yield f"{path}: a TIN-shaped value may not enter the ledger; log its keyed hash"


def check_payload(payload: Mapping[str, Any]) -> None:
    """Refuse a payload that could carry personal data; names every offending path."""
    if not isinstance(payload, Mapping):
        raise InputError("an event payload must be a JSON object", where="ledger event")
    problems = list(_walk(payload, ""))
    if problems:
        raise InputError("; ".join(problems), where="ledger event payload")


def format_time(when: datetime) -> str:
    """UTC, microseconds, ``Z``: one spelling per instant, so the encoding is canonical."""
    if when.tzinfo is None:
        raise InputError("event time must be timezone-aware", where="ledger event")
    u = when.astimezone(UTC)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:"
            f"{u.second:02d}.{u.microsecond:06d}Z")


def parse_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except (TypeError, ValueError) as e:
        raise VerificationError(f"bad event time {text!r}") from e


@dataclass(frozen=True)
class Event:
    seq: int
    prev: str
    type: str
    time: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "prev": self.prev, "type": self.type, "time": self.time,
                "payload": self.payload}


# Integers JSON can carry exactly (RFC 8785 §3.2.2.3 refuses the rest).
_SAFE_INT = 2**53 - 1


class _Slow(Exception):
    """The value needs the general RFC 8785 encoder (or is not JSON at all)."""


class _Unclean(Exception):
    """The payload may carry personal data; check_payload says exactly where."""


# Keys already found ASCII and not personal: payloads reuse a handful of keys, so
# remembering them turns two checks per key into one set lookup. Bounded.
_GOOD_KEYS: set[str] = set()
_GOOD_KEYS_MAX = 4096


def _check_key(k: Any) -> None:
    if type(k) is not str or not k.isascii():
        raise _Slow
    if k.lower() in FORBIDDEN_KEYS:
        raise _Unclean
    if len(_GOOD_KEYS) < _GOOD_KEYS_MAX:
        _GOOD_KEYS.add(k)


def _prepare(value: Any) -> Any:
    """Guard and normalise a payload in one walk, for json.dumps to write as RFC 8785.

    json.dumps(sort_keys) writes RFC 8785 bytes for ASCII keys (Python's sort is
    then the UTF-16 code-unit sort), strings (both escape the same characters the
    same way), safe integers, and floats both print positionally with the same
    shortest digits (finite, 1e-4 <= |x| < 1e16, not integral). Integral floats
    become ints (RFC 8785 writes 5.0 as 5). Anything else raises _Slow for the
    general encoder; personal keys and TIN-shaped strings raise _Unclean. A
    property test holds the two paths to the same bytes.
    """
    t = type(value)
    if t is dict:
        out = {}
        good = _GOOD_KEYS
        for k, v in value.items():
            if k not in good:
                _check_key(k)
            tv = type(v)
            # the common scalars inline: this loop runs for every field of every event
            if tv is str:
                if len(v) in (9, 11) and _TIN_SHAPED.fullmatch(v.strip()):
                    raise _Unclean
                out[k] = v
            elif ((tv is float and 1e-4 <= abs(v) < 1e16 and not v.is_integer())
                  or v is None or tv is bool or (tv is int and -_SAFE_INT <= v <= _SAFE_INT)):
                out[k] = v
            else:
                out[k] = _prepare(v)
        return out
    if isinstance(value, str):
        v = value.strip()
        if len(v) in (9, 11) and _TIN_SHAPED.fullmatch(v):
            raise _Unclean
        return value
    if value is None or isinstance(value, bool):
        return value
    if t is int:
        if -_SAFE_INT <= value <= _SAFE_INT:
            return value
        raise _Slow
    if t is float:
        if value.is_integer():
            if -_SAFE_INT <= value <= _SAFE_INT:
                return int(value)
        elif 1e-4 <= abs(value) < 1e16:
            return value
        raise _Slow
    if t is list or t is tuple:
        return [_prepare(v) for v in value]
    raise _Slow


def encode_event(*, seq: int, prev: str, type: str, time: datetime | str,
                 payload: Mapping[str, Any]) -> bytes:
    """The leaf data of one event: guarded, then RFC 8785 canonical JSON."""
    if type not in EVENT_TYPES:
        raise InputError(f"unknown event type {type!r}", where="ledger event")
    stamp = format_time(time) if isinstance(time, datetime) else time
    event: dict[str, Any] = {"seq": seq, "prev": prev, "type": str(type), "time": stamp}
    try:
        event["payload"] = _prepare(dict(payload))
        return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except _Unclean:
        check_payload(payload)  # raises, naming every offending field
        raise AssertionError("unreachable: _prepare and check_payload disagree") from None
    except (_Slow, UnicodeEncodeError, TypeError, ValueError):
        check_payload(payload)
    event["payload"] = dict(payload)
    try:
        return canonical_bytes(event)
    except Exception as e:  # rfc8785 raises its own types for NaN, bytes, dates...
        raise InputError(f"event payload is not plain JSON: {e}", where="ledger event") from e


def decode_event(data: bytes, *, index: int | None = None) -> Event:
    """Parse leaf data back into an Event; raises VerificationError on anything malformed."""
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise VerificationError("leaf data is not JSON", index=index) from e
    if not isinstance(obj, dict) or set(obj) != {"seq", "prev", "type", "time", "payload"}:
        raise VerificationError("leaf data is not a ledger event", index=index)
    seq, prev, typ, time, payload = (obj["seq"], obj["prev"], obj["type"], obj["time"],
                                     obj["payload"])
    if (not isinstance(seq, int) or not isinstance(prev, str) or not isinstance(typ, str)
            or not isinstance(time, str) or not isinstance(payload, dict)):
        raise VerificationError("leaf data has a field of the wrong type", index=index)
    return Event(seq=seq, prev=prev, type=typ, time=time, payload=payload)

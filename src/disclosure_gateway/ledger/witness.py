"""Checkpoints kept outside the store, where a rollback of the store cannot reach them.

Every checkpoint the store signs is exported to a JSON file in the workspace
(``witness/checkpoints.json``), in the format ``dgw ledger checkpoint --export``
writes for outside witnesses (``disclosure-gateway/ledger-checkpoints/v1``: the
log's origin, the custodian's public keys, every checkpoint with its C2SP
signed note). The file only grows: entries already in it are kept byte for
byte, only checkpoints larger than the largest it holds are added, and each new
version is written under a temporary name and renamed. A store restored from an
old backup, or whose WAL lost its last commits, then holds fewer leaves than a
checkpoint in the file, or another tree at its size, and ``dgw ledger verify``
says so (:func:`.audit.verify_leaves` with ``exported``).

No database code here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import VerificationError
from ..files import atomic_write, private_dir
from .checkpoint import Checkpoint

FORMAT = "disclosure-gateway/ledger-checkpoints/v1"
_MAX_BYTES = 64 << 20  # a generous cap: about 60,000 checkpoints


def _load(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise VerificationError(f"cannot read exported checkpoints: {e.strerror}",
                                where=str(path)) from e
    if len(raw) > _MAX_BYTES:
        raise VerificationError("exported checkpoints file is too large", where=str(path))
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise VerificationError(f"exported checkpoints are not JSON: {e}", where=str(path)) from e
    if (not isinstance(doc, dict) or doc.get("format") != FORMAT
            or not isinstance(doc.get("checkpoints"), list)):
        raise VerificationError(f"not an export of checkpoints (format {FORMAT!r})",
                                where=str(path))
    return doc


def read_export(path: Path) -> tuple[str | None, list[Checkpoint]]:
    """The origin and checkpoints of an export (none if the file does not exist).

    Parsed, not verified: signatures are checked with the store's checkpoints.
    """
    doc = _load(path)
    if doc is None:
        return None, []
    cps: list[Checkpoint] = []
    for i, entry in enumerate(doc["checkpoints"]):
        fields = {k: v for k, v in entry.items() if k != "note"} if isinstance(entry, dict) else entry
        try:
            cps.append(Checkpoint.from_json(fields))
        except VerificationError as e:
            raise VerificationError(f"entry {i}: {e.message}", where=str(path)) from e
    origin = doc.get("origin")
    return (origin if isinstance(origin, str) else None), cps


def append_export(path: Path, *, origin: str, checkpoints: Sequence[Checkpoint]) -> int:
    """Add the checkpoints larger than any in the file; returns how many were added.

    An export of another log (another origin) is left as it is: it is evidence
    that the store was replaced, which verification reports.
    """
    doc = _load(path)
    if doc is None:
        doc = {"format": FORMAT, "origin": origin, "public_keys": {}, "checkpoints": []}
    elif doc.get("origin") != origin:
        return 0
    sizes = [e.get("tree_size") for e in doc["checkpoints"] if isinstance(e, dict)]
    largest = max((s for s in sizes if isinstance(s, int)), default=-1)
    new = sorted((cp for cp in checkpoints if cp.tree_size > largest), key=lambda c: c.tree_size)
    if not new:
        return 0
    keys = doc.get("public_keys")
    doc["public_keys"] = {**(keys if isinstance(keys, dict) else {}),
                          **{cp.key_id: cp.public_key for cp in new}}
    doc["checkpoints"] = [*doc["checkpoints"], *({**cp.to_json(), "note": cp.note()} for cp in new)]
    if not path.parent.exists():
        private_dir(path.parent)
    atomic_write(path, json.dumps(doc, indent=2) + "\n")
    return len(new)

"""Setting up a workspace: its store, the custodian's keys, the agreement in
force, and for the demo, requester keys written into the agreement.

Setting up is where a store is created, and only when asked: every other
command refuses a store that does not exist (see :func:`.store.engine.open_store`).
"""

from __future__ import annotations

from pathlib import Path

from .agreement import Agreement, Requester, load_agreement
from .errors import InputError
from .keys import KeyPair, load_private, new_keypair, write_keypair
from .store.engine import open_store
from .workspace import Workspace

REFERENCE_AGREEMENT = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"


def reference_agreement_path() -> Path:
    """The repository's reference agreement (installed editable) or the packaged copy."""
    if REFERENCE_AGREEMENT.exists():
        return REFERENCE_AGREEMENT
    packaged = Path(__file__).resolve().parent / "data" / "irs-ice-2025.toml"
    if packaged.exists():
        return packaged
    raise InputError("reference agreement not found", where=str(REFERENCE_AGREEMENT))


def ensure_custodian_key(ws: Workspace) -> KeyPair:
    path = ws.keys_dir / "custodian.key"
    if path.exists():
        return load_private(path)
    pair = new_keypair("custodian")
    write_keypair(pair, ws.keys_dir)
    return pair


def prepare_store(ws: Workspace, db_url: str | None = None, *, create: bool) -> None:
    """Open the workspace's store once: created (with its tables) when ``create``,
    else it must already exist. Raises before anything else is written."""
    open_store(ws.db_url(db_url), create=create).close()


def install_agreement(ws: Workspace, agreement: Agreement, *, db_url: str | None = None,
                      create_db: bool = True) -> Agreement:
    """Install an agreement in the workspace with the workspace custodian's key.

    The workspace and, with ``create_db``, its store are created if missing; without
    ``create_db`` the store must exist (an existing workspace given a new ``--db``).
    """
    ws.create()
    prepare_store(ws, db_url, create=create_db)
    custodian = ensure_custodian_key(ws)
    installed = agreement.model_copy(
        update={"custodian": agreement.custodian.model_copy(update={"public_key": custodian.public_b64})}
    )
    # Re-validate: the custodian key must not collide with a requester key.
    installed = Agreement.model_validate(installed.model_dump())
    ws.save_agreement(installed)
    return installed


def demo_requester_keys(ws: Workspace, agreement: Agreement) -> tuple[Agreement, dict[str, KeyPair]]:
    """Fresh key pairs for each requester the agreement names, written into the
    workspace's keys/ and into the agreement (the demo plays both parties)."""
    pairs: dict[str, KeyPair] = {}
    requesters: list[Requester] = []
    for r in agreement.requesters:
        path = ws.keys_dir / f"{r.id}.key"
        pair = load_private(path) if path.exists() else new_keypair(r.id)
        if not path.exists():
            write_keypair(pair, ws.keys_dir)
        pairs[r.id] = pair
        requesters.append(r.model_copy(update={"public_key": pair.public_b64}))
    return agreement.model_copy(update={"requesters": requesters}), pairs


def install_reference_for_demo(ws: Workspace, db_url: str | None = None
                               ) -> tuple[Agreement, dict[str, KeyPair]]:
    """The reference agreement with fresh requester keys, in a new workspace and store."""
    ws.create()
    base = load_agreement(reference_agreement_path())
    with_keys, pairs = demo_requester_keys(ws, base)
    return install_agreement(ws, with_keys, db_url=db_url, create_db=True), pairs

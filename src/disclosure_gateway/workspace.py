"""A workspace: one directory holding everything one custodian deployment needs.

Layout::

    W/
      config.toml          settings (database URL, ...)
      agreement.toml       the agreement in force
      keys/                custodian.key/.pub, requesters' keys in the demo, ledger.secret
      master/              the normalised master index (DuckDB) and its snapshot hash
      models/              trained linkage models, versioned JSON
      store.sqlite         the operational store and ledger (SQLite default)
      responses/BATCH_ID/  signed responses
      reports/             HTML reports and charts
      witness/             every signed checkpoint, exported outside the store (append-only)
      incoming/            uploads being received by the service (removed if interrupted)

Everything here but the agreement is personal or secret: directories are
0700 and files 0600 (see :mod:`.files`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from .agreement import Agreement, load_agreement, save_agreement
from .errors import InputError
from .files import FILE_MODE, atomic_write, private_dir
from .keys import KeyPair, load_private

DEFAULT_WORKSPACE = "demo-workspace"
log = logging.getLogger(__name__)


def default_workspace() -> Path:
    return Path(os.environ.get("DGW_WORKSPACE", DEFAULT_WORKSPACE))


@dataclass(frozen=True)
class Workspace:
    root: Path

    # --- paths ----------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    @property
    def agreement_path(self) -> Path:
        return self.root / "agreement.toml"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def master_dir(self) -> Path:
        return self.root / "master"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def responses_dir(self) -> Path:
        return self.root / "responses"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def sqlite_path(self) -> Path:
        return self.root / "store.sqlite"

    @property
    def witness_dir(self) -> Path:
        return self.root / "witness"

    @property
    def checkpoint_export(self) -> Path:
        """Every checkpoint the store signed, kept outside it (``dgw ledger verify`` reads it)."""
        return self.witness_dir / "checkpoints.json"

    @property
    def incoming_dir(self) -> Path:
        return self.root / "incoming"

    # --- creation -------------------------------------------------------------
    def create(self, *, db_url: str | None = None) -> None:
        """The directories (0700), the config and the ledger secret (0600); not the store."""
        private_dir(self.root)  # an existing root keeps its mode: it may be the user's own
        for d in (self.keys_dir, self.master_dir, self.models_dir, self.responses_dir,
                  self.reports_dir, self.witness_dir):
            private_dir(d, ours=True)
        if not self.config_path.exists():
            atomic_write(self.config_path, tomli_w.dumps({"db_url": db_url or ""}))
        secret = self.keys_dir / "ledger.secret"
        if not secret.exists():
            fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))

    # --- uploads ----------------------------------------------------------------
    @contextmanager
    def upload_dir(self, prefix: str) -> Iterator[Path]:
        """A private directory in ``incoming/`` for one upload, removed when the block ends.

        The directory is locked (``flock``) while the upload is handled, so
        :meth:`remove_interrupted_uploads` tells an upload in progress in another
        process from one a crash left behind: the kernel drops the lock of a dead
        process.
        """
        private_dir(self.incoming_dir, ours=True)
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.incoming_dir))
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
            os.close(fd)

    def remove_interrupted_uploads(self) -> int:
        """Remove what interrupted uploads left in ``incoming/`` (records files with
        plaintext TINs); returns how many. Uploads still in progress are kept.

        Run when the service starts. Logs only the count: the entries' names and
        contents are the requesters'.
        """
        if not self.incoming_dir.is_dir():
            return 0
        removed = 0
        for entry in sorted(self.incoming_dir.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                try:
                    fd = os.open(entry, os.O_RDONLY | os.O_DIRECTORY)
                except FileNotFoundError:
                    continue  # finished meanwhile
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # an upload in progress
                else:
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    os.close(fd)
            else:
                with suppress(FileNotFoundError):
                    entry.unlink()
            removed += 1
        if removed:
            log.warning("removed %d interrupted upload(s) from the workspace's incoming/", removed)
        return removed

    def require(self) -> None:
        if not self.agreement_path.exists():
            raise InputError(
                "not a workspace (no agreement.toml); create one with `dgw demo` or `dgw agreement install`",
                where=str(self.root),
            )

    # --- contents -------------------------------------------------------------
    def config(self) -> dict[str, object]:
        if not self.config_path.exists():
            return {}
        try:
            return tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise InputError(f"bad workspace config: {e}", where=str(self.config_path)) from e

    def db_url(self, override: str | None = None) -> str:
        if override:
            return override
        env = os.environ.get("DGW_DB")
        if env:
            return env
        configured = self.config().get("db_url")
        if isinstance(configured, str) and configured:
            return configured
        return f"sqlite:///{self.sqlite_path.resolve()}"

    def agreement(self) -> Agreement:
        self.require()
        return load_agreement(self.agreement_path)

    def save_agreement(self, agreement: Agreement) -> None:
        save_agreement(agreement, self.agreement_path)

    def custodian_key(self) -> KeyPair:
        path = self.keys_dir / "custodian.key"
        if not path.exists():
            raise InputError("no custodian key in the workspace", where=str(path))
        return load_private(path)

    def ledger_secret(self) -> bytes:
        path = self.keys_dir / "ledger.secret"
        try:
            return bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError) as e:
            raise InputError("missing or bad ledger secret", where=str(path)) from e

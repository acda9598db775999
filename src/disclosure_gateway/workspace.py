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
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from .agreement import Agreement, load_agreement, save_agreement
from .errors import InputError
from .keys import KeyPair, load_private

DEFAULT_WORKSPACE = "demo-workspace"


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

    # --- creation -------------------------------------------------------------
    def create(self, *, db_url: str | None = None) -> None:
        try:
            for d in (
                self.root,
                self.keys_dir,
                self.master_dir,
                self.models_dir,
                self.responses_dir,
                self.reports_dir,
            ):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"cannot create workspace: {e.strerror}", where=str(self.root)) from e
        if not self.config_path.exists():
            self.config_path.write_text(tomli_w.dumps({"db_url": db_url or ""}), encoding="utf-8")
        secret = self.keys_dir / "ledger.secret"
        if not secret.exists():
            fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))

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

"""The service's one settings object, built by `dgw serve` (or a test) and passed
to :func:`disclosure_gateway.api.create_app`; never read from a global.

Validation fails fast: a missing workspace or an unusable value stops the
service before it listens, with every problem named.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError

SESSION_SECRET_FILE = "session.secret"  # noqa: S105 - a file name, not a secret


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the workspace the service answers for
    workspace: Path
    #: database URL; None means the workspace's own (config.toml, $DGW_DB, else its SQLite file)
    db_url: str | None = None
    #: keys the login form's CSRF tokens; None means keys/session.secret in the workspace
    #: (made on first use). Sessions themselves are rows in the store, not signed cookies.
    session_secret: str | None = Field(default=None, min_length=32, repr=False)
    #: send the session cookie only over HTTPS. `dgw serve` turns it off only on a loopback address.
    cookie_secure: bool = True
    #: a staff session ends this long after login, however busy (absolute timeout)
    session_max_age_s: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    #: a staff session ends after this long unused (idle timeout)
    session_idle_s: int = Field(default=30 * 60, ge=60, le=24 * 3600)
    #: a signed requester request older than this is refused (replay window)
    signature_max_age_s: int = Field(default=300, ge=5, le=3600)
    #: a signature may claim to be this far in the future (clock skew between agencies)
    signature_clock_skew_s: int = Field(default=30, ge=0, le=300)
    #: threads that run the (blocking) service calls of one server process
    worker_threads: int = Field(default=8, ge=1, le=200)
    #: at start-up, prepare the single-request lane (open the master index, run a
    #: made-up request) so the first real request is answered as fast as the rest
    warm_lane: bool = True
    #: largest request body accepted (a batch upload)
    max_body_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)

    @field_validator("workspace")
    @classmethod
    def _workspace(cls, v: Path) -> Path:
        if not (v / "agreement.toml").is_file():
            raise ValueError(f"{v} is not a workspace (no agreement.toml)")
        return v.resolve()

    @classmethod
    def build(cls, **values: object) -> ServiceSettings:
        """Validate, turning pydantic's error into our InputError naming every field."""
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(settings)'}: {err['msg']}" for err in e.errors())
            raise InputError(problems, where="service settings") from e

    def resolved_session_secret(self) -> str:
        """The cookie-signing secret: given, else the workspace's (created 0600 on first use)."""
        if self.session_secret:
            return self.session_secret
        path = self.workspace / "keys" / SESSION_SECRET_FILE
        try:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    pass  # another process made it first; read theirs
                else:
                    with os.fdopen(fd, "w") as f:
                        f.write(secrets.token_hex(32))
            secret = path.read_text(encoding="ascii").strip()
        except OSError as e:
            raise InputError(f"cannot read or create the session secret: {e.strerror}",
                             where=str(path)) from e
        if len(secret) < 32:
            raise InputError("session secret is too short (need 32+ characters)", where=str(path))
        return secret

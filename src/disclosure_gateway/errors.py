"""The one error tree of the gateway.

Every error carries user-facing text. Each interface translates it once:
the CLI prints one line and exits non-zero, the API answers RFC 9457 problem
details, the console shows one error page.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    #: short machine-readable kind, used as the problem "type" suffix in the API
    kind = "gateway-error"
    #: HTTP status the API uses for this kind
    status = 400
    #: CLI exit code
    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(GatewayError):
    """A file, argument or record the user gave us is unusable."""

    kind = "bad-input"
    exit_code = 2


class AgreementError(InputError):
    """The agreement file is missing, malformed or invalid."""

    kind = "bad-agreement"


class SignatureError(GatewayError):
    """A signature did not verify, or a key is not acceptable for its use."""

    kind = "bad-signature"
    status = 401
    exit_code = 3


class BatchRefused(GatewayError):
    """A whole batch was refused at intake (signature, agreement, replay, size...)."""

    kind = "batch-refused"
    status = 422
    exit_code = 4

    def __init__(self, code: str, message: str, *, where: str | None = None) -> None:
        self.code = code
        super().__init__(message, where=where)

    def describe(self) -> str:
        base = super().describe()
        return f"{self.code}: {base}"


class NotFound(GatewayError):
    kind = "not-found"
    status = 404
    exit_code = 5


class Forbidden(GatewayError):
    kind = "forbidden"
    status = 403
    exit_code = 6


class Conflict(GatewayError):
    kind = "conflict"
    status = 409
    exit_code = 7


class AuthenticationFailed(GatewayError):
    """A login with a wrong name or password (never says which)."""

    kind = "not-authenticated"
    status = 401
    exit_code = 13


class TooManyAttempts(GatewayError):
    """Logins are locked for a while after too many failures (``retry_after`` seconds)."""

    kind = "too-many-attempts"
    status = 429
    exit_code = 14

    def __init__(self, message: str, *, retry_after: int, where: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, where=where)


class VerificationError(GatewayError):
    """A ledger, proof or response failed verification."""

    kind = "verification-failed"
    status = 409
    exit_code = 8

    def __init__(self, message: str, *, index: int | None = None, where: str | None = None):
        self.index = index
        super().__init__(message, where=where)


class RollbackDetected(VerificationError):
    """The store is behind, or disagrees with, a checkpoint exported outside it:
    commits were lost (a truncated WAL, a restored backup) or the log was rewritten."""

    kind = "store-rolled-back"
    exit_code = 11


class ResponsesDisagree(VerificationError):
    """Signed response files on disk and the responses logged in the store differ:
    a response the store does not know (a lost batch), or a logged one missing on disk."""

    kind = "responses-disagree"
    exit_code = 12


class StoreError(GatewayError):
    """The database could not be read or written (unreachable, locked, failed)."""

    kind = "store-error"
    status = 503
    exit_code = 15


class StoreDamaged(StoreError):
    """The database is damaged: corrupted pages, not a database, a required row missing."""

    kind = "store-damaged"
    exit_code = 10

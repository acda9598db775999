"""The gateway's side of requester authentication: verify an RFC 9421 HTTP
Message Signature (Ed25519) against the agreement's requester keys.

What is checked, in order (any failure raises SignatureError, status 401):

1. ``Signature-Input`` / ``Signature`` carry one signature tagged ``dgw-request``.
2. Its ``keyid`` is the key id of a requester named in the agreement in force
   (re-read for every request, so a key removed from the agreement stops
   working at once); ``alg`` if present is ``ed25519``.
3. It covers ``@method``, ``@path`` and ``@query``; with a body also
   ``content-digest`` (RFC 9530, checked against the bytes received) and
   ``content-type``.
4. ``created`` is at most ``signature_max_age_s`` old and at most
   ``signature_clock_skew_s`` in the future; a ``nonce`` is present.
5. The signature verifies over the signature base.
6. The (keyid, nonce) pair is new: it is remembered in the store until it
   could no longer pass step 4, and a second use is a replay.

The parsing and signature-base construction are the ``http-message-signatures``
library's; this module decides the policy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)

from ..agreement import Agreement
from ..errors import SignatureError
from ..keys import public_from_b64
from ..store.engine import Store
from ..store.nonces import purge_expired_nonces, remember_nonce
from .client_signing import BASE_COMPONENTS, TAG

#: told to unsigned clients (RFC 9421 section 5.1): what a signature must look like
ACCEPT_SIGNATURE = (
    'dgw=("@method" "@path" "@query" "content-type" "content-digest");'
    f'tag="{TAG}";alg="ed25519";nonce="";keyid=""'
)
_MAX_NONCE_CHARS = 128


@dataclass(frozen=True)
class Requester:
    """The authenticated requester of one API call."""

    requester_id: str
    key_id: str


@dataclass
class _Message:
    method: str
    url: str
    headers: Any


class _AgreementKeys(HTTPSignatureKeyResolver):
    def __init__(self, agreement: Agreement) -> None:
        self._agreement = agreement

    def resolve_public_key(self, key_id: str) -> Any:
        requester = self._agreement.requester_by_key_id(key_id)
        if requester is None:
            # Raised as InvalidSignature by the library; named below for the caller.
            raise InvalidSignature(f"key {key_id!r} is not a requester key of agreement {self._agreement.id}")
        return public_from_b64(requester.public_key)


class _Verifier(HTTPMessageVerifier):
    require_created = True

    def __init__(self, agreement: Agreement, skew_s: int) -> None:
        super().__init__(signature_algorithm=algorithms.ED25519, key_resolver=_AgreementKeys(agreement))
        self.max_clock_skew = timedelta(seconds=skew_s)


def verify_request(
    *,
    method: str,
    url: str,
    headers: Any,
    body: bytes,
    agreement: Agreement,
    store: Store,
    max_age_s: int,
    skew_s: int,
    now: datetime | None = None,
) -> Requester:
    """Authenticate one request or raise SignatureError saying why not."""
    if "signature-input" not in headers or "signature" not in headers:
        raise SignatureError("request is not signed: send Signature-Input and Signature (RFC 9421) "
                             "made with your requester key")
    required = list(BASE_COMPONENTS)
    if body and "content-type" in headers:
        required.append("content-type")
    verifier = _Verifier(agreement, skew_s)
    try:
        results = verifier.verify(
            _Message(method=method.upper(), url=url, headers=headers),
            max_age=timedelta(seconds=max_age_s),
            expect_tag=TAG,
            require_components=required,
            body=body,
        )
    except (InvalidSignature, HTTPMessageSignaturesException) as e:
        raise SignatureError(f"request signature refused: {_reason(e)}") from e
    if len(results) != 1:
        raise SignatureError("request signature refused: send exactly one signature tagged "
                             f"{TAG!r}")
    params = results[0].parameters
    key_id = str(params["keyid"])
    nonce = params.get("nonce")
    if not isinstance(nonce, str) or not nonce or len(nonce) > _MAX_NONCE_CHARS:
        raise SignatureError(f"request signature refused: a nonce of 1-{_MAX_NONCE_CHARS} characters "
                             "is required")
    requester = agreement.requester_by_key_id(key_id)
    if requester is None:  # resolved above; kept so the type is narrowed honestly
        raise SignatureError(f"request signature refused: unknown key {key_id!r}")
    created = datetime.fromtimestamp(int(params["created"]), tz=UTC)
    moment = now or datetime.now(UTC)
    expires = created + timedelta(seconds=max_age_s + skew_s)
    with store.transaction() as s:
        if not remember_nonce(s, key_id=key_id, nonce=nonce, seen_at=moment, expires_at=expires):
            raise SignatureError("request signature refused: this nonce was already used (replayed "
                                 "request); sign every request afresh")
        # Cheap housekeeping now and then, so the nonce table stays as small as the window.
        if secrets.randbelow(100) == 0:
            purge_expired_nonces(s, now=moment)
    return Requester(requester_id=requester.id, key_id=key_id)


def _reason(e: Exception) -> str:
    text = str(e)
    if not text or text == "InvalidSignature":
        return ("the signature does not verify: the request differs from what was signed "
                "(method, path, query, type or body), or it was made with another key")
    # The library wraps the resolver's message; unwrap the common cases into plain words.
    if "maximum allowable age" in text:
        return "the signature is too old (created outside the accepted window); sign every request afresh"
    if "in the future" in text:
        return "the signature's created time is in the future; check the client's clock"
    return text

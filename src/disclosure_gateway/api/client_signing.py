"""The requester's side of API authentication: RFC 9421 HTTP Message Signatures
with Ed25519, the same key that signs the requester's batches.

Every request to a requester endpoint carries::

    Content-Digest: sha-256=:<base64 SHA-256 of the body>:          (RFC 9530; when there is a body)
    Signature-Input: dgw=("@method" "@path" "@query" "content-type" "content-digest");
                     created=<unix time>;keyid="<key id>";alg="ed25519";nonce="<random>";tag="dgw-request"
    Signature: dgw=:<base64 Ed25519 signature over the RFC 9421 signature base>:

``@authority`` is deliberately not covered: the host a requester dials is not
the one the service sees behind a proxy or a test client, and the key, path,
nonce and time already bind the request to this service. The gateway refuses
a signature older than its window (five minutes by default) and a nonce seen
twice, so a captured request cannot be replayed.

Usable by tests, the load script and requesters alike: ``signed_headers`` for
any client, ``RequesterAuth`` as an ``httpx`` auth hook.
"""

from __future__ import annotations

import secrets
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

from ..keys import KeyPair

#: signed application tag: a signature made for something else never authenticates here
TAG = "dgw-request"
#: the signature's label in Signature-Input / Signature
LABEL = "dgw"
#: components every request signature covers (the body adds content-type and content-digest)
BASE_COMPONENTS: tuple[str, ...] = ("@method", "@path", "@query")


@dataclass
class _Message:
    """The request view the signing library reads: method, absolute URL, mutable headers."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def signed_headers(
    pair: KeyPair,
    method: str,
    url: str,
    *,
    body: bytes = b"",
    content_type: str | None = None,
    created: datetime | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers that authenticate one request: Signature-Input, Signature and,
    with a body, Content-Type and Content-Digest. ``url`` must be absolute.

    ``created`` and ``nonce`` are for tests of stale and replayed requests;
    leave them out otherwise.
    """
    message = _Message(method=method.upper(), url=url)
    covered = list(BASE_COMPONENTS)
    if body and content_type:
        message.headers["Content-Type"] = content_type
        covered.append("content-type")
    resolver = MappingKeyResolver(private_keys={pair.key_id: pair.private}, public_keys={})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    signer.sign(
        message,
        key_id=pair.key_id,
        created=created or datetime.now(UTC),
        nonce=nonce or secrets.token_urlsafe(18),
        label=LABEL,
        tag=TAG,
        covered_component_ids=covered,
        body=body if body else None,
    )
    return dict(message.headers)


class RequesterAuth(httpx.Auth):
    """Sign every outgoing httpx request with a requester's key."""

    requires_request_body = True

    def __init__(self, pair: KeyPair) -> None:
        self.pair = pair

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = request.content
        headers = signed_headers(self.pair, request.method, str(request.url), body=body,
                                 content_type=request.headers.get("content-type"))
        _merge(request.headers, headers)
        yield request


def _merge(target: httpx.Headers, new: Mapping[str, str]) -> None:
    for name, value in new.items():
        target[name] = value

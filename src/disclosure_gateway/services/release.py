"""Who may release a batch's response: the separation-of-duties check of a reissue.

A new response version releases the answers that reviewers decided; the person who
decided any review item of the batch may not be the one who releases it (duties,
rule 4), and only an enabled disclosure officer or admin who is no requester may
release at all (rules 2 and the permission table).

Every door that reissues calls :func:`check_release` with the authenticated account
first: `dgw response reissue`, the staff API and the console.
"""

from __future__ import annotations

from ..duties import check_releaser, requester_identities
from ..errors import NotFound
from ..store import batches as store_batches
from ..store import review as store_review
from .context import Context
from .users import staff_account


def check_release(ctx: Context, batch_id: str, releaser: str) -> None:
    """Return when ``releaser`` may release ``batch_id``'s response; raise Forbidden (or NotFound)."""
    requesters = requester_identities(ctx.agreement())
    with ctx.store.reader() as s:
        if store_batches.get_batch(s, batch_id=batch_id) is None:
            raise NotFound(f"no batch {batch_id}")
        account = staff_account(s, releaser)
        deciders = store_review.deciders_of_batch(s, batch_id=batch_id)
    check_releaser(account, requesters, batch_id=batch_id, deciders=deciders)

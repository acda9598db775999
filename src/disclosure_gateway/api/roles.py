"""Who may do what: the one table of staff permissions, shared by API and console.

Least privilege: only reviewers open a review item (it shows a request and a
taxpayer record side by side); only auditors and disclosure officers look up a
taxpayer's accounting of disclosures; only an admin suspends or resumes the
agreement; disclosure officers (and admins) send a batch's new response after
its reviews close, so nobody who decides a review also releases the answer.
Everyone on the staff sees batches and their counts, which name no one.
"""

from __future__ import annotations

from enum import StrEnum

from ..services.users import ROLES


class Can(StrEnum):
    VIEW_BATCHES = "view batches and their counts"
    REISSUE_RESPONSE = "issue a batch's new response once its reviews have closed"
    LIST_REVIEW = "list the review queue"
    OPEN_REVIEW = "open a review item (request and taxpayer side by side)"
    DECIDE_REVIEW = "decide a review item"
    VIEW_LEDGER = "see the ledger, verify it, look up proofs"
    CHECKPOINT_LEDGER = "sign a new ledger checkpoint"
    LOOKUP_ACCOUNTING = "look up a taxpayer's accounting of disclosures"
    VIEW_AGREEMENT = "see the agreement"
    SUSPEND_AGREEMENT = "suspend or resume the agreement"


PERMISSIONS: dict[Can, frozenset[str]] = {
    Can.VIEW_BATCHES: frozenset(ROLES),
    Can.REISSUE_RESPONSE: frozenset({"admin", "disclosure_officer"}),
    Can.LIST_REVIEW: frozenset(ROLES),
    Can.OPEN_REVIEW: frozenset({"reviewer"}),
    Can.DECIDE_REVIEW: frozenset({"reviewer"}),
    Can.VIEW_LEDGER: frozenset({"admin", "auditor", "disclosure_officer"}),
    Can.CHECKPOINT_LEDGER: frozenset({"admin", "auditor"}),
    Can.LOOKUP_ACCOUNTING: frozenset({"auditor", "disclosure_officer"}),
    Can.VIEW_AGREEMENT: frozenset(ROLES),
    Can.SUSPEND_AGREEMENT: frozenset({"admin"}),
}


def allowed(role: str, what: Can) -> bool:
    return role in PERMISSIONS[what]


def roles_for(what: Can) -> list[str]:
    return sorted(PERMISSIONS[what])

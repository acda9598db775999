"""Separation of duties: who may do what, and what one person may not do twice.

Pure rules over names, roles and the agreement; the service layer applies them to
what the store says (``services/review.py`` to decisions, ``services/release.py``
to releases, ``services/users.py`` to accounts and logins), so the CLI, the API and
the console are held to the same rules by the same code.

1. **One person, one identity.** A staff name is folded (Unicode NFKC, case-folded,
   surrounding space trimmed, inner runs of space made one ``-``) when an account is
   made and at every login. Two names with the same *identity key* (the folded name
   without ``-``, ``_`` and ``.``) are one person: a second account that differs only
   by case, spacing or punctuation is refused, and the two-person rule counts such
   spellings once (``ice-director`` and ``Ice-Director`` are one reviewer).
2. **A requester is never staff.** No staff identity may equal the identity key of a
   requester id or a requester key id of the agreement: the requesting agency
   deciding its own requests, or signing off the answers, is the conflict the
   two-person rule exists to stop.
3. **Only an enabled reviewer decides a review item; an auditor never does**, whatever
   the permission table says (an auditor who decided would audit themselves).
4. **Whoever decided any review item of a batch does not release** (reissue) that
   batch's response: the answer a person decided is released by someone else.

Who may do what is the one permission table below (``PERMISSIONS``); the API and the
console read it through ``api/roles.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .agreement import Agreement
from .errors import Conflict, Forbidden

#: the staff roles
ROLES: tuple[str, ...] = ("admin", "disclosure_officer", "reviewer", "auditor")


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


# Least privilege: only reviewers open a review item (it shows a request and a
# taxpayer record side by side); only auditors and disclosure officers look up a
# taxpayer's accounting; only an admin suspends the agreement; disclosure officers
# (and admins) release a batch's new response, reviewers never do.
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

#: roles that never decide a review item, whatever PERMISSIONS says (rule 3)
NEVER_DECIDE: frozenset[str] = frozenset({"auditor"})


def allowed(role: str, what: Can) -> bool:
    return role in PERMISSIONS[what]


def roles_for(what: Can) -> list[str]:
    return sorted(PERMISSIONS[what])


# --- rule 1: one identity -------------------------------------------------------------
_SPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[-_.]")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def fold_name(raw: str) -> str:
    """The one spelling a name is stored and looked up under."""
    return _SPACE.sub("-", unicodedata.normalize("NFKC", raw).casefold().strip())


def identity_key(name: str) -> str:
    """What makes two spellings one person: the folded name without separators."""
    return _SEPARATORS.sub("", fold_name(name))


def name_problems(name: str) -> list[str]:
    """What is wrong with a (folded) account name; empty when it is usable."""
    if not _NAME.match(name) or not identity_key(name):
        return ["name must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter "
                "or digit"]
    return []


# --- rule 2: a requester is never staff ----------------------------------------------
def requester_identities(agreement: Agreement) -> dict[str, str]:
    """identity key -> what it is, for every requester id and key id of the agreement."""
    found: dict[str, str] = {}
    for r in agreement.requesters:
        found[identity_key(r.id)] = f"requester {r.id!r}"
        found.setdefault(identity_key(r.key_id), f"the key id of requester {r.id!r}")
    return found


def check_not_requester(name: str, requesters: Mapping[str, str]) -> None:
    """Forbidden when ``name`` is (a spelling of) a requester's identity."""
    what = requesters.get(identity_key(name))
    if what is not None:
        raise Forbidden(f"{name!r} is the identity of {what} of the agreement, and a requester "
                        "can never be staff")


# --- rules 3 and 4: who decides, who releases -----------------------------------------
@dataclass(frozen=True)
class Account:
    """A staff account as the rules see it."""

    name: str
    role: str
    disabled: bool = False


def _check_enabled(account: Account) -> None:
    if account.disabled:
        raise Forbidden(f"account {account.name!r} is disabled")


def check_may(account: Account, what: Can) -> None:
    """Forbidden unless the account is enabled and its role may do ``what``."""
    _check_enabled(account)
    if not allowed(account.role, what):
        raise Forbidden(f"your role ({account.role}) may not {what.value}; "
                        f"that needs one of: {', '.join(roles_for(what))}")


def check_decider(account: Account, requesters: Mapping[str, str]) -> None:
    """Rules 2 and 3: an enabled reviewer account that is no requester, never an auditor."""
    _check_enabled(account)
    if account.role in NEVER_DECIDE:
        raise Forbidden(f"{account.name} is an {account.role}, and an {account.role} never decides a "
                        "review item (separation of duties: they audit the decisions)")
    check_may(account, Can.DECIDE_REVIEW)
    check_not_requester(account.name, requesters)


def check_second_decision(name: str, earlier: Iterable[str], item_id: int) -> None:
    """Conflict when the same person (any spelling) has decided this item already."""
    key = identity_key(name)
    for other in earlier:
        if identity_key(other) == key:
            spelled = "" if other == name else f" (as {other!r})"
            raise Conflict(f"{name} has already decided review item {item_id}{spelled}; "
                           "another reviewer must make the next decision")


def check_releaser(account: Account, requesters: Mapping[str, str], *, batch_id: str,
                   deciders: Mapping[str, Iterable[int]]) -> None:
    """Rules 2 and 4: ``deciders`` maps each reviewer name of the batch to the items they decided."""
    check_may(account, Can.REISSUE_RESPONSE)
    check_not_requester(account.name, requesters)
    key = identity_key(account.name)
    items = sorted({i for name, ids in deciders.items() if identity_key(name) == key for i in ids})
    if items:
        listed = ", ".join(str(i) for i in items)
        raise Forbidden(f"{account.name} decided review item(s) {listed} of batch {batch_id} and so may "
                        "not release its response (separation of duties): another disclosure officer "
                        "must issue it")

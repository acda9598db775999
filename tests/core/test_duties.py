"""duties.py: one identity per person, no requester on the staff, who decides and who releases."""

from __future__ import annotations

import pytest

from disclosure_gateway.agreement import Agreement
from disclosure_gateway.duties import (
    NEVER_DECIDE,
    PERMISSIONS,
    Account,
    Can,
    check_decider,
    check_not_requester,
    check_releaser,
    check_second_decision,
    fold_name,
    identity_key,
    name_problems,
    requester_identities,
)
from disclosure_gateway.errors import Conflict, Forbidden
from disclosure_gateway.workspace import Workspace

REQUESTERS = {"icedirector": "requester 'ice-director'", "0123456789abcdef": "the key id of requester 'x'"}


@pytest.mark.parametrize("spelling", ["ice-director", "Ice-Director", "  ICE-DIRECTOR ", "Ice Director",
                                      "ice_director", "ice.director", "ＩＣＥ-director"])
def test_every_spelling_of_a_name_is_one_identity(spelling: str) -> None:
    assert identity_key(spelling) == "icedirector"


def test_names_are_folded_to_one_stored_spelling() -> None:
    assert fold_name("  Ice   Director ") == "ice-director"
    assert fold_name("Rita") == "rita"
    assert name_problems(fold_name("Ice Director")) == []
    assert name_problems("bad/name") and name_problems("-x") and name_problems("...")


def test_the_agreements_requesters_and_their_key_ids_are_identities(reference_agreement: Agreement) -> None:
    found = requester_identities(reference_agreement)
    for r in reference_agreement.requesters:
        assert found[identity_key(r.id)] == f"requester {r.id!r}"
        assert found[identity_key(r.key_id)] == f"the key id of requester {r.id!r}"


@pytest.mark.parametrize("name", ["ice-director", "Ice_Director", "ICE DIRECTOR", "0123456789ABCDEF"])
def test_a_requester_is_never_staff(name: str) -> None:
    with pytest.raises(Forbidden, match="a requester can never be staff"):
        check_not_requester(name, REQUESTERS)
    check_not_requester("rita", REQUESTERS)  # anyone else passes


def test_only_an_enabled_reviewer_decides_and_an_auditor_never_does() -> None:
    check_decider(Account("rita", "reviewer"), REQUESTERS)
    with pytest.raises(Forbidden, match="an auditor never decides a review item"):
        check_decider(Account("aude", "auditor"), REQUESTERS)
    with pytest.raises(Forbidden, match=r"your role \(disclosure_officer\) may not decide a review item"):
        check_decider(Account("otto", "disclosure_officer"), REQUESTERS)
    with pytest.raises(Forbidden, match="account 'rita' is disabled"):
        check_decider(Account("rita", "reviewer", disabled=True), REQUESTERS)


def test_the_auditor_rule_holds_even_if_the_table_were_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PERMISSIONS, Can.DECIDE_REVIEW, frozenset({"reviewer", "auditor"}))
    assert "auditor" in NEVER_DECIDE
    with pytest.raises(Forbidden, match="never decides"):
        check_decider(Account("aude", "auditor"), REQUESTERS)


def test_one_person_decides_an_item_once_however_spelled() -> None:
    check_second_decision("remy", ["rita"], 7)
    with pytest.raises(Conflict, match=r"ice-director has already decided review item 7 "
                                       r"\(as 'Ice-Director'\)"):
        check_second_decision("ice-director", ["Ice-Director"], 7)


def test_who_decided_an_item_of_a_batch_does_not_release_it() -> None:
    deciders = {"Rita": [3, 9], "remy": [9]}
    check_releaser(Account("otto", "disclosure_officer"), REQUESTERS, batch_id="B1", deciders=deciders)
    with pytest.raises(Forbidden, match=r"rita decided review item\(s\) 3, 9 of batch B1 and so may not "
                                        r"release its response"):
        check_releaser(Account("rita", "disclosure_officer"), REQUESTERS, batch_id="B1", deciders=deciders)
    with pytest.raises(Forbidden, match=r"your role \(reviewer\) may not issue"):
        check_releaser(Account("remy", "reviewer"), REQUESTERS, batch_id="B1", deciders={})
    with pytest.raises(Forbidden, match="a requester can never be staff"):
        check_releaser(Account("ice-director", "admin"), REQUESTERS, batch_id="B1", deciders={})


@pytest.fixture
def reference_agreement(tmp_path: object) -> Agreement:
    from pathlib import Path

    from disclosure_gateway.provisioning import install_reference_for_demo

    ws = Workspace(Path(str(tmp_path)) / "ws")
    ws.create()
    install_reference_for_demo(ws)
    return ws.agreement()

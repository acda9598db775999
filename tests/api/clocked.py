"""A clock the tests move by hand, and the app and clients that read it.

The app reads its clock through ``app.state.clock`` on every request, so a test
sets the time instead of sleeping (session timeouts, login lock-outs).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from disclosure_gateway.api import ServiceSettings, create_app


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def clocked_app(ws: Path, clock: Clock, **settings: object) -> FastAPI:
    app = create_app(ServiceSettings.build(workspace=ws, warm_lane=False, **settings))
    app.state.clock = clock
    return app


def client(app: FastAPI, address: str = "203.0.113.1", **kwargs: object) -> TestClient:
    """A client at ``address`` (a documentation address: nothing is sent anywhere)."""
    return TestClient(app, base_url="https://testserver", client=(address, 50000), **kwargs)  # type: ignore[arg-type]

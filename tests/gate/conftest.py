from __future__ import annotations

import pytest

from disclosure_gateway.agreement import Agreement

from .factories import agreement


@pytest.fixture(scope="session")
def reference() -> Agreement:
    return agreement()

"""Who may do what, for the API and the console: the one permission table.

The table and the separation-of-duties rules are pure and live in
``disclosure_gateway.duties``, so the CLI and the service layer apply the same
ones; this module is where the interfaces import them from.
"""

from __future__ import annotations

from ..duties import PERMISSIONS, Can, allowed, roles_for

__all__ = ["PERMISSIONS", "Can", "allowed", "roles_for"]

"""The HTTP service: the requester API, the staff API and the console, built by
:func:`create_app` from one :class:`ServiceSettings`."""

from .app import create_app
from .settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]

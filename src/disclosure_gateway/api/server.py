"""Running the service: uvicorn in the foreground (``dgw serve``), or in a
background thread on a free loopback port (tests, the load script, ``dgw demo --serve``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from ..errors import InputError
from .app import create_app
from .settings import ServiceSettings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_for(ws: Path, host: str, *, db_url: str | None = None) -> ServiceSettings:
    # Secure cookies need HTTPS; on a loopback address no one else is on the wire,
    # so plain HTTP is allowed there (and only there) for local use and the demo.
    return ServiceSettings.build(workspace=ws, db_url=db_url, cookie_secure=not is_loopback(host))


WORKSPACE_ENV = "DGW_SERVE_WORKSPACE"
HOST_ENV = "DGW_SERVE_HOST"
DB_ENV = "DGW_SERVE_DB"


def run_server(ws: Path, host: str = "127.0.0.1", port: int = 8000, *, db_url: str | None = None,
               workers: int = 1, log_level: str = "info") -> None:
    """Serve the workspace until interrupted (blocks). `dgw serve` and `dgw demo --serve` call this."""
    settings = settings_for(ws, host, db_url=db_url)  # validate before anything listens
    if workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=False,
                    proxy_headers=False, server_header=False)
        return
    # Worker processes each build their own app: uvicorn needs an import string for
    # that, so the settings travel to them in the environment, read by app_from_env.
    os.environ[WORKSPACE_ENV] = str(settings.workspace)
    os.environ[HOST_ENV] = host
    if db_url:
        os.environ[DB_ENV] = db_url
    uvicorn.run("disclosure_gateway.api.server:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=False, proxy_headers=False,
                server_header=False)


def app_from_env() -> FastAPI:
    """The app of one worker process of a multi-worker server (see run_server)."""
    ws = os.environ.get(WORKSPACE_ENV)
    if not ws:
        raise InputError(f"${WORKSPACE_ENV} is not set", where="app_from_env")
    return create_app(settings_for(Path(ws), os.environ.get(HOST_ENV, "127.0.0.1"),
                                   db_url=os.environ.get(DB_ENV) or None))


@dataclass
class Running:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def serve_in_thread(settings: ServiceSettings, *, host: str = "127.0.0.1",
                    port: int = 0) -> Iterator[Running]:
    """Serve in a background thread; yields at once, stops the server on exit.

    The socket is bound and listening before the thread starts, so a client may
    connect immediately (the kernel queues it until uvicorn accepts): there is
    nothing to wait for.
    """
    app = create_app(settings)  # in the caller's thread, so a bad workspace raises here
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    bound = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            server_header=False, backlog=256)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dgw-server",
                              daemon=True)
    thread.start()
    try:
        yield Running(url=f"http://{host}:{bound}", server=server, thread=thread)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()

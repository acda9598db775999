"""The settings object fails fast; `dgw users add` and `dgw serve` are wired."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disclosure_gateway.api import ServiceSettings
from disclosure_gateway.cli.main import app as cli
from disclosure_gateway.errors import InputError
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context


def test_settings_name_every_bad_value(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        ServiceSettings.build(workspace=tmp_path, signature_max_age_s=1, session_secret="short")
    text = e.value.describe()
    assert "not a workspace" in text and "signature_max_age_s" in text and "session_secret" in text


def test_the_session_secret_is_made_once_and_private(ws: Path) -> None:
    settings = ServiceSettings.build(workspace=ws)
    first = settings.resolved_session_secret()
    assert first == settings.resolved_session_secret()
    mode = stat.S_IMODE((ws / "keys" / "session.secret").stat().st_mode)
    assert mode == 0o600


def test_users_add_reads_the_password_from_stdin(ws: Path) -> None:
    result = CliRunner().invoke(cli, ["users", "add", "cli-auditor", "--role", "auditor",
                                      "--workspace", str(ws), "--password-stdin"],
                                input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    assert "added cli-auditor (auditor)" in result.output
    with open_context(ws) as ctx:
        assert user_service.authenticate(ctx, "cli-auditor", "a-long-enough-password") is not None


def test_users_add_refuses_an_unknown_role(ws: Path) -> None:
    result = CliRunner().invoke(cli, ["users", "add", "x", "--role", "root", "--workspace", str(ws),
                                      "--password-stdin"], input="a-long-enough-password\n")
    assert result.exit_code != 0
    assert "role must be one of" in str(result.exception) + result.output


def test_serve_is_a_command() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--workspace" in result.output and "--port" in result.output

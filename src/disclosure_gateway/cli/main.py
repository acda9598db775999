"""Entry point of `dgw`. Registers one sub-command group per concept and turns
gateway errors, and the database's own errors (a damaged or unreachable store),
into one line on stderr and a non-zero exit code."""

from __future__ import annotations

import logging
import os
import sys

import typer
from rich.markup import escape

from ..errors import GatewayError
from ..store.engine import store_error
from . import (
    accounting,
    agreement,
    batch,
    demo,
    disclosure,
    keys,
    ledger,
    login,
    master,
    model,
    process,
    replay,
    report,
    response,
    retention,
    review,
    serve,
    synth,
    users,
)
from . import eval as eval_cli
from . import match as match_cli
from .common import err

app = typer.Typer(
    name="dgw",
    help="disclosure-gateway: answer another agency's requests lawfully, accurately, "
    "minimally and accountably.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(keys.app, name="keys")
app.add_typer(agreement.app, name="agreement")
app.add_typer(batch.app, name="batch")
app.add_typer(ledger.app, name="ledger")
app.add_typer(synth.app, name="synth")
app.command("process")(process.process)
app.add_typer(response.app, name="response")
app.command("demo")(demo.demo)
app.add_typer(review.app, name="review")
app.command("accounting")(accounting.accounting)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.command("login")(login.login)
app.command("logout")(login.logout)
# Groups added by later parts of the pipeline register themselves below.
app.add_typer(master.app, name="master")
app.add_typer(model.app, name="model")
app.command("match")(match_cli.match)
app.command("eval")(eval_cli.eval_)
app.add_typer(report.app, name="report")
app.add_typer(disclosure.app, name="disclosure")
app.add_typer(retention.app, name="retention")
app.command("replay")(replay.replay)


def main() -> None:
    # Splink reports untrained comparison levels as warnings on every run; `dgw model
    # show` presents the parameters properly, so the CLI keeps the terminal for results.
    logging.getLogger("splink").setLevel(logging.ERROR)
    # Nearly everything the gateway writes (store, responses, reports, master index,
    # keys, uploads) holds personal or secret data: nothing it creates is readable by
    # group or others, whichever module or library creates it.
    os.umask(0o077)
    try:
        app()
    except GatewayError as e:
        fail(e)
    except Exception as e:
        failure = store_error(e)
        if failure is None:
            raise
        fail(failure)


def fail(e: GatewayError) -> None:
    """One line on stderr and the error's exit code."""
    line = "; ".join(part.strip() for part in e.describe().splitlines() if part.strip())
    err.print(f"[red]error[/]: {escape(line)}", highlight=False, soft_wrap=True)
    sys.exit(e.exit_code)


if __name__ == "__main__":
    main()

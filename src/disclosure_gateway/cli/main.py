"""Entry point of `dgw`. Registers one sub-command group per concept and turns
gateway errors into one line on stderr and a non-zero exit code."""

from __future__ import annotations

import logging
import sys

import typer

from ..errors import GatewayError
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
    try:
        app()
    except GatewayError as e:
        err.print(f"[red]error[/]: {e.describe()}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()

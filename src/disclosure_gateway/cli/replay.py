"""`dgw replay`: re-derive one match decision from what its ledger leaf records."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ..services.context import open_context
from ..services.replay import replay as replay_decision
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table

#: exit code per verdict, so a script can tell them apart (8 = verification failed, as elsewhere)
EXIT_CODES = {"same": 0, "altered": 8, "different": 9, "impossible": 10}


def replay(
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    record: Annotated[str, typer.Option("--record", help="Request id within the batch.")],
    ws: WorkspaceOpt,
    viewer: Annotated[str | None, typer.Option("--viewer", help="Who asks (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Rerun one decision with the artefacts it was made with; say whether it is the same."""
    with open_context(ws, db) as ctx:
        r = replay_decision(ctx, batch_id, record, viewer=viewer or getpass.getuser())
    if json_:
        emit_json(r)
    else:
        rec, rerun = r["recorded"], r["rerun"] or {}
        colour = {"same": "green", "different": "red", "altered": "red"}.get(r["verdict"], "yellow")
        out.print(f"[bold {colour}]{r['verdict'].upper()}[/]: {r['message']}", soft_wrap=True)
        rows = [(f, rec.get(f), rerun.get(f, "") if r["rerun"] else "")
                for f in ("outcome", "match_probability", "match_weight", "address_result",
                          "tin_key", "model_hash", "master_snapshot_hash", "agreement_hash")]
        out.print(table(f"Decision of {record} in {batch_id} (ledger leaf {r['leaf_index']})",
                        ["", "recorded", "rerun"], rows))
        if r["final_outcome"] != r["model_outcome"]:
            out.print(f"final outcome (human review): {r['final_outcome']}")
    raise typer.Exit(EXIT_CODES[r["verdict"]])

"""`dgw process` end to end on a prepared workspace: answers, refusals, suspension,
the recipient's standing, and the batch inspection commands."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from disclosure_gateway.agreement import Status
from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import BatchRefused
from disclosure_gateway.pipeline import advance, intake_and_gate, process_batch
from disclosure_gateway.services.agreement import set_suspension
from disclosure_gateway.services.context import open_context
from disclosure_gateway.store.models import Answer, Batch, LedgerLeaf, Request

BATCH = Path("inbox") / "demo-batch"
runner = CliRunner()


def _leaf_kinds(ws: Path) -> Counter[str]:
    with open_context(ws) as ctx, ctx.store.reader() as s:
        return Counter(s.scalars(select(LedgerLeaf.event_type)).all())


def test_process_answers_every_record_and_only_with_allowed_codes(prepared_ws: Path) -> None:
    result = runner.invoke(app, ["process", str(prepared_ws / BATCH), "-w", str(prepared_ws),
                                 "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert sum(out["by_answer"].values()) == out["records"] == 2000
    assert set(out["by_answer"]) <= {"CONFIRMED", "NOT_CONFIRMED", "REJECTED", "PENDING_REVIEW"}
    assert out["by_answer"]["REJECTED"] == out["refused_records"]
    # confirm mode: the response has only request id, answer and reason codes
    text = (Path(out["response_dir"]) / "response.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["request_id", "answer", "reason_codes"]
    assert out["checkpoint"]["tree_size"] > 0


def test_batch_list_and_records_in_every_format(prepared_ws: Path) -> None:
    ws = str(prepared_ws)
    assert runner.invoke(app, ["process", str(prepared_ws / BATCH), "-w", ws]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["batch", "list", "-w", ws, "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["status"] in ("responded", "closed")
    batch_id = listed[0]["batch_id"]
    rows = json.loads(runner.invoke(app, ["batch", "records", batch_id, "-w", ws, "--json"]).stdout)
    assert len(rows) == 2000
    refused = [r for r in rows if r["status"] == "refused"]
    assert refused and all(r["reason_codes"] and r["answer"] == "REJECTED" for r in refused)
    as_csv = runner.invoke(app, ["batch", "records", batch_id, "-w", ws, "--csv"]).stdout
    parsed = list(csv.DictReader(io.StringIO(as_csv)))
    assert len(parsed) == 2000
    assert not any(v[:1] in ("=", "+", "-", "@") for r in parsed for v in r.values())


def test_unknown_batch_is_one_clear_error(prepared_ws: Path) -> None:
    result = runner.invoke(app, ["batch", "records", "NOPE", "-w", str(prepared_ws)])
    assert result.exit_code != 0


def test_suspended_agreement_refuses_a_batch_with_one_event_and_nothing_else(
        prepared_ws: Path) -> None:
    with open_context(prepared_ws) as ctx:
        set_suspension(ctx, suspended=True, reason="court order 25-cv-1", actor="officer")
        before = _leaf_kinds(prepared_ws)
        with pytest.raises(BatchRefused) as info:
            process_batch(ctx, prepared_ws / BATCH)
        assert info.value.code == "BATCH_AGREEMENT_SUSPENDED"
        with ctx.store.reader() as s:
            assert s.scalar(select(func.count()).select_from(Batch)) == 0
            assert s.scalar(select(func.count()).select_from(Request)) == 0
    after = _leaf_kinds(prepared_ws)
    assert after - before == Counter({"batch_refused": 1})


def test_suspension_stops_a_batch_in_flight_before_any_answer(prepared_ws: Path) -> None:
    with open_context(prepared_ws) as ctx:
        accepted, _gate = intake_and_gate(ctx, prepared_ws / BATCH, now=datetime.now(UTC))
        batch_id = accepted.manifest.batch_id
        set_suspension(ctx, suspended=True, reason="court order", actor="officer")
        stopped = advance(ctx, batch_id)
        assert stopped.stopped_reason and "suspended" in stopped.stopped_reason
        with ctx.store.reader() as s:
            assert s.scalar(select(func.count()).select_from(Answer)) == 0
        assert not (ctx.ws.responses_dir / batch_id).exists()
        set_suspension(ctx, suspended=False, reason="stay lifted", actor="officer")
        done = advance(ctx, batch_id)
        assert done.stopped_reason is None
        assert sum(done.by_answer.values()) == done.records
    kinds = _leaf_kinds(prepared_ws)
    assert kinds["agreement_suspended"] == 1 and kinds["agreement_resumed"] == 1


def test_recipient_out_of_good_standing_gets_no_answer_until_a_dated_plan(
        prepared_ws: Path) -> None:
    with open_context(prepared_ws) as ctx:
        agreement = ctx.agreement()
        ctx.ws.save_agreement(agreement.with_status(
            Status(safeguard_status="open_findings", open_findings=4)))
        held = process_batch(ctx, prepared_ws / BATCH)
        assert held.stopped_reason and "good standing" in held.stopped_reason
        assert held.by_answer == {}
        ctx.ws.save_agreement(agreement.with_status(Status(
            safeguard_status="open_findings", open_findings=4,
            corrective_action_plan_date=date(2026, 1, 15))))
        released = advance(ctx, held.batch_id)
        assert sum(released.by_answer.values()) == released.records


def test_replayed_batch_is_refused(prepared_ws: Path, tmp_path: Path) -> None:
    import shutil

    from disclosure_gateway.intake.manifest import sign_batch
    from disclosure_gateway.keys import load_private

    with open_context(prepared_ws) as ctx:
        process_batch(ctx, prepared_ws / BATCH)
        # the same records, properly signed again under another batch id: a replay
        copy = tmp_path / "copy"
        shutil.copytree(prepared_ws / BATCH, copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        manifest["batch_id"] = "another-id"
        (copy / "manifest.json").write_text(json.dumps(manifest))
        sign_batch(copy, load_private(prepared_ws / "keys" / "dhs-secretary.key"))
        before = _leaf_kinds(prepared_ws)
        with pytest.raises(BatchRefused) as info:
            process_batch(ctx, copy)
        assert info.value.code == "BATCH_REPLAY_DIGEST"
        # an unchanged copy under the same id resumes (nothing new), it is not re-answered
        again = process_batch(ctx, prepared_ws / BATCH)
        assert again.response_dir is not None
    assert _leaf_kinds(prepared_ws) - before == Counter({"batch_refused": 1})

"""The annual report's arithmetic on a hand-made store, and the batch report on a real batch."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import InputError, NotFound
from disclosure_gateway.services.batches import batch_status
from disclosure_gateway.services.context import Context
from disclosure_gateway.services.reports import annual_report, batch_report, write_batch_html
from disclosure_gateway.store.retractions import record_disposal, record_retraction

from .factories import add_answers, add_batch, add_requests, disclose

runner = CliRunner()
S1, S2 = "8 U.S.C. 1231", "8 U.S.C. 1253(a)(1)"
K1, K2, K3 = "1" * 64, "2" * 64, "3" * 64


def _t(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def year_2025(bare: Context) -> Context:
    """Batches either side of the year's edges; a taxpayer disclosed twice; two versions."""
    with bare.store.transaction() as s:
        # A: in 2025, answered twice (version 1 had one request pending review)
        add_batch(s, "A", requester="ice-ero", received=_t(2025, 3, 1), versions=2)
        add_requests(s, "A", [{"request_id": "A1", "statute": S1},
                              {"request_id": "A2", "statute": S1},
                              {"request_id": "A3", "statute": S2,
                               "reasons": ["ADDRESS_PO_BOX", "TIN_MALFORMED"]},
                              {"request_id": "A4", "statute": S2, "reasons": ["ADDRESS_PO_BOX"]}])
        add_answers(s, "A", 1, {"A1": "PENDING_REVIEW", "A2": "CONFIRMED", "A3": "REJECTED",
                                "A4": "REJECTED"}, _t(2025, 3, 1))
        add_answers(s, "A", 2, {"A1": "CONFIRMED", "A2": "CONFIRMED", "A3": "REJECTED",
                                "A4": "REJECTED"}, _t(2025, 3, 5))
        disclose(s, "A", "A2", tin_key=K1, requester="ice-ero", statute=S1, at=_t(2025, 3, 1))
        disclose(s, "A", "A1", tin_key=K1, requester="ice-ero", statute=S1, at=_t(2025, 3, 5))
        # B: received in the last microsecond of 2025, its disclosure made in 2026
        add_batch(s, "B", requester="ice-hsi",
                  received=_t(2026, 1, 1) - timedelta(microseconds=1))
        add_requests(s, "B", [{"request_id": "B1", "statute": S2},
                              {"request_id": "B2", "statute": S1}])
        add_answers(s, "B", 1, {"B1": "CONFIRMED", "B2": "NOT_CONFIRMED"}, _t(2026, 1, 1))
        disclose(s, "B", "B1", tin_key=K3, requester="ice-hsi", statute=S2,
                 at=_t(2026, 1, 1, 0, 0, 1))
        # C: received on the first instant of 2026: not 2025's
        add_batch(s, "C", requester="ice-ero", received=_t(2026, 1, 1))
        add_requests(s, "C", [{"request_id": "C1", "statute": S1}])
        add_answers(s, "C", 1, {"C1": "CONFIRMED"}, _t(2026, 1, 1))
        disclose(s, "C", "C1", tin_key=K1, requester="ice-ero", statute=S1, at=_t(2026, 1, 2))
        # D: received in 2024, answered (disclosed) in 2025
        add_batch(s, "D", requester="ice-ero", received=_t(2024, 12, 31, 23, 59, 59))
        add_requests(s, "D", [{"request_id": "D1", "statute": S1}])
        add_answers(s, "D", 1, {"D1": "CONFIRMED"}, _t(2025, 1, 2))
        disclose(s, "D", "D1", tin_key=K2, requester="ice-ero", statute=S1, at=_t(2025, 1, 2))
        record_retraction(s, batch_id="A", request_id="A2", reason="wrong person",
                          retracted_by="officer", retracted_at=_t(2025, 6, 1))
        record_disposal(s, batch_id="A", request_id="A2", certified_by="recipient",
                        location="share", certified_at=_t(2025, 7, 1), recorded_at=_t(2025, 7, 1))
    return bare


def test_annual_report_counts_requests_by_receipt_and_disclosures_by_date(
        year_2025: Context) -> None:
    rep = annual_report(year_2025, year=2025)
    assert rep["period"] == {"start": "2025-01-01T00:00:00+00:00",
                             "end": "2026-01-01T00:00:00+00:00"}
    assert rep["totals"] == {"batches": 2, "requests": 6, "refused_by_gate": 2,
                             "disclosures": 3, "taxpayers": 2, "retractions": 1,
                             "disposals_certified": 1}
    assert rep["by_requester"] == [
        {"requester_id": "ice-ero", "batches": 1, "requests": 4, "refused": 2,
         "disclosures": 3, "taxpayers": 2},
        {"requester_id": "ice-hsi", "batches": 1, "requests": 2, "refused": 0,
         "disclosures": 0, "taxpayers": 0},
    ]
    assert rep["by_statute"] == [
        {"statute": S1, "requests": 3, "refused": 0, "disclosures": 3, "taxpayers": 2},
        {"statute": S2, "requests": 3, "refused": 2, "disclosures": 0, "taxpayers": 0},
    ]
    # only each batch's latest response version counts: A1's PENDING_REVIEW was superseded
    assert rep["by_answer"] == {"CONFIRMED": 3, "NOT_CONFIRMED": 1, "REJECTED": 2}
    assert rep["by_reason"] == {"ADDRESS_PO_BOX": 2, "TIN_MALFORMED": 1}
    assert rep["by_disclosure_code"] == {"CONFIRMED": 3}


def test_the_next_year_gets_what_crossed_the_edge(year_2025: Context) -> None:
    rep = annual_report(year_2025, year=2026)
    t = rep["totals"]
    assert (t["batches"], t["requests"], t["disclosures"], t["taxpayers"]) == (1, 1, 2, 2)
    assert {r["requester_id"]: (r["requests"], r["disclosures"]) for r in rep["by_requester"]} == {
        "ice-ero": (1, 1), "ice-hsi": (0, 1)}


def test_an_empty_year_is_all_zeros(year_2025: Context) -> None:
    rep = annual_report(year_2025, year=2019)
    assert set(rep["totals"].values()) == {0}
    assert rep["by_requester"] == rep["by_statute"] == []
    assert rep["by_answer"] == rep["by_reason"] == {}


def test_annual_report_names_no_taxpayer(year_2025: Context) -> None:
    text = json.dumps(annual_report(year_2025, year=2025))
    for secret in (K1, K2, K3, "Ana", "Ruiz", "A1", "A2"):
        assert secret not in text


@pytest.mark.parametrize("year", [1969, 10_000])
def test_a_year_out_of_range_is_refused(bare: Context, year: int) -> None:
    with pytest.raises(InputError, match=f"year {year} is out of range"):
        annual_report(bare, year=year)


def test_cli_annual_json_and_tables(year_2025: Context) -> None:
    where = ["-w", str(year_2025.ws.root), "--db", year_2025.store.url]
    res = runner.invoke(app, ["report", "annual", "--year", "2025", *where, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["totals"]["taxpayers"] == 2
    res = runner.invoke(app, ["report", "annual", "--year", "2025", *where])
    assert res.exit_code == 0, res.output
    assert "By requester" in res.stdout and "ice-hsi" in res.stdout


# --- the batch report ------------------------------------------------------------------


def test_batch_report_numbers_agree_with_the_batch(demo: Context, batch_id: str) -> None:
    rep = batch_report(demo, batch_id)
    status = batch_status(demo, batch_id)
    assert rep["answers"] == status["answers"]
    assert rep["answered"] == rep["record_count"] == sum(status["answers"].values())
    decided = sum(rep["match_outcomes"].values())
    assert sum(z["records"] for z in rep["zones"]) == decided
    no_candidate = rep["zones"][0]["records"]
    assert sum(b["count"] for b in rep["probability_histogram"]) == decided - no_candidate
    assert len(rep["probability_histogram"]) == 20
    assert rep["thresholds"]["auto_threshold"] == demo.agreement().matching.auto_threshold
    assert rep["answers"]["REJECTED"] == status["answers"]["REJECTED"] > 0
    assert all(r["message"] for r in rep["reason_codes"])
    assert rep["checkpoint"] is not None


def test_batch_html_is_one_self_contained_file(demo: Context, batch_id: str,
                                               tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    rep = write_batch_html(demo, batch_id, out)
    assert rep["html"] == str(out)
    html = out.read_text(encoding="utf-8")
    # nothing fetched when opened: no script, stylesheet link, image source or remote URL
    for forbidden in ("<script", "<link", " src=", "<img", "@import", "url("):
        assert forbidden not in html
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls == {"http://www.w3.org/2000/svg"}  # the SVG namespace names, never fetched
    assert html.count("<svg") >= 6
    for chart in ("answers", "reasons", "outcomes", "hist", "zones"):
        assert f'aria-labelledby="{chart}-t {chart}-d"' in html
    # the numbers are in a table too, next to the pictures
    for code, n in rep["answers"].items():
        assert f'data-code="{code}">{n:,}</td>' in html
    assert batch_id in html
    assert not list(out.parent.glob("*.tmp"))


def test_batch_html_into_a_directory_and_through_the_cli(demo: Context, batch_id: str,
                                                        tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", "batch", batch_id, "--html", str(tmp_path),
                              "-w", str(demo.ws.root)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / f"{batch_id}.html").exists()
    res = runner.invoke(app, ["report", "batch", batch_id, "-w", str(demo.ws.root), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["html"] == str(demo.ws.reports_dir / f"{batch_id}.html")


def test_batch_report_of_an_unknown_batch(demo: Context) -> None:
    with pytest.raises(NotFound, match="no batch NOPE"):
        batch_report(demo, "NOPE")

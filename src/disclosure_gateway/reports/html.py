"""The batch report as one HTML file a person would rather look at than read.

Self-contained on purpose: it is mailed to overseers and filed with the batch,
so it must open years later, offline, without fetching anything. Styles are
inline, charts are server-drawn SVG (``console/charts.py``) and every chart's
numbers are also in a table, for screen readers and for print.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..console.charts import COLOURS, DEFAULT_COLOUR, Bar, Bin, bar_chart, histogram, stacked_bar

_env = Environment(
    loader=PackageLoader("disclosure_gateway.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: answer codes in the order a reader expects: what was disclosed first
ANSWER_ORDER = ("CONFIRMED", "ADDRESS_PROVIDED", "NOT_CONFIRMED", "PENDING_REVIEW", "REJECTED")
#: the model's outcomes, most to least definite
OUTCOME_ORDER = ("match", "review", "no_match")


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _when(value: Any) -> str:
    if isinstance(value, str) and "T" in value:
        return value.replace("T", " ")[:19] + " UTC"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return "" if value is None else str(value)


_env.filters["num"] = _num
_env.filters["when"] = _when
_env.globals["pct"] = _pct


def _ordered(counts: Mapping[str, int], order: tuple[str, ...]) -> list[Bar]:
    known = [Bar(k, float(counts[k])) for k in order if counts.get(k)]
    rest = sorted((Bar(k, float(v)) for k, v in counts.items() if k not in order and v),
                  key=lambda b: (-b.value, b.label))
    return known + rest


def charts(report: Mapping[str, Any]) -> dict[str, Any]:
    """The SVG pictures of one batch report."""
    answers = _ordered(report["answers"], ANSWER_ORDER)
    t = report.get("thresholds") or {}
    marks = [(float(t[k]), label) for k, label in (("review_threshold", "review"),
                                                    ("auto_threshold", "auto"))
             if isinstance(t.get(k), int | float)]
    return {
        "share": stacked_bar(answers, title="Share of each answer", chart_id="share",
                             width=720, height=28),
        "answers": bar_chart(answers, title="Answers by code", chart_id="answers"),
        "reasons": bar_chart([Bar(r["code"], float(r["records"])) for r in report["reason_codes"]],
                             title="Why the gate refused requests", chart_id="reasons"),
        "outcomes": bar_chart(_ordered(report["match_outcomes"], OUTCOME_ORDER),
                              title="What the model decided", chart_id="outcomes"),
        "decision_reasons": bar_chart(
            [Bar(r["code"], float(r["records"])) for r in report["decision_reasons"]],
            title="Reasons of the model's decisions", chart_id="decision-reasons"),
        "zones": bar_chart([Bar(z["zone"], float(z["records"])) for z in report["zones"]],
                           title="Requests per threshold zone", chart_id="zones"),
        "histogram": histogram(
            [Bin(float(b["from"]), float(b["to"]), int(b["count"]))
             for b in report["probability_histogram"]],
            title="Match probability of the best candidate", chart_id="hist", width=720,
            height=240, marks=marks),
    }


def render_batch(report: Mapping[str, Any]) -> str:
    """The whole page for one ``services.reports.batch_report`` dict."""
    answers = report["answers"]
    ordered = [(b.label, int(b.value)) for b in _ordered(answers, ANSWER_ORDER)]
    return _env.get_template("batch.html").render(
        r=report, charts=charts(report), answers=ordered, total=sum(answers.values()),
        colours=COLOURS, default_colour=DEFAULT_COLOUR, outcome_order=OUTCOME_ORDER)

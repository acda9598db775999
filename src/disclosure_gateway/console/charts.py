"""Charts as inline SVG, drawn on the server: no script, no CDN, printable.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` that
say the numbers in words; the templates also put the same numbers in a table,
so a screen reader gets them either way. Pure: strings in, markup out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: answer codes and review outcomes get fixed colours (chosen for contrast on white,
#: and never the only cue: every bar also carries its label and number)
COLOURS: dict[str, str] = {
    "CONFIRMED": "#1b7a3a",
    "ADDRESS_PROVIDED": "#1f5fa8",
    "NOT_CONFIRMED": "#5f6b76",
    "REJECTED": "#b3261e",
    "PENDING_REVIEW": "#9a6700",
}
DEFAULT_COLOUR = "#3d4f7c"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _colour(label: str) -> str:
    return COLOURS.get(label, DEFAULT_COLOUR)


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str, width: int = 560) -> Markup:
    """Horizontal bars, one per label, largest scale = largest value."""
    row_h, pad = 26, 8
    # Room for the longest label (reason codes run long) at ~8 px a character of 12 px capitals.
    label_w = min(max((len(b.label) for b in bars), default=10) * 8 + 16, 320)
    top = max((b.value for b in bars), default=0) or 1
    plot_w = width - label_w - 80
    height = max(row_h * len(bars) + 2 * pad, 40)
    desc = "; ".join(f"{b.label}: {_fmt(b.value)}" for b in bars) or "no data"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    if not bars:
        parts.append(f'<text x="{pad}" y="24" class="chart-empty">No data yet</text>')
    for i, b in enumerate(bars):
        y = pad + i * row_h
        w = max(round(plot_w * b.value / top), 1 if b.value else 0)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" class="chart-label">'
            f'{escape(b.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" fill="{_colour(b.label)}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 17}" class="chart-value">{_fmt(b.value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def diverging_chart(bars: Sequence[Bar], *, title: str, chart_id: str, width: int = 560) -> Markup:
    """Bars left (negative) and right (positive) of a zero line: per-comparison match weights,
    the reviewer's "why did it score like this" (a waterfall without the running total)."""
    row_h, label_w, pad = 24, 150, 8
    half = (width - label_w - 2 * pad) / 2
    zero = label_w + pad + half
    top = max((abs(b.value) for b in bars), default=0) or 1
    height = max(row_h * len(bars) + 2 * pad, 40)
    desc = "; ".join(f"{b.label}: {b.value:+.2f}" for b in bars) or "no comparisons"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{zero:.1f}" y1="{pad}" x2="{zero:.1f}" y2="{height - pad}" class="axis"/>',
    ]
    for i, b in enumerate(bars):
        y = pad + i * row_h
        w = (half - 40) * abs(b.value) / top
        x = zero if b.value >= 0 else zero - w
        colour = COLOURS["CONFIRMED"] if b.value >= 0 else COLOURS["REJECTED"]
        tx, anchor = (zero + w + 4, "start") if b.value >= 0 else (zero - w - 4, "end")
        parts.append(
            f'<text x="{label_w}" y="{y + 16}" text-anchor="end" class="chart-label">{escape(b.label)}</text>'
            f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{colour}"/>'
            f'<text x="{tx:.1f}" y="{y + 16}" text-anchor="{anchor}" class="chart-value">'
            f'{b.value:+.2f}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    count: int


def histogram(bins: Sequence[Bin], *, title: str, chart_id: str, width: int = 560, height: int = 200,
              marks: Sequence[tuple[float, str]] = ()) -> Markup:
    """Columns over [0, 1] (match probabilities), with optional vertical marks (thresholds)."""
    left, bottom, top_pad, right = 44, 34, 24, 10
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    peak = max((b.count for b in bins), default=0) or 1
    desc = "; ".join(f"{b.lo:.2f}–{b.hi:.2f}: {b.count:,}" for b in bins) or "no data"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
        'class="axis"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" class="axis"/>',
        f'<text x="{left - 6}" y="{top_pad + 8}" text-anchor="end" class="chart-value">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" class="chart-value">0</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * tick
        parts.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" class="chart-value">'
                     f'{tick:g}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 1}" text-anchor="middle" '
                 f'class="chart-label">match probability</text>')
    for b in bins:
        x0 = left + plot_w * max(0.0, min(1.0, b.lo))
        x1 = left + plot_w * max(0.0, min(1.0, b.hi))
        h = plot_h * b.count / peak
        parts.append(f'<rect x="{x0 + 0.5:.1f}" y="{top_pad + plot_h - h:.1f}" '
                     f'width="{max(x1 - x0 - 1, 1):.1f}" '
                     f'height="{h:.1f}" fill="{DEFAULT_COLOUR}"><title>{b.lo:.2f}–{b.hi:.2f}: '
                     f'{b.count:,}</title></rect>')
    for at, label in marks:
        x = left + plot_w * max(0.0, min(1.0, at))
        # Labels above the plot, so a tall column never hides them; kept inside at the edges.
        anchor = "end" if at > 0.85 else ("start" if at < 0.15 else "middle")
        parts.append(f'<line x1="{x:.1f}" y1="{top_pad - 6}" x2="{x:.1f}" y2="{top_pad + plot_h}" '
                     f'class="mark"/><text x="{x:.1f}" y="{top_pad - 10}" text-anchor="{anchor}" '
                     f'class="chart-mark">{escape(label)} {at:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def stacked_bar(parts_in: Sequence[Bar], *, title: str, chart_id: str, width: int = 240,
                height: int = 16) -> Markup:
    """One thin bar split by share: the dashboard's per-batch outcome breakdown."""
    total = sum(b.value for b in parts_in)
    desc = ", ".join(f"{b.label} {_fmt(b.value)}" for b in parts_in) or "no answers yet"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    x = 0.0
    if total <= 0:
        out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#e4e7eb"/>')
    for b in parts_in:
        if total <= 0 or b.value <= 0:
            continue
        w = width * b.value / total
        out.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{_colour(b.label)}">'
                   f'<title>{escape(b.label)}: {_fmt(b.value)}</title></rect>')
        x += w
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above

"""Static chart images for the PDF (matplotlib, SVG). The PPTX and XLSX files use the
formats' own native, editable charts instead (see pptx_file.py and xlsx_file.py)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from tertulia.insights.dashboards import Chart

COLORS = {"positive": "#2fb344", "neutral": "#9aa0ac", "negative": "#d63939",
          "green": "#2fb344", "yellow": "#f59f00", "red": "#d63939"}
PALETTE = ["#206bc4", "#4299e1", "#ae3ec9", "#f76707", "#2fb344", "#d63939", "#17a2b8",
           "#74b816", "#f59f00", "#667382"]


def _color(i: int, key: str) -> str:
    return COLORS.get(key) or PALETTE[i % len(PALETTE)]


def chart_svg(chart: Chart) -> str:
    fig, ax = plt.subplots(figsize=(5.0, 3.0) if chart.kind == "pie" else (7.2, 3.0))
    try:
        _draw(ax, chart)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _draw(ax: plt.Axes, chart: Chart) -> None:
    cats = chart.categories
    values = [[v or 0 for v in s.values] for s in chart.series]
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    if not cats:
        ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    if chart.kind == "pie":
        data = values[0]
        if sum(data) <= 0:
            ax.text(0.5, 0.5, "0", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return
        ax.pie(data, labels=cats, colors=[_color(i, "") for i in range(len(cats))],
               autopct=lambda p: f"{p:.0f}%" if p >= 4 else "", textprops={"fontsize": 7},
               wedgeprops={"width": 0.45}, startangle=90, counterclock=False)
        ax.set_aspect("equal")
        return
    positions = list(range(len(cats)))
    if chart.kind == "line":
        for i, s in enumerate(chart.series):
            ax.plot(positions, [v if v is not None else float("nan") for v in s.values],
                    marker="o", markersize=2.5, linewidth=1.4, color=_color(i, s.key),
                    label=s.name)
    elif chart.kind == "hbar":
        left = [0.0] * len(cats)
        for i, s in enumerate(chart.series):
            ax.barh(positions, values[i], left=left, color=_color(i, s.key), label=s.name)
            left = [a + b for a, b in zip(left, values[i], strict=True)]
        ax.set_yticks(positions, cats)
    else:
        stacked = chart.kind == "stacked"
        width = 0.8 if stacked else 0.8 / max(1, len(chart.series))
        bottom = [0.0] * len(cats)
        for i, s in enumerate(chart.series):
            x = positions if stacked else [p + (i - (len(chart.series) - 1) / 2) * width
                                           for p in positions]
            ax.bar(x, values[i], width=width, bottom=bottom if stacked else None,
                   color=_color(i, s.key), label=s.name)
            if stacked:
                bottom = [a + b for a, b in zip(bottom, values[i], strict=True)]
    if chart.kind != "hbar":
        step = max(1, len(cats) // 10)
        ax.set_xticks(positions[::step], cats[::step], rotation=30, ha="right")
    if len(chart.series) > 1:
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=min(4, len(chart.series)))
    ax.grid(axis="x" if chart.kind == "hbar" else "y", linewidth=0.4, alpha=0.5)

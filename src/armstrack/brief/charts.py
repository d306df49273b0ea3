"""The brief's pictures as SVG drawn here: partners bar chart, timeline chart, network picture.

Plain SVG text, no scripts, no external references, so a brief renders offline
in any browser, in a PDF and in Markdown viewers (as a data: image). Every name
comes from article text, which is hostile: all text and attribute values pass
through ``_esc``.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from armstrack.graph.query import FactView
from armstrack.graph.words import human, sentence

# The page's colours per fact type (web/static/app.js), so the brief and the page read alike.
TYPE_COLOURS = {
    "arms_transfer": "#1f77b4", "licensed_production": "#d62728", "joint_venture": "#2ca02c",
    "co_production": "#9467bd", "agreement": "#8c564b", "training": "#e377c2", "aid": "#ff7f0e",
    "facility": "#17becf", "procurement_process": "#7f7f7f",
}
FONT = "font-family='Helvetica, Arial, sans-serif'"
WIDTH = 760  # px: an A4 page's text width at 96 dpi with 2 cm margins is ~720-760
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 18, 6, 170
MAX_BARS = 12  # partners drawn in the bar chart; the rest are summed into "others"
MAX_LANES = 8  # partner lanes on the timeline; facts with other partners share an "others" lane
LANE_HEIGHT, AXIS_HEIGHT = 28, 30
MAX_NODES = 14  # partners around the country in the network picture
NETWORK_HEIGHT = 420
NODE_RADIUS = 22  # px of the country's node; arrows stop at it
EDGE_OFFSET = 7  # px between the two arrows of a pair of countries that supply each other


def _esc(text: object) -> str:
    return escape(str(text))


def _svg(height: int, body: list[str], title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
            f"viewBox='0 0 {WIDTH} {height}' role='img' {FONT} font-size='12'>"
            f"<title>{_esc(title)}</title>{''.join(body)}</svg>")


def partners_chart(country: str, partners: list[tuple[str, int]]) -> str:
    """Horizontal bars: facts per partner, most first."""
    shown = partners[:MAX_BARS]
    rest = sum(n for _, n in partners[MAX_BARS:])
    if rest:
        shown = [*shown, ("others", rest)]
    top = max((n for _, n in shown), default=1)
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    body = []
    for i, (name, n) in enumerate(shown):
        y = 10 + i * (BAR_HEIGHT + BAR_GAP)
        body.append(f"<text x='{LABEL_WIDTH - 8}' y='{y + 13}' text-anchor='end'>{_esc(name)}</text>"
                    f"<rect x='{LABEL_WIDTH}' y='{y}' width='{max(n * scale, 2):.1f}' height='{BAR_HEIGHT}' "
                    f"fill='#1f77b4'><title>{_esc(f'{name}: {n} facts')}</title></rect>"
                    f"<text x='{LABEL_WIDTH + n * scale + 6:.1f}' y='{y + 13}'>{n}</text>")
    height = 20 + len(shown) * (BAR_HEIGHT + BAR_GAP)
    return _svg(height, body, f"{country}'s partners by number of facts")


def _year(iso: str) -> int:
    return int(iso[:4])


def timeline_chart(country: str, facts: list[FactView], partners: list[tuple[str, int]]) -> str:
    """Dated facts on a time axis, one lane per partner; colour is the fact type, a hollow mark is planned."""
    dated = [f for f in facts if f.time_start]
    lanes = [name for name, _ in partners[:MAX_LANES]]
    others = "others"

    def lane_of(f: FactView) -> str:
        mine = [p["country"] for p in f.participants if p.get("country") and p["country"] != country]
        return next((c for c in mine if c in lanes), others)

    used = Counter(lane_of(f) for f in dated)
    rows = [name for name in [*lanes, others] if used[name]]
    if not dated:
        return _svg(40, ["<text x='10' y='25'>No dated facts.</text>"], f"{country}: timeline")
    first, last = min(_year(f.time_start) for f in dated), max(_year(f.time_end or f.time_start) for f in dated)
    first, last = first - 1, last + 1
    left, right = LABEL_WIDTH, WIDTH - 20
    x = lambda year: left + (year - first) / (last - first) * (right - left)  # noqa: E731
    height = AXIS_HEIGHT + len(rows) * LANE_HEIGHT + 60
    body = []
    for i, name in enumerate(rows):
        y = 10 + i * LANE_HEIGHT
        body.append(f"<rect x='{left}' y='{y}' width='{right - left}' height='{LANE_HEIGHT}' "
                    f"fill='{'#f4f6f8' if i % 2 else '#ffffff'}'/>"
                    f"<text x='{left - 8}' y='{y + 18}' text-anchor='end'>{_esc(name)}</text>")
    axis_y = 10 + len(rows) * LANE_HEIGHT
    step = max(1, math.ceil((last - first) / 12))
    for year in range(first, last + 1, step):
        body.append(f"<line x1='{x(year):.1f}' y1='10' x2='{x(year):.1f}' y2='{axis_y + 4}' stroke='#d0d4d8'/>"
                    f"<text x='{x(year):.1f}' y='{axis_y + 18}' text-anchor='middle'>{year}</text>")
    jitter: Counter[tuple[str, int]] = Counter()
    for f in dated:
        row = rows.index(lane_of(f))
        start, end = _year(f.time_start), _year(f.time_end or f.time_start)
        k = jitter[(lane_of(f), start)]
        jitter[(lane_of(f), start)] += 1
        cy = 10 + row * LANE_HEIGHT + 9 + (k % 3) * 5
        colour = TYPE_COLOURS.get(f.type, "#333333")
        fill = "white" if f.status == "planned" else colour
        tip = f"<title>{_esc(sentence(f))}</title>"
        if end > start:
            body.append(f"<line x1='{x(start + 0.5):.1f}' y1='{cy}' x2='{x(end + 0.5):.1f}' y2='{cy}' "
                        f"stroke={quoteattr(colour)} stroke-width='3' opacity='0.6'>{tip}</line>")
        body.append(f"<circle cx='{x(start + 0.5):.1f}' cy='{cy}' r='5' fill={quoteattr(fill)} "
                    f"stroke={quoteattr(colour)} stroke-width='2'>{tip}</circle>")
    legend_y = axis_y + 34
    lx = 10
    for fact_type in sorted({f.type for f in dated}):
        label = human(fact_type)
        if lx + 24 + 7 * len(label) > WIDTH - 80:  # wrap the legend to a second line
            lx, legend_y = 10, legend_y + 18
        body.append(f"<circle cx='{lx + 5}' cy='{legend_y - 4}' r='5' fill='{TYPE_COLOURS.get(fact_type, '#333')}'/>"
                    f"<text x='{lx + 14}' y='{legend_y}'>{_esc(label)}</text>")
        lx += 24 + 7 * len(label)
    body.append(f"<circle cx='{lx + 5}' cy='{legend_y - 4}' r='5' fill='white' stroke='#333' stroke-width='2'/>"
                f"<text x='{lx + 14}' y='{legend_y}'>planned</text>")
    return _svg(height, body, f"{country}: facts over time by partner")


def network_chart(country: str, edges: list[dict[str, Any]], partners: list[tuple[str, int]]) -> str:
    """The country in the centre, its partners around it, arrows from supplier to recipient, width = facts."""
    names = [country, *[p for p, _ in partners[:MAX_NODES]]]
    cx, cy, radius = WIDTH / 2, NETWORK_HEIGHT / 2, NETWORK_HEIGHT / 2 - 50
    at = {country: (cx, cy)}
    ring = names[1:]
    for i, name in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(ring), 1)
        at[name] = (cx + radius * 1.6 * math.cos(angle), cy + radius * math.sin(angle))
    shown = [e for e in edges if e["source"] in at and e["target"] in at]
    pairs = {(e["source"], e["target"]) for e in shown}
    top = max((e["weight"] for e in shown), default=1)
    body = ["<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='10' markerHeight='10' "
            "markerUnits='userSpaceOnUse' orient='auto'><path d='M 0 0 L 10 5 L 0 10 z' fill='#555'/></marker></defs>"]
    for e in shown:
        (x1, y1), (x2, y2) = at[e["source"]], at[e["target"]]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        # Both directions between two countries: each arrow moves to its own side so neither hides the other.
        side = EDGE_OFFSET if (e["target"], e["source"]) in pairs else 0
        ox, oy = -uy * side, ux * side
        sx, sy = x1 + ux * NODE_RADIUS + ox, y1 + uy * NODE_RADIUS + oy
        ex, ey = x2 - ux * (NODE_RADIUS + 2) + ox, y2 - uy * (NODE_RADIUS + 2) + oy
        width = 1 + 4 * e["weight"] / top
        tip = f"{e['source']} → {e['target']}: {e['weight']} facts"
        body.append(f"<line x1='{sx:.1f}' y1='{sy:.1f}' x2='{ex:.1f}' y2='{ey:.1f}' stroke='#555' "
                    f"stroke-opacity='0.75' stroke-width='{width:.1f}' marker-end='url(#arrow)'>"
                    f"<title>{_esc(tip)}</title></line>"
                    f"<text x='{(sx + ex) / 2 + ox * 1.5:.1f}' y='{(sy + ey) / 2 + oy * 1.5 + 4:.1f}' "
                    f"text-anchor='middle' font-size='11' fill='#333'>{e['weight']}</text>")
    for name, (x, y) in at.items():
        main = name == country
        body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{22 if main else 16}' "
                    f"fill='{'#d62728' if main else '#1f77b4'}' fill-opacity='0.85'/>"
                    f"<text x='{x:.1f}' y='{y + (36 if main else 30):.1f}' text-anchor='middle' "
                    f"font-weight='{'bold' if main else 'normal'}'>{_esc(name)}</text>")
    return _svg(NETWORK_HEIGHT, body, f"{country}'s cooperation network: supplier → recipient")

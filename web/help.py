"""Help: the state diagram drawn, as SVG on the server, from the machine that runs."""

from __future__ import annotations

import math

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from web.i18n import current_lang
from workflow.machine import TRANSITIONS, mermaid
from workflow.vocabulary import Event, State

bp = Blueprint("help", __name__)

# Where each state sits (columns follow the main path); the edges come from TRANSITIONS.
POSITION = {
    State.DRAFT: (0, 1),
    State.IN_REVIEW: (1, 1),
    State.UNDER_COUNCIL: (2, 1),
    State.ON_NOTICE: (3, 1),
    State.AWARDED: (4, 1),
    State.REVOKED: (4, 2),
    State.RETURNED: (0, 0),
    State.WITHDRAWN: (1, 2),
    State.REJECTED: (2, 2),
}
FILL = {
    State.AWARDED: "#dff3e0",
    State.REJECTED: "#f6dcdc",
    State.REVOKED: "#f6dcdc",
    State.RETURNED: "#fff1cc",
}
W, H, BOX_W, BOX_H = 270, 150, 150, 44


def _centre(state: State) -> tuple[float, float]:
    col, row = POSITION[state]
    return 30 + col * W + BOX_W / 2, 30 + row * H + BOX_H / 2


def state_svg(lang: str = "vi") -> Markup:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {30 + 4 * W + BOX_W + 30} {60 + 3 * H}" '
        'role="img" aria-labelledby="diagram-title" class="diagram" font-family="sans-serif" '
        'font-size="12">',
        '<title id="diagram-title">Sơ đồ trạng thái hồ sơ đề nghị khen thưởng</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/>'
        "</marker></defs>",
    ]
    seen: dict[tuple[State, State], list[str]] = {}
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            seen.setdefault((source, t["dest"]), []).append(Event(t["trigger"]).label(lang))
    for (source, dest), labels in seen.items():
        label = escape(" / ".join(dict.fromkeys(labels)))
        (x1, y1), (x2, y2) = _centre(source), _centre(dest)
        if source == dest:
            parts.append(
                f'<path d="M{x1 - 30},{y1 - BOX_H / 2} C{x1 - 40},{y1 - 90} {x1 + 40},'
                f'{y1 - 90} {x1 + 30},{y1 - BOX_H / 2}" fill="none" stroke="#444" '
                f'marker-end="url(#arrow)"/><text x="{x1}" y="{y1 - 75}" '
                f'text-anchor="middle">{label}</text>'
            )
            continue
        angle = math.atan2(y2 - y1, x2 - x1)
        dx, dy = math.cos(angle), math.sin(angle)
        # A pair of opposite edges is drawn side by side, each label on its own side.
        # Opposite edges of a pair sit on either side of the line between the two boxes, and
        # each label sits beyond its own edge; the normal is taken from one fixed direction.
        paired = (dest, source) in seen
        forward = source.value < dest.value
        (cx1, cy1), (cx2, cy2) = (
            (_centre(source), _centre(dest)) if forward else (_centre(dest), _centre(source))
        )
        norm = math.hypot(cx2 - cx1, cy2 - cy1)
        ux, uy = -(cy2 - cy1) / norm, (cx2 - cx1) / norm
        side = 1 if forward else -1
        offset = 9 if paired else 0
        nx, ny = ux * offset * side, uy * offset * side
        shrink = min(BOX_W / 2 / max(abs(dx), 1e-6), BOX_H / 2 / max(abs(dy), 1e-6))
        ax, ay = x1 + dx * shrink + nx, y1 + dy * shrink + ny
        bx, by = x2 - dx * shrink + nx, y2 - dy * shrink + ny
        spread = 22 if paired else 14
        lx, ly = (ax + bx) / 2 + ux * spread * side, (ay + by) / 2 + uy * spread * side + 4
        parts.append(
            f'<line x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}" '
            f'stroke="#444" marker-end="url(#arrow)"/>'
            f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle">{label}</text>'
        )
    for state in State:
        col, row = POSITION[state]
        x, y = 30 + col * W, 30 + row * H
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            f'fill="{FILL.get(state, "#f4f4f4")}" stroke="#555"/><text x="{x + BOX_W / 2}" '
            f'y="{y + BOX_H / 2 + 5}" text-anchor="middle">{escape(state.label(lang))}</text>'
        )
    parts.append("</svg>")
    # Every label above is escaped; the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704  # nosec B704


@bp.route("/help")
def states() -> ResponseReturnValue:
    rows = [
        {
            "event": Event(t["trigger"]),
            "sources": t["source"] if isinstance(t["source"], list) else [t["source"]],
            "dest": t["dest"],
            "guard": t.get("conditions") or t.get("unless"),
            "negated": bool(t.get("unless")),
        }
        for t in TRANSITIONS
    ]
    return render_template("help.html", svg=state_svg(current_lang()), rows=rows, mermaid=mermaid())

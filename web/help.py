"""Help: each role's main tasks step by step with a picture of the page, and the state diagram
drawn, as SVG on the server, from the machine that runs."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup, escape

from web.auth import today
from web.help_topics import TASKS
from web.i18n import current_lang
from workflow import accounts, events, machine
from workflow.vocabulary import Labelled, Role, State

bp = Blueprint("help", __name__)

# Where each state sits (columns follow the main path); the edges come from TRANSITIONS, the
# labels from the event table. A state placed nowhere here gets a box in a row of its own.
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


def _sources(t: dict[str, Any]) -> list[str]:
    return t["source"] if isinstance(t["source"], list) else [t["source"]]


def _positions() -> dict[str, tuple[int, int]]:
    """Every state of the machine and of its transitions, each at its cell."""
    states = list(State) + [
        s for t in machine.TRANSITIONS for s in (*_sources(t), t["dest"]) if s not in POSITION
    ]
    placed: dict[str, tuple[int, int]] = {s: POSITION[s] for s in State if s in POSITION}
    extra_row = max(row for _col, row in POSITION.values()) + 1
    for state in dict.fromkeys(states):
        if state not in placed:
            placed[state] = (len(placed) - len(POSITION), extra_row)
    return placed


def _label(state: str, lang: str) -> str:
    return state.label(lang) if isinstance(state, Labelled) else str(state)


def state_svg(lang: str = "vi") -> Markup:
    position = _positions()

    def _centre(state: str) -> tuple[float, float]:
        col, row = position[state]
        return 30 + col * W + BOX_W / 2, 30 + row * H + BOX_H / 2

    cols = max(col for col, _row in position.values())
    rows = max(row for _col, row in position.values()) + 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {30 + cols * W + BOX_W + 30} {60 + rows * H}" '
        'role="img" aria-labelledby="diagram-title" class="diagram" font-family="sans-serif" '
        'font-size="12">',
        '<title id="diagram-title">Sơ đồ trạng thái hồ sơ đề nghị khen thưởng</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/>'
        "</marker></defs>",
    ]
    seen: dict[tuple[str, str], list[str]] = {}
    for t in machine.TRANSITIONS:
        for source in _sources(t):
            seen.setdefault((source, t["dest"]), []).append(events.label(t["trigger"], lang))
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
        forward = str(source) < str(dest)
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
    for state, (col, row) in position.items():
        x, y = 30 + col * W, 30 + row * H
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            f'fill="{FILL.get(state, "#f4f4f4")}" stroke="#555"/><text x="{x + BOX_W / 2}" '
            f'y="{y + BOX_H / 2 + 5}" text-anchor="middle">{escape(_label(state, lang))}</text>'
        )
    parts.append("</svg>")
    # Every label above is escaped; the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704  # nosec B704


def _my_roles() -> list[Role]:
    """The signed-in user's roles today, in the order of the roles' list (none: signed out)."""
    if not current_user.is_authenticated:
        return []
    held = {a.role for a in accounts.active_assignments(current_user.user, today())}
    return [r for r in Role if r.value in held]


@bp.route("/help/<any(officer, reviewer, council, decider, auditor, admin):role>")
def role(role: str) -> ResponseReturnValue:
    """How one role does its main tasks, each with a picture of its page."""
    return render_template("help_role.html", role=Role(role), tasks=TASKS[Role(role)])


@bp.route("/help")
def states() -> ResponseReturnValue:
    """The user's own tasks first, the other roles' a link away, then the states."""
    lang = current_lang()
    rows = [
        {
            "event": events.label(t["trigger"], lang),
            "sources": _sources(t),
            "dest": t["dest"],
            "guard": t.get("conditions") or t.get("unless"),
            "negated": bool(t.get("unless")),
        }
        for t in machine.TRANSITIONS
    ]
    mine = _my_roles()
    return render_template(
        "help.html", svg=state_svg(lang), rows=rows, mine=[(r, TASKS[r]) for r in mine],
        others=[r for r in TASKS if r not in mine],
    )  # fmt: skip

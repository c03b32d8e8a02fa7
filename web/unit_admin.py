"""Reorganising a unit (administrators): rename, move, merge, split. The rules, the dated
history and the trail live in workflow/units.py; these pages parse and show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from web import forms
from web.auth import me, today
from web.extensions import db
from web.i18n import current_lang
from workflow import accounts, units
from workflow.errors import WorkflowError
from workflow.models import Unit
from workflow.vocabulary import Role

bp = Blueprint("unit_admin", __name__, url_prefix="/admin/units")

ACTIONS: dict[str, tuple[type[forms.FormSchema], Callable[..., Unit]]] = {
    "rename": (forms.UnitRenameSchema, units.rename),
    "move": (forms.UnitMoveSchema, units.move),
    "merge": (forms.UnitMergeSchema, units.merge),
    "split": (forms.UnitSplitSchema, units.split),
}


def _unit(code: str) -> Unit:
    """The unit, if it lies in a subtree the signed-in user administers (else 404)."""
    managed = accounts.units_below(db.session, me(), Role.ADMIN, today())
    unit = next((u for u in managed if u.code == code), None)
    if unit is None:
        abort(404)
    return unit


def _page(unit: Unit, status: int = 200, action: str | None = None) -> ResponseReturnValue:
    typed = request.form if action else None
    return render_template(
        "admin_unit.html",
        unit=unit,
        choices=units.choices(db.session, me(), unit, today()),
        today=today(),
        action=action,
        typed=typed,
    ), status


@bp.get("/<code>")
@login_required
def unit_page(code: str) -> ResponseReturnValue:
    return _page(_unit(code))


@bp.post("/<code>/<any(rename, move, merge, split):action>")
@login_required
def reorganise(code: str, action: str) -> ResponseReturnValue:
    """Run one change; on a refusal, the page again with the reason and what was typed."""
    unit = _unit(code)
    schema, change = ACTIONS[action]
    try:
        form: dict[str, Any] = forms.load(
            schema(), request.form, lists=("member_ids", "child_codes") if action == "split" else ()
        )
        result = change(db.session, me(), unit.code, **form)
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _page(_unit(code), err.http_status, action)
    flash(_("Đã lưu thay đổi của đơn vị."), "info")
    return redirect(url_for("unit_admin.unit_page", code=result.code))

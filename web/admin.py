"""Administration pages: the unit tree, users with dated role assignments, campaigns."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import fields
from sqlalchemy import select

from web import forms
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import account_changes, accounts, campaigns
from workflow.errors import InvalidInput, WorkflowError
from workflow.models import Campaign, RoleAssignment, Unit, User
from workflow.units import managed_open, possible_parents
from workflow.vocabulary import Level, Role
from workflow.workdays import calendar_gaps

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def _calendar_gaps() -> dict[str, Any]:
    """Every administration page warns the top-level administrators, who keep the holiday
    schedule, while a year deadlines reach has none (not a branch's administrator, nor
    someone refused the page: the notice is for whoever can act on it)."""
    if not current_user.is_authenticated:
        return {"calendar_gaps": ()}
    keeps = accounts.administers_root(me(), today())
    return {"calendar_gaps": calendar_gaps(today()) if keeps else ()}


MAX_CAMPAIGN_FILE = 512 * 1024


class UnitFormSchema(forms.FormSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    parent_code = fields.String(load_default=None)
    abbreviation = fields.String(load_default=None)


class UserFormSchema(forms.FormSchema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(load_default=None)
    password = fields.String(required=True)
    role = fields.String(required=True)
    unit_code = fields.String(required=True)
    valid_from = fields.Date(load_default=None)
    valid_to = fields.Date(load_default=None)
    acting_for = fields.String(load_default=None)


def _admin(within: Unit | None = None) -> User:
    user = me()
    try:
        accounts.require_role(user, {Role.ADMIN}, today(), within=within)
    except WorkflowError:
        abort(403)
    return user


def _subtree() -> list[Unit]:
    """The units the signed-in administrator manages, in tree order."""
    return accounts.units_below(db.session, me(), Role.ADMIN, today())


def _pickable() -> list[Unit]:
    """The units a role may be given at (the admin's open units)."""
    return managed_open(db.session, me(), today())


def _page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, **context), status


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units() -> ResponseReturnValue:
    _admin()
    status = 200
    if request.method == "POST":
        try:
            form = forms.load(UnitFormSchema(), request.form)
            unit = accounts.create_unit(
                db.session,
                form["code"],
                form["name"],
                form["level"],
                form["parent_code"] or None,
                form["abbreviation"],
                actor=me(),
            )
            flash(_("Đã thêm đơn vị %(code)s.", code=unit.code), "info")
            return redirect(url_for("admin.units"))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    return _page(
        "admin_units.html", status, tree=_subtree(), levels=list(Level),
        parents=possible_parents(db.session, me(), today()),
        typed=request.form if status != 200 else {},
    )  # fmt: skip


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:
    _admin()
    status = 200
    if request.method == "POST":
        try:
            form = forms.load(UserFormSchema(), request.form)
            role = {
                k: form[k] for k in ("role", "unit_code", "valid_from", "valid_to", "acting_for")
            }
            user = accounts.create_user_with_roles(
                db.session,
                form["username"],
                form["full_name"],
                form["password"],
                [role],
                email=form["email"],
                actor=me(),
            )
            flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "info")
            return redirect(url_for("admin.users"))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    return _page(
        "admin_users.html", status, people=_people(), roles=list(Role), units=_pickable(),
        typed=request.form if status != 200 else {},
    )  # fmt: skip


class PasswordResetFormSchema(forms.FormSchema):
    username = fields.String(required=True)
    password = fields.String(required=True)


@bp.route("/users/password", methods=["POST"])
@login_required
def reset_password() -> ResponseReturnValue:
    """Give a user a temporary password: their sessions and API tokens end, and they must
    choose their own password at their next login."""
    admin = _admin()
    chosen = request.form.get("username", "")
    try:
        form = forms.load(PasswordResetFormSchema(), request.form)
        accounts.reset_password(db.session, admin, form["username"], form["password"], today())
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        return _page(
            "admin_users.html", err.http_status, people=_people(), roles=list(Role),
            units=_pickable(), reset_username=chosen, typed={},
        )  # fmt: skip
    flash(
        _(
            "Đã đặt lại mật khẩu của %(name)s. Người này phải đổi mật khẩu khi đăng nhập lần tới.",
            name=form["username"],
        ),
        "info",
    )
    return redirect(url_for("admin.users"))


@bp.route("/campaigns", methods=["GET", "POST"])
@login_required
def campaign_list() -> ResponseReturnValue:
    _admin()
    status = 200
    if request.method == "POST":
        upload = request.files.get("definition")
        try:
            if upload is None or not upload.filename:
                raise InvalidInput(
                    "Chưa chọn tệp định nghĩa đợt thi đua (.yaml).", "No file chosen."
                )
            try:
                content = upload.stream.read(MAX_CAMPAIGN_FILE + 1)
            finally:
                upload.close()  # the spooled temporary file werkzeug may have made
            if len(content) > MAX_CAMPAIGN_FILE:
                raise InvalidInput("Tệp quá lớn (tối đa 512 KB).", "The file is too large.")
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(
                    "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text."
                ) from None
            source = (upload.filename or "").strip()[-100:] or "campaign.yaml"  # either language
            raw = campaigns.parse_yaml(text, source)  # bounded depth and size
            campaign = campaigns.import_definition(db.session, raw, source, me())
            flash(_("Đã nhập đợt thi đua %(code)s.", code=campaign.code), "info")
            return redirect(url_for("admin.campaign_list"))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    listed = db.session.scalars(
        select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    ).all()
    editable = {c.code for c in listed if campaigns.may_replace(db.session, me(), c, today())}
    return _page("admin_campaigns.html", status, campaigns=listed, editable=editable)


STARTER = """\
# Đợt thi đua mới: cùng cấu trúc với tệp YAML nhập vào (docs/campaigns.md).
code: ""
title: ""
year: 2027
awards: []
"""


@bp.route("/campaigns/edit", methods=["GET", "POST"])
@bp.route("/campaigns/<code>/edit", methods=["GET", "POST"])
@login_required
def campaign_editor(code: str | None = None) -> ResponseReturnValue:
    """Create or change a campaign in the browser: the same schema, checks and errors as a
    YAML file imported (a change of an existing campaign is a new version of it)."""
    _admin()
    status = 200
    if request.method == "POST":
        text = request.form.get("definition", "")
        try:
            if len(text.encode()) > MAX_CAMPAIGN_FILE:
                raise InvalidInput("Nội dung quá lớn (tối đa 512 KB).", "The text is too large.")
            raw = campaigns.parse_yaml(text, "trình soạn thảo")
            campaign = campaigns.import_definition(db.session, raw, "trình soạn thảo", me())
            flash(_("Đã lưu đợt thi đua %(code)s.", code=campaign.code), "info")
            return redirect(url_for("admin.campaign_list"))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    elif code is not None:
        try:
            definition = campaigns.export_campaign(db.session, code)
        except WorkflowError:
            abort(404)
        text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
    else:
        text = STARTER
    return _page("admin_campaign_editor.html", status, code=code, text=text)


@bp.route("/campaigns/<code>.yaml")
@login_required
def campaign_export(code: str) -> ResponseReturnValue:
    _admin()
    try:
        definition = campaigns.export_campaign(db.session, code)
    except WorkflowError:
        abort(404)
    text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
    return file_response(text, "application/yaml", code, "yaml")


def _person(username: str) -> User:
    """The account if this administrator manages it; an unknown one is "not found" alike."""
    try:
        person = accounts.user_named(db.session, username)
    except WorkflowError:
        abort(404)
    if person is None or person not in accounts.users_administered(db.session, me(), today()):
        abort(404)
    return person


def _people() -> list[dict[str, Any]]:
    return [_account(p) for p in accounts.users_administered(db.session, me(), today())]


def _account(person: User) -> dict[str, Any]:
    """An account's page as this administrator may see it: the roles held inside their
    subtrees only; an account also holding one outside is corrected and locked above them
    (``account_changes``), so its details and those forms are not shown."""
    inside = accounts.roles_administered(me(), person, today())
    return {
        "person": person,
        "assignments": inside,
        "outside": len(person.assignments) - len(inside),
    }


@bp.route("/users/<username>", methods=["GET", "POST"])
@login_required
def user_page(username: str) -> ResponseReturnValue:
    """One account: correct it, lock or unlock it, add a role or end one."""
    _admin()
    person = _person(username)
    status = 200
    if request.method == "POST":
        try:
            form = forms.load(forms.UserEditSchema(), request.form)
            account_changes.edit_user(db.session, me(), person.username, **form)
            flash(_("Đã lưu thông tin tài khoản."), "info")
            return redirect(url_for("admin.user_page", username=person.username))
        except WorkflowError as err:
            flash(err.message(current_lang()), "error")
            status = err.http_status
    return _page(
        "admin_user.html", status, **_account(person), roles=list(Role), units=_pickable(),
        typed=request.form if status != 200 else None,
    )  # fmt: skip


def _after(username: str, change: Any, done: str) -> ResponseReturnValue:
    """Run an account change and come back to its page saying what was ``done`` (the page,
    with the reason, on refusal)."""
    try:
        change()
    except WorkflowError as err:
        flash(err.message(current_lang()), "error")
        person = _person(username)
        return _page(
            "admin_user.html", err.http_status, **_account(person), roles=list(Role),
            units=_pickable(), typed=request.form,
        )  # fmt: skip
    flash(done, "info")
    return redirect(url_for("admin.user_page", username=username))


@bp.post("/users/<username>/lock")
@login_required
def lock_user(username: str) -> ResponseReturnValue:
    _admin()
    person = _person(username)
    locked = request.form.get("locked") == "1"
    return _after(
        person.username,
        lambda: account_changes.set_locked(db.session, me(), person.username, locked),
        _("Đã khóa tài khoản %(name)s: không đăng nhập được nữa.", name=person.username)
        if locked
        else _("Đã mở khóa tài khoản %(name)s.", name=person.username),
    )


@bp.post("/users/<username>/roles")
@login_required
def add_role(username: str) -> ResponseReturnValue:
    _admin()
    person = _person(username)

    def change() -> None:
        form = forms.load(forms.RoleFormSchema(), request.form)
        account_changes.add_role(db.session, me(), person.username, **form)

    return _after(person.username, change, _("Đã thêm vai trò."))


@bp.post("/roles/<id:assignment_id>/end")
@login_required
def end_role(assignment_id: int) -> ResponseReturnValue:
    _admin()
    held = db.session.get(RoleAssignment, assignment_id)
    if held is None:
        abort(404)
    person = _person(held.user.username)

    def change() -> None:
        form = forms.load(forms.EndMemberSchema(), request.form)
        account_changes.end_role(db.session, me(), assignment_id, form["valid_to"])

    return _after(person.username, change, _("Đã đặt ngày kết thúc vai trò."))

"""Administration pages: the unit tree, users with dated role assignments, campaigns."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import EXCLUDE, Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from web import forms
from web.auth import me, today
from web.downloads import file_response
from web.extensions import db
from web.i18n import current_lang
from workflow import accounts, campaigns
from workflow.errors import InvalidInput, WorkflowError
from workflow.models import Campaign, Unit, User
from workflow.vocabulary import Level, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_CAMPAIGN_FILE = 512 * 1024


class UnitFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    parent_code = fields.String(load_default=None)


class UserFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

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
            parent = (
                accounts.unit_by_code(db.session, form["parent_code"])
                if form["parent_code"]
                else None
            )
            _admin(within=parent)
            unit = accounts.create_unit(
                db.session, form["code"], form["name"], form["level"], form["parent_code"]
            )
            db.session.commit()
            flash(_("Đã thêm đơn vị %(code)s.", code=unit.code), "info")
            return redirect(url_for("admin.units"))
        except WorkflowError as err:
            db.session.rollback()
            flash(err.message(current_lang()), "error")
            status = err.http_status
    tree = db.session.scalars(select(Unit).order_by(Unit.path)).all()
    return _page("admin_units.html", status, tree=tree, levels=list(Level))


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:
    _admin()
    status = 200
    if request.method == "POST":
        try:
            form = forms.load(UserFormSchema(), request.form)
            _admin(within=accounts.unit_by_code(db.session, form["unit_code"]))
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
            )
            db.session.commit()
            flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "info")
            return redirect(url_for("admin.users"))
        except WorkflowError as err:
            db.session.rollback()
            flash(err.message(current_lang()), "error")
            status = err.http_status
    people = db.session.scalars(
        select(User).options(selectinload(User.assignments)).order_by(User.username)
    ).all()
    unit_codes = db.session.scalars(select(Unit.code).order_by(Unit.path)).all()
    return _page("admin_users.html", status, people=people, roles=list(Role), unit_codes=unit_codes)


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
                raw = yaml.safe_load(content.decode("utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError) as exc:
                raise InvalidInput(
                    f"Tệp không phải YAML UTF-8 hợp lệ: {exc}", "Not valid YAML."
                ) from None
            from web.cli import CATALOGUE

            catalogue = campaigns.load_catalogue(campaigns.read_yaml(CATALOGUE), "catalogue")
            campaign = campaigns.import_campaign(
                db.session, campaigns.validate(raw, "tệp tải lên", catalogue)
            )
            db.session.commit()
            flash(_("Đã nhập đợt thi đua %(code)s.", code=campaign.code), "info")
            return redirect(url_for("admin.campaign_list"))
        except WorkflowError as err:
            db.session.rollback()
            flash(err.message(current_lang()), "error")
            status = err.http_status
    listed = db.session.scalars(
        select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    ).all()
    return _page("admin_campaigns.html", status, campaigns=listed)


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

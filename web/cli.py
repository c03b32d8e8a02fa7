"""``flask --app wsgi …`` commands: thin wrappers that call the domain and print."""

from __future__ import annotations

import csv
import errno
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click
import yaml
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from web.config import PROJECT_ROOT
from web.extensions import db
from workflow import (
    accounts,
    anchor,
    campaigns,
    checks,
    deadlines,
    demo,
    outbox,
    verification,
)
from workflow.clock import ddmmyyyy, utcnow, vn_date
from workflow.errors import WorkflowError
from workflow.models import Campaign, Nomination
from workflow.transaction import end_reading
from workflow.workdays import calendar_gaps

audit_cli = AppGroup(
    "audit", help="Kiểm tra nhật ký xử lý (hash chain) / verify the decision trail."
)
campaign_cli = AppGroup("campaign", help="Đợt thi đua: nhập, xuất / import and export campaigns.")
rules_cli = AppGroup("rules", help="Kiểm tra điều kiện khen thưởng / eligibility checks.")
outbox_cli = AppGroup("outbox", help="Thư điện tử chờ gửi / the email outbox.")
CATALOGUE = campaigns.CATALOGUE
DEMO_CAMPAIGN = PROJECT_ROOT / "campaigns" / "demo-2025-daklak.yaml"


def _fail(err: WorkflowError) -> NoReturn:
    click.echo(f"Lỗi: {err.message_vi}\nError: {err.message_en}", err=True)
    sys.exit(2)


_WHY = {
    errno.ENOENT: ("thư mục không tồn tại", "no such folder"),
    errno.EACCES: ("không có quyền ghi", "permission denied"),
    errno.EISDIR: ("đó là một thư mục", "it is a folder"),
}


def _cannot_write(path: Path, why_vi: str, why_en: str) -> NoReturn:
    click.echo(
        f"Lỗi: không ghi được tệp {path}: {why_vi}.\nError: cannot write {path}: {why_en}.",
        err=True,
    )
    sys.exit(2)


def _write(path: Path, write: Callable[[Path], None]) -> None:
    """Write an output file, or say in both languages why it cannot be (no traceback)."""
    try:
        write(path)
    except OSError as exc:
        why = _WHY.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))
        _cannot_write(path, *why)


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--full-name", default="Quản trị hệ thống", show_default=True)
@click.option("--unit", "unit_code", default=None, help="Unit code (default: the root unit).")
def create_admin(username: str, password: str, full_name: str, unit_code: str | None) -> None:
    """Create an administrator (and the root unit TLĐ if the tree is empty)."""
    try:
        unit_code = accounts.create_admin(db.session, username, full_name, password, unit_code)
    except WorkflowError as err:
        _fail(err)
    click.echo(f"Đã tạo quản trị viên '{username}' tại đơn vị {unit_code}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo units, users and nominations in every state, dated around today (the app's
    clock: KHENTHUONG_NOW moves it); safe to run again."""
    try:
        definition = campaigns.load_file(DEMO_CAMPAIGN, CATALOGUE)
    except WorkflowError as err:
        _fail(err)
    created = demo.seed(db.session, definition)
    if created:
        today = vn_date(utcnow())
        code, due = demo.open_campaign(definition, today)
        click.echo(f"Đã nạp dữ liệu mẫu, tính theo ngày {ddmmyyyy(today)}.")
        click.echo(f"Đợt thi đua đang nhận hồ sơ: {code} (hạn nộp {ddmmyyyy(due, '—')}).")
    else:
        click.echo("Dữ liệu mẫu đã có sẵn; không thay đổi gì.")
    click.echo(f"Tài khoản mẫu (mật khẩu chung: {demo.DEMO_PASSWORD}):")
    for username, role, unit in demo.demo_logins():
        click.echo(f"  {username:<16} {role} — {unit}")


def _anchor_key() -> anchor.Ed25519PrivateKey:
    path = current_app.config.get("AUDIT_ANCHOR_KEY")
    if not path:
        click.echo(
            "Lỗi: đặt biến môi trường AUDIT_ANCHOR_KEY là đường dẫn tệp khóa ký (ngoài CSDL).\n"
            "Error: set AUDIT_ANCHOR_KEY to the path of the signing key (outside the database).",
            err=True,
        )
        sys.exit(2)
    try:
        return anchor.load_or_create_key(Path(path))
    except WorkflowError as err:
        _fail(err)


@audit_cli.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An anchor printed earlier by 'audit anchor'.",
)
def verify(as_json: bool, anchor_file: Path | None) -> None:
    """Check every link and hash; exit non-zero naming the first bad sequence number."""
    try:
        signed = anchor.read_anchor(anchor_file, _anchor_key()) if anchor_file else None
    except WorkflowError as err:
        _fail(err)
    started, _ = verification.start(db.session, None, join=False)
    report = verification.run(db.engine, started.id, anchor=signed)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    elif report.ok:
        click.echo(f"Nhật ký toàn vẹn: {report.checked} bản ghi, đầu chuỗi #{report.head_seq}.")
    else:
        click.echo(f"Nhật ký KHÔNG toàn vẹn: bản ghi hỏng đầu tiên #{report.first_bad_seq}.")
        for problem in report.problems[:20]:
            click.echo(f"  {problem}")
    sys.exit(0 if report.ok else 1)


@audit_cli.command("anchor")
def make_anchor() -> None:
    """Print the chain's head signed with the key at $AUDIT_ANCHOR_KEY (keep it elsewhere)."""
    signed = anchor.make_anchor(db.session, _anchor_key())
    end_reading(db.session)
    click.echo(json.dumps(signed, ensure_ascii=False, indent=2))


@campaign_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CATALOGUE,
    show_default=True,
    help="The award catalogue the campaign's awards refer to.",
)
def import_campaign(file: Path, catalogue: Path) -> None:
    """Validate a campaign YAML file and import it (again: updated in place)."""
    try:
        campaign = campaigns.import_definition(
            db.session, campaigns.read_yaml(file), str(file), catalogue_path=catalogue
        )
    except WorkflowError as err:
        _fail(err)
    click.echo(
        f"Đã nhập đợt thi đua {campaign.code} ({len(campaign.award_types)} hình thức khen "
        f"thưởng, phiên bản {campaign.version}, mã quy tắc {campaign.rule_set_version[:12]})."
    )


@campaign_cli.command("export")
@click.argument("code")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_campaign(code: str, output: Path | None) -> None:
    """Print (or write) a campaign's definition as YAML, the same format as import."""
    try:
        text = yaml.safe_dump(
            campaigns.export_campaign(db.session, code), allow_unicode=True, sort_keys=False
        )
    except WorkflowError as err:
        _fail(err)
    finally:
        end_reading(db.session)
    if output:
        _write(output, lambda path: path.write_text(text, encoding="utf-8"))
        click.echo(f"Đã ghi {output}.")
    else:
        click.echo(text, nl=False)


@rules_cli.command("check")
@click.option("--campaign", "code", required=True, help="Campaign code.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def check_rules(code: str, output: Path | None, fmt: str) -> None:
    """Re-check every nomination of a campaign; store the results and write a report."""
    today = vn_date(utcnow())
    path = output or Path(f"rules-check-{code}-{today.isoformat()}.{fmt}")
    if not path.resolve().parent.is_dir():  # before the work, not after it
        _cannot_write(path, *_WHY[errno.ENOENT])
    total = db.session.scalar(
        select(func.count(Nomination.id)).join(Campaign).where(Campaign.code == code)
    )
    try:
        with click.progressbar(length=total or 0, label="Đang kiểm tra", file=sys.stderr) as bar:
            rows = checks.recheck_campaign(db.session, code, today, progress=bar.update)
    except WorkflowError as err:
        _fail(err)
    _write(path, lambda target: write_report(rows, target, fmt))
    failing = sum(1 for r in rows if not r.eligible)
    click.echo(f"Đã kiểm tra {len(rows)} hồ sơ; {failing} chưa đủ điều kiện. Báo cáo: {path}")


def write_report(rows: list[checks.CheckedRow], path: Path, fmt: str) -> None:
    if fmt == "json":
        payload = [
            {"nomination": r.nomination_id, "nominee": r.nominee_name, "award": r.award,
             "state": r.state, "eligible": r.eligible, "results": [x.as_dict() for x in r.results]}
            for r in rows
        ]  # fmt: skip
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8-sig") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(["nomination", "nominee", "award", "state", "eligible", "rule", "status",
                         "severity", "message", "source"])  # fmt: skip
        for r in rows:
            for x in r.results or [None]:
                writer.writerow([
                    r.nomination_id, r.nominee_name, r.award, r.state, r.eligible,
                    *((x.rule, x.status.value, x.severity.value, x.message_vi, x.source.clause)
                      if x else ("", "", "", "", "")),
                ])  # fmt: skip


@click.command("remind")
@with_appcontext
def remind() -> None:
    """Queue deadline reminders and escalations (daily cron; running it twice is harmless)."""
    for year in calendar_gaps(vn_date(utcnow())):
        click.echo(
            f"Cảnh báo: lịch nghỉ lễ năm {year} chưa có trong workflow/holidays.yaml "
            "(xem docs/holidays.md); hạn xử lý năm đó chỉ trừ các ngày lễ cố định.",
            err=True,
        )
    report = deadlines.remind(db.session)
    click.echo(
        f"Đã xếp {report.reminders} lời nhắc, {report.escalations} báo quá hạn "
        f"({report.notifications} thông báo)."
    )


@outbox_cli.command("send")
@with_appcontext
@click.option(
    "--limit",
    default=500,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="At most this many messages.",
)
def outbox_send(limit: int) -> None:
    """Deliver the queued emails through SMTP_HOST (settings from the environment)."""
    try:
        settings = outbox.SmtpSettings.from_env()
    except outbox.MailConfigError as err:
        click.echo(str(err), err=True)
        sys.exit(2)
    report = outbox.deliver(
        db.session, outbox.smtp_transport(settings), settings.sender, limit=limit
    )
    click.echo(
        f"Đã gửi {report.sent} thư; {report.retried} thư sẽ gửi lại sau; "
        f"{report.failed} thư không gửi được. Còn chờ: {outbox.pending_count(db.session)}."
    )
    if report.failed:
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(audit_cli)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(rules_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(remind)

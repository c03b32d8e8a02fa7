"""Certificates (Bằng khen, Giấy khen, titles) of a decision: one A4 landscape page each.

Units print on pre-printed blanks whose decorations, emblem and heading differ from one
printer to the next, so each line's place and size is the unit's own setting
(:class:`Layout`); with ``preprinted`` the heading lines printed on the blank are left out.
The text of each certificate is built first (:func:`texts`), the drawing then only places it,
so a golden test reads the same words back from the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, register
from workflow.accounts import require_admin
from workflow.clock import utcnow, vn_date
from workflow.decisions import view_of
from workflow.documents import formal
from workflow.documents.decision import FORMS_OF_REWARD, QUOTES, may_take_decision
from workflow.documents.pdf import FAMILY, FONTS, PT
from workflow.documents.settings import settings_for
from workflow.errors import InvalidInput, NotFound
from workflow.models import CertificateLayout, Decision, Unit, User
from workflow.transaction import transaction


@dataclass(frozen=True)
class Place:
    """Where one line is printed: its box's top-left corner and width (mm), its size (pt)."""

    x: float
    y: float
    width: float
    size: float
    bold: bool = False
    italic: bool = False
    align: str = "center"


PAGE = (297.0, 210.0)  # A4 landscape, mm
# The lines of a certificate, in print order, with where a plain sheet puts them.
DEFAULT: dict[str, Place] = {
    "issuer": Place(20, 20, 257, 16, bold=True),
    "grant": Place(20, 40, 257, 20, bold=True),
    "heading": Place(20, 52, 257, 32, bold=True),
    "name": Place(20, 80, 257, 24, bold=True),
    "detail": Place(30, 96, 237, 15),
    "reason": Place(30, 108, 237, 15, italic=True),
    "decision": Place(20, 160, 120, 12),
    "entry": Place(20, 167, 120, 12),
    "date_place": Place(157, 140, 120, 13, italic=True),
    "capacity": Place(157, 148, 120, 13, bold=True),
    "signer_title": Place(157, 154, 120, 13, bold=True),
    "signer": Place(157, 182, 120, 14, bold=True),
}
LABELS: dict[str, tuple[str, str]] = {
    "issuer": ("Tên cơ quan ban hành", "Issuing body"),
    "grant": ("Dòng “Tặng” / “Công nhận”", "“Awards” line"),
    "heading": ("Tên hình thức khen thưởng", "Award heading"),
    "name": ("Họ tên / tên tập thể", "Name"),
    "detail": ("Chức vụ, đơn vị", "Position, unit"),
    "reason": ("Thành tích", "Achievement"),
    "decision": ("Số, ngày quyết định", "Decision number and date"),
    "entry": ("Số vào sổ", "Register entry"),
    "date_place": ("Địa danh, ngày tháng", "Place and date"),
    "capacity": ("Thẩm quyền ký (TM.)", "Signing capacity"),
    "signer_title": ("Chức vụ người ký", "Signer's title"),
    "signer": ("Họ tên người ký", "Signer's name"),
}
ON_THE_BLANK = ("issuer", "grant", "heading")  # printed on a pre-printed blank already
LIMITS = {"x": (0.0, PAGE[0]), "y": (0.0, PAGE[1]), "size": (6.0, 72.0)}


@dataclass(frozen=True)
class Layout:
    places: dict[str, Place]
    preprinted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "preprinted": self.preprinted,
            "places": {
                name: {"x": p.x, "y": p.y, "size": p.size} for name, p in self.places.items()
            },
        }


def layout_of(raw: dict[str, Any] | None) -> Layout:
    """A stored layout over the defaults (a line it does not name stays where it was)."""
    raw = raw or {}
    places = dict(DEFAULT)
    for name, values in (raw.get("places") or {}).items():
        if name in places:
            place = places[name]
            places[name] = replace(
                place,
                x=float(values.get("x", place.x)),
                y=float(values.get("y", place.y)),
                size=float(values.get("size", place.size)),
            )
    return Layout(places, bool(raw.get("preprinted")))


def unit_layout(session: Session, unit_id: int) -> Layout:
    stored = session.scalar(
        select(CertificateLayout.layout).where(CertificateLayout.unit_id == unit_id)
    )
    return layout_of(stored)


def save_layout(
    session: Session,
    actor: User,
    unit: Unit,
    values: dict[str, dict[str, float]],
    preprinted: bool,
    now: datetime | None = None,
) -> Layout:
    """Store the unit's layout; every value is checked against the page before anything is."""
    now = now or utcnow()
    with transaction(session):
        require_admin(actor, vn_date(now), unit)
        errors = {
            f"{name}.{key}": "out_of_range"
            for name, place in values.items()
            for key, value in place.items()
            if name not in DEFAULT
            or key not in LIMITS
            or not LIMITS[key][0] <= value <= LIMITS[key][1]
        }
        if errors:
            rows = dict.fromkeys(k.split(".")[0] for k in errors)  # each line once, in order
            raise InvalidInput(
                "Vị trí phải nằm trong trang A4 ngang (ngang 0–297 mm, dọc 0–210 mm), cỡ chữ "
                "từ 6 đến 72: " + ", ".join(LABELS.get(r, (r, r))[0] for r in rows) + ".",
                "Positions must lie on an A4 landscape page, sizes 6–72 pt: "
                + ", ".join(LABELS.get(r, (r, r))[1] for r in rows)
                + ".",
                errors,
            )
        layout = layout_of({"preprinted": preprinted, "places": values})
        row = session.scalar(select(CertificateLayout).where(CertificateLayout.unit_id == unit.id))
        if row is None:
            row = CertificateLayout(unit_id=unit.id, layout=layout.as_json())
            session.add(row)
        else:
            row.layout = layout.as_json()
        audit.record_change(session, "certificate_layout", actor.username, now, row)
        return layout


def _heading(award_title: str) -> tuple[str, str]:
    """('TẶNG', 'BẰNG KHEN') for a form of reward; ('CÔNG NHẬN DANH HIỆU', '"…"') for a title."""
    for form in FORMS_OF_REWARD:
        if award_title.startswith(form):
            return "TẶNG", form.upper()
    named = award_title.removeprefix("Danh hiệu ")
    quoted = named if named.startswith(QUOTES) else f"“{named}”"
    return "CÔNG NHẬN DANH HIỆU", quoted.upper()


def _addressed(name: str, kind: str, gender: Any) -> str:
    if kind != "individual":
        return name
    return {"male": f"Ông {name}", "female": f"Bà {name}"}.get(str(gender), name)


def texts(session: Session, decision: Decision) -> list[dict[str, str]]:
    """Each certificate's lines, by the names of :data:`DEFAULT`."""
    lines = [line for line in view_of(decision).lines if not line.revoked]
    if not lines:
        raise InvalidInput(
            f"Mọi khen thưởng của Quyết định số {decision.number} đã bị hủy bỏ: không in bằng.",
            f"Every award of decision {decision.number} was revoked: nothing to print.",
            {"decision": "all_revoked"},
        )
    entries = register.entry_numbers(session, decision.id)
    by_id = {n.id: n for n in decision.nominations}
    campaign = by_id[lines[0].nomination_id].campaign
    settings = settings_for(campaign)
    issuer = formal.issuer_of(decision.unit, settings.place, decision.signed_on)
    out = []
    for line in lines:
        n = by_id[line.nomination_id]
        grant, heading = _heading(line.award_title)
        detail = ", ".join(part for part in (line.position, line.unit_name) if part)
        out.append(
            {
                "issuer": issuer.name.upper(),
                "grant": grant,
                "heading": heading,
                "name": _addressed(line.nominee_name, line.nominee_kind, n.facts.get("gender")),
                "detail": detail if line.nominee_kind == "individual" else line.unit_name,
                "reason": f"Đã có thành tích xuất sắc trong {n.campaign.title}",
                "decision": f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y}",
                "entry": f"Số vào sổ: {entries.get(n.id, '')}",
                "date_place": f"{issuer.place}, {_day(decision.signed_on)}",
                "capacity": settings.signer_capacity or f"TM. {issuer.signing_body}",
                "signer_title": settings.signer_title,
                "signer": decision.signer.full_name,
            }
        )
    return out


def _day(day: date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def render(pages: list[dict[str, str]], layout: Layout, title: str) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    for style, name in {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}.items():
        pdf.add_font(FAMILY, style, str(FONTS / f"LiberationSerif-{name}.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_lang("vi-VN")
    pdf.set_creator("Khen thưởng Công đoàn")
    skipped = ON_THE_BLANK if layout.preprinted else ()
    for page in pages:
        pdf.add_page()
        for name, place in layout.places.items():
            if name in skipped or not page.get(name):
                continue
            style = ("B" if place.bold else "") + ("I" if place.italic else "")
            pdf.set_font(FAMILY, style, place.size)
            pdf.set_xy(place.x, place.y)
            pdf.multi_cell(
                place.width, place.size * PT * 1.3, page[name], align=Align.coerce(place.align)
            )
    return bytes(pdf.output())


def certificates_pdf(
    session: Session, actor: User, decision_id: int, day: date
) -> tuple[bytes, str, str]:
    """The decision's certificates as one PDF: (content, readable name, ASCII stem)."""
    decision = session.get(Decision, decision_id)
    if decision is None or not may_take_decision(actor, decision, day):
        raise NotFound(
            f"Không có quyết định số {decision_id}.", f"Decision {decision_id} not found."
        )
    title = f"Bằng khen, giấy khen theo Quyết định số {decision.number}"
    content = render(texts(session, decision), unit_layout(session, decision.unit_id), title)
    stem = formal.ascii_stem("CHUNG-NHAN", f"{decision.serial:02d}", str(decision.year))
    return content, title, stem

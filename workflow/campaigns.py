"""Campaign definitions: read and validate YAML, import into the database, export again."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from rules import RULES
from rules.params import version_data
from workflow.audit import canonical_json
from workflow.campaign_schema import (
    REQUIRED_AWARD_FIELDS,
    CampaignSchema,
    CatalogueSchema,
    flatten_errors,
    parse_ratio,
)
from workflow.errors import InvalidInput, NotFound
from workflow.models import AwardType, Campaign


def _invalid(source: str, problems: list[str]) -> InvalidInput:
    listing = "\n".join(f"  - {p}" for p in problems)
    return InvalidInput(
        f"Định nghĩa đợt thi đua không hợp lệ ({source}):\n{listing}",
        f"Invalid campaign definition ({source}):\n{listing}",
        {"source": source, "errors": problems},
    )


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _invalid(str(path), [f"không đọc được tệp: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise _invalid(str(path), [f"YAML sai cú pháp: {exc}"]) from None


def load_catalogue(raw: Any, source: str) -> dict[str, dict[str, Any]]:
    try:
        data = CatalogueSchema().load(raw if isinstance(raw, dict) else {"awards": raw})
    except ValidationError as err:
        raise _invalid(source, flatten_errors(err.messages)) from None
    return {award["code"]: award for award in data["awards"]}


def validate(raw: Any, source: str, catalogue: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The campaign as validated data, each award completed from the catalogue."""
    if not isinstance(raw, dict):
        raise _invalid(source, ["(gốc): cần một bảng khóa-giá trị (mapping)"])
    try:
        data: dict[str, Any] = CampaignSchema().load(raw)
    except ValidationError as err:
        raise _invalid(source, flatten_errors(err.messages)) from None
    problems = []
    for index, award in enumerate(data["awards"]):
        base = catalogue.get(award["catalogue"] or award["code"], {}) if catalogue else {}
        if award["catalogue"] and catalogue and not base:
            problems.append(
                f"awards.{index}.catalogue: không có '{award['catalogue']}' trong danh mục"
            )
            continue
        merged = {**base, **{k: v for k, v in award.items() if v is not None}}
        merged["code"] = award["code"]
        missing = [f for f in REQUIRED_AWARD_FIELDS if merged.get(f) is None]
        problems += [f"awards.{index}.{f}: bắt buộc (không có trong danh mục)" for f in missing]
        data["awards"][index] = merged
    if problems:
        raise _invalid(source, problems)
    return data


def load_file(path: Path, catalogue_path: Path | None) -> dict[str, Any]:
    catalogue = (
        load_catalogue(read_yaml(catalogue_path), str(catalogue_path)) if catalogue_path else {}
    )
    return validate(read_yaml(path), str(path), catalogue)


def rule_set_version(definition: dict[str, Any]) -> str:
    """A hash of the definition, the dated parameters and the rule ids in this build."""
    payload = {"definition": definition, "params": version_data(), "rules": sorted(RULES)}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def import_campaign(session: Session, data: dict[str, Any]) -> Campaign:
    """Create the campaign or update it in place (same code): importing twice changes nothing."""
    stored = CampaignSchema().dump(data)
    stored["awards"] = [_award_json(a) for a in data["awards"]]
    campaign = session.scalar(select(Campaign).where(Campaign.code == data["code"]))
    if campaign is None:
        campaign = Campaign(code=data["code"])
        session.add(campaign)
    campaign.title = data["title"]
    campaign.year = data["year"]
    campaign.reference_date = data["reference_date"]
    campaign.issuer_code = data["issuer"]["code"]
    campaign.parent_code = data["parent"]
    campaign.definition = stored
    campaign.rule_set_version = rule_set_version(stored)
    existing = {a.code: a for a in campaign.award_types}
    for award in data["awards"]:
        row = existing.get(award["code"])
        if row is None:
            row = AwardType(code=award["code"])
            campaign.award_types.append(row)
        _apply_award(row, award)
    session.flush()
    return campaign


def _award_json(award: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (str(v) if k == "bonus_coefficient" and v is not None else v)
        for k, v in award.items()
        if v is not None
    } | {"deadlines": _dates(award.get("deadlines"))}


def _dates(deadlines: dict[str, Any] | None) -> dict[str, Any] | None:
    if not deadlines:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in deadlines.items()}


def _apply_award(row: AwardType, award: dict[str, Any]) -> None:
    num, den = parse_ratio(award["vote"]["ratio"])
    decider = award["decider"]
    row.title = award["title"]
    row.nominee_kind = award["nominee_kind"]
    row.category = award["category"]
    row.decider_level = decider.get("level") or row.decider_level or "ldld_tinh"
    row.decider_unit_code = decider.get("unit")
    row.vote_ratio_num, row.vote_ratio_den = num, den
    row.vote_base = award["vote"]["base"]
    row.secret_ballot = award["vote"]["secret"]
    row.notice_days = award["notice_days"]
    row.rules = [dict(spec) for spec in award["rules"]]
    row.quota_per_unit = (award.get("quota") or {}).get("per_unit")
    deadlines = award.get("deadlines") or {}
    row.submit_by = deadlines.get("submit_by")
    row.days_per_tier = deadlines.get("days_per_tier")
    coefficient = award.get("bonus_coefficient")
    row.bonus_coefficient = None if coefficient is None else str(coefficient)


def campaign_by_code(session: Session, code: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"Không có đợt thi đua '{code}'.", f"No campaign '{code}'.")
    return campaign


def offering_awards(session: Session) -> list[Campaign]:
    """Campaigns with at least one award, newest year first (what lists and imports offer)."""
    return list(
        session.scalars(
            select(Campaign)
            .where(Campaign.award_types.any())
            .order_by(Campaign.year.desc(), Campaign.code)
        )
    )


def export_campaign(session: Session, code: str) -> dict[str, Any]:
    campaign = campaign_by_code(session, code)
    if campaign.definition is None:
        raise NotFound(f"Không có đợt thi đua '{code}'.", f"No campaign '{code}'.")
    return dict(campaign.definition)

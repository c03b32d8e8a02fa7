"""Campaign definitions: read and validate YAML, import into the database, export again."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from rules import RULES
from rules.params import version_data
from workflow import audit
from workflow.accounts import active_assignments, who
from workflow.campaign_schema import (
    REQUIRED_AWARD_FIELDS,
    CampaignSchema,
    CatalogueSchema,
    flatten_errors,
    parse_ratio,
)
from workflow.canonical import canonical_json
from workflow.clock import campaign_year, utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.folding import fold
from workflow.inputs import MAX_DEPTH, depth, first_refused, shown
from workflow.models import AwardType, Campaign, Registration, Unit, User
from workflow.transaction import transaction
from workflow.vocabulary import Role


def _invalid(source: str, messages: dict[str, Any] | list[str]) -> InvalidInput:
    """``messages``: marshmallow's (read in each language) or our own lines."""
    problems = flatten_errors(messages) if isinstance(messages, dict) else messages
    vi, en = (
        "\n".join(f"  - {p}" for p in (flatten_errors(messages, lang=lang)
                                         if isinstance(messages, dict) else messages))
        for lang in ("vi", "en")
    )  # fmt: skip
    return InvalidInput(
        f"Định nghĩa đợt thi đua không hợp lệ ({source}):\n{vi}",
        f"Invalid campaign definition ({source}):\n{en}",
        {"source": source, "errors": problems},
    )


MAX_YAML_CHARS = 512 * 1024
"""Longest campaign file accepted (the shipped ones are under 10 KB)."""
MAX_YAML_NODES = 100_000
"""Most values a file may expand to, aliases counted each time they are used."""


class _Refused(yaml.YAMLError):
    """What the loader refuses in a file (too big, too deep, a date that does not exist),
    said in both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


class _BoundedLoader(yaml.SafeLoader):
    """``safe_load`` that refuses, while composing, nesting deeper than ``MAX_DEPTH`` and
    more than ``MAX_YAML_NODES`` values: PyYAML composes recursively (a 50k-deep file is a
    ``RecursionError``) and aliases can expand a small file into billions of values that
    validation would then walk."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> how many values it expands to

    def _count(self, nodes: int) -> None:
        self._nodes += nodes
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(
                f"tệp có quá nhiều giá trị (tối đa {MAX_YAML_NODES}, kể cả bí danh).",
                f"the file has too many values (at most {MAX_YAML_NODES}, aliases included).",
            )

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
            node = self.anchors.get(event.anchor)
            if node is not None:  # an unknown alias is PyYAML's own error
                if id(node) not in self._sizes:
                    raise _Refused(
                        "bí danh trỏ vào chính giá trị chứa nó.", "an alias refers to itself."
                    )
                self._count(self._sizes[id(node)])
            return super().compose_node(parent, index)
        collection = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        self._depth += collection
        if self._depth > MAX_DEPTH:
            raise _Refused(
                f"các giá trị lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).",
                f"values are nested too deeply (at most {MAX_DEPTH} levels).",
            )
        before = self._nodes
        self._count(1)
        node = super().compose_node(parent, index)
        self._depth -= collection
        if node is not None:
            self._sizes[id(node)] = self._nodes - before
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date that does not exist (31/02, month 13) is the file's error, with its place."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            vi, en = f"ngày {node.value} không có thật", f"the date {node.value} does not exist"
            raise _refused_at(node, vi, en) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        """A number too long for Python to read (over 4,300 digits) is the file's error."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _refused_at(node, "số quá dài", "a number is too long") from None

    def construct_yaml_binary(self, node: yaml.ScalarNode) -> Any:
        """Bytes (``!!binary``) are no text: decoded later they would carry any character."""
        vi, en = "giá trị nhị phân (!!binary) không được dùng", "binary values (!!binary)"
        raise _refused_at(node, vi, f"{en} are not allowed")


def _refused_at(node: yaml.Node, vi: str, en: str) -> _Refused:
    """A value the file holds refused, with the line it is on."""
    line = node.start_mark.line + 1
    return _Refused(f"{vi} (dòng {line}).", f"{en} (line {line}).")


_BoundedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _BoundedLoader.construct_yaml_timestamp
)
_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)
_BoundedLoader.add_constructor("tag:yaml.org,2002:binary", _BoundedLoader.construct_yaml_binary)


def parse_yaml(text: str, source: str) -> Any:
    """A campaign file's YAML, bounded in length, nesting and expanded size (the admin page,
    the API's callers and the CLI all come through here)."""
    try:
        if len(text) > MAX_YAML_CHARS:
            raise _Refused(
                f"tệp quá lớn (tối đa {MAX_YAML_CHARS // 1024} KB).",
                f"the file is too large (at most {MAX_YAML_CHARS // 1024} KB).",
            )
        loader = _BoundedLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as exc:
        raise InvalidInput(
            f"Định nghĩa đợt thi đua không hợp lệ ({source}): {exc.message_vi}",
            f"Invalid campaign definition ({source}): {exc.message_en}",
            {"source": source, "errors": [exc.message_vi]},
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where_vi = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        where_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(  # the parser speaks English: the Vietnamese says where to look
            f"Định nghĩa đợt thi đua không hợp lệ ({source}): YAML sai cú pháp{where_vi} (xem "
            "lại dấu hai chấm, thụt lề và dấu ngoặc kép quanh chỗ đó).",
            f"Invalid campaign definition ({source}): YAML syntax error{where_en}: "
            f"{getattr(exc, 'problem', None) or exc}.",
            {"source": source, "errors": ["yaml_syntax"]},
        ) from None


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as file:  # no more than the limit: /dev/zero ends
            text = file.read(MAX_YAML_CHARS + 1)
    except OSError as exc:
        raise _invalid(str(path), [f"không đọc được tệp: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise _invalid(str(path), ["tệp không phải văn bản UTF-8"]) from None
    return parse_yaml(text, str(path))


def _check_text(raw: Any, source: str) -> None:
    """Refuse, naming the field, what no store should keep: deep nesting, control characters
    (TAB/LF/CR allowed in ``notes``), which YAML escapes such as ``"\\0"`` can produce."""
    if depth(raw) > MAX_DEPTH:
        raise InvalidInput(
            f"Định nghĩa đợt thi đua không hợp lệ ({source}): lồng nhau quá sâu"
            f" (tối đa {MAX_DEPTH} cấp).",
            f"Invalid campaign definition ({source}): nested too deeply"
            f" (at most {MAX_DEPTH} levels).",
            {"source": source, "errors": [f"(gốc): lồng quá {MAX_DEPTH} cấp"]},
        )
    refused = first_refused(raw)
    if refused:
        field, char = shown(refused[0]), refused[1]
        raise InvalidInput(
            f"Định nghĩa đợt thi đua không hợp lệ ({source}): trường «{field}» chứa ký tự"
            f" điều khiển {char}, không được phép.",
            f"Invalid campaign definition ({source}): field '{field}' contains the control"
            f" character {char}, which is not allowed.",
            {"source": source, "errors": [f"{field}: ký tự điều khiển {char}"], "field": field},
        )


def load_catalogue(raw: Any, source: str) -> dict[str, dict[str, Any]]:
    try:
        data = CatalogueSchema().load(raw if isinstance(raw, dict) else {"awards": raw})
    except ValidationError as err:
        raise _invalid(source, err.messages) from None
    return {award["code"]: award for award in data["awards"]}


def validate(raw: Any, source: str, catalogue: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The campaign as validated data, each award completed from the catalogue."""
    if not isinstance(raw, dict):
        raise _invalid(source, ["(gốc): cần một bảng khóa-giá trị (mapping)"])
    _check_text(raw, source)
    try:
        data: dict[str, Any] = CampaignSchema().load(raw)
    except ValidationError as err:
        raise _invalid(source, err.messages) from None
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
        rules = merged.get("rules")
        if merged.get("quota") and rules is not None and all(r["rule"] != "R-QUOTA" for r in rules):
            # A declared quota is always enforced, whether or not the award lists its rule.
            merged["rules"] = [*rules, {"rule": "R-QUOTA", "severity": "blocking", "params": {}}]
        missing = [f for f in REQUIRED_AWARD_FIELDS if merged.get(f) is None]
        problems += [f"awards.{index}.{f}: bắt buộc (không có trong danh mục)" for f in missing]
        data["awards"][index] = merged
    if problems:
        raise _invalid(source, problems)
    return data


CATALOGUE = Path(__file__).resolve().parent.parent / "campaigns" / "catalogue.yaml"


def import_definition(
    session: Session,
    raw: Any,
    source: str,
    actor: User | None = None,
    catalogue_path: Path = CATALOGUE,
) -> Campaign:
    """Validate a definition however it arrived (a file, an upload, an API body) against the
    catalogue and import it (one transaction)."""
    catalogue = load_catalogue(read_yaml(catalogue_path), str(catalogue_path))
    return import_campaign(session, validate(raw, source, catalogue), actor)


def load_file(path: Path, catalogue_path: Path | None) -> dict[str, Any]:
    catalogue = (
        load_catalogue(read_yaml(catalogue_path), str(catalogue_path)) if catalogue_path else {}
    )
    return validate(read_yaml(path), str(path), catalogue)


def rule_set_version(definition: dict[str, Any]) -> str:
    """A hash of the definition, the dated parameters and the rules' dated clauses in this
    build: a clause added or re-dated changes what the rules answer, so the version moves."""
    rules = {rule_id: [c.as_dict() for c in r.clauses] for rule_id, r in sorted(RULES.items())}
    payload = {"definition": definition, "params": version_data(), "rules": rules}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def import_campaign(
    session: Session,
    data: dict[str, Any],
    actor: User | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Create the campaign, or add a version when the definition changed (same code);
    importing the same definition again changes nothing.

    A new version gets award rows of its own: nominations already in flight keep the award
    (rules, vote ratio, quota) they were checked against. ``actor`` is the administrator
    importing it (None: the server's own commands), who must administer the issuing unit —
    the campaign's current one too, when it is replaced.
    """
    with transaction(session):
        return _import(session, data, actor, now or utcnow())


def _import(session: Session, data: dict[str, Any], actor: User | None, now: datetime) -> Campaign:
    stored = CampaignSchema().dump(data)
    stored["awards"] = [_award_json(a) for a in data["awards"]]
    version_hash = rule_set_version(stored)
    campaign = session.scalar(select(Campaign).where(Campaign.code == data["code"]))
    if actor is not None:
        _require_issuer_admin(session, actor, data["issuer"]["code"], vn_date(now))
        if campaign is not None:  # one with no issuer reaches every unit: root admins only
            _require_issuer_admin(session, actor, campaign.issuer_code, vn_date(now))
        _require_deciders_admin(session, actor, data, vn_date(now))
    if campaign is not None and campaign.rule_set_version == version_hash:
        return campaign
    due_before = None
    if campaign is None:
        campaign = Campaign(code=data["code"], version=1)
        session.add(campaign)
    else:
        campaign.version += 1
        due_before = registration_by(campaign)
    campaign.title = data["title"]
    campaign.year = data["year"]
    campaign.reference_date = data["reference_date"]
    campaign.issuer_code = data["issuer"]["code"]
    campaign.parent_code = data["parent"]
    campaign.definition = stored
    campaign.rule_set_version = version_hash
    for award in data["awards"]:
        row = AwardType(
            code=award["code"], campaign_version=campaign.version, rule_set_version=version_hash
        )
        _apply_award(row, award)
        campaign.all_award_types.append(row)
    session.flush()
    session.expire(campaign, ["award_types"])
    audit.record_change(session, "campaign_version", who(actor), now, campaign)
    if due_before is not None and registration_by(campaign) != due_before:
        _remark_registrations(session, campaign, actor, now)
    return campaign


def registration_by(campaign: Campaign) -> date:
    """The day registrations are due: the campaign's own, else 25 January of its year."""
    raw = (campaign.definition or {}).get("registration_by")
    return date.fromisoformat(str(raw)) if raw else date(campaign.year, 1, 25)


def _remark_registrations(
    session: Session, campaign: Campaign, actor: User | None, now: datetime
) -> None:
    """A plan whose registration date moved (extended, most often): each registration is
    late or in time against the date as it now stands, and the trail vouches for each one
    whose mark changed. A proposal made from the registry reads the mark when it is made."""
    due = registration_by(campaign)
    moved = list(
        session.scalars(
            select(Registration).where(
                Registration.campaign_id == campaign.id,
                or_(
                    Registration.late.is_(False) & (Registration.registered_on > due),
                    Registration.late.is_(True) & (Registration.registered_on <= due),
                ),
            )
        )
    )
    for row in moved:
        row.late = row.registered_on > due
    if moved:
        audit.record_change(session, "registrations_remarked", who(actor), now, *moved)


def may_replace(session: Session, actor: User, campaign: Campaign, day: date) -> bool:
    """Whether ``actor`` may edit the campaign (its page offers "Sửa" to them only)."""
    try:
        _require_issuer_admin(session, actor, campaign.issuer_code, day)
    except NotAllowed:
        return False
    return True


def _require_issuer_admin(
    session: Session, actor: User, issuer_code: str | None, day: date
) -> None:
    """Only an administrator of the issuing unit or above may (re)define its campaign; an
    issuer that is not a unit here, or none, needs an administrator of a root unit."""
    issuer = None
    if issuer_code:
        issuer = session.scalar(select(Unit).where(Unit.code == issuer_code))
    for a in active_assignments(actor, day):
        if a.role != Role.ADMIN:
            continue
        if issuer is not None and issuer.path.startswith(a.unit.path):
            return
        if issuer is None and a.unit.parent_id is None:
            return
    named = f" ({issuer.name if issuer else issuer_code})" if issuer_code else ""
    raise NotAllowed(
        f"Chỉ quản trị viên của đơn vị ban hành{named} hoặc cấp trên mới được nhập hay thay "
        "thế đợt thi đua này.",
        f"Only an administrator of the issuing unit{named} or above may import or replace "
        "this campaign.",
        {"required_role": Role.ADMIN.value, "issuer": issuer_code},
    )


def _require_deciders_admin(session: Session, actor: User, data: dict[str, Any], day: date) -> None:
    """An award decided above the issuer (the Tổng Liên đoàn's Bằng khen in a province's
    plan) carries the deciding unit's criteria and money. The plan may list it as the
    catalogue defines it (stricter if it likes: more rules, a quota, a higher vote ratio);
    loosening it (a criterion left out or softened, a lower ratio, another bonus) is for an
    administrator of the deciding unit or above, or a district could publish the province's
    Bằng khen with no criteria and any bonus. An issuer that is not a unit here needs a root
    administrator, who is above every unit already."""
    issuer = session.scalar(select(Unit).where(Unit.code == data["issuer"]["code"]))
    if issuer is None:
        return
    line = {
        u.level: u for u in session.scalars(select(Unit).where(Unit.id.in_(issuer.ancestor_ids)))
    }
    administered = [a.unit.path for a in active_assignments(actor, day) if a.role == Role.ADMIN]
    catalogue: dict[str, dict[str, Any]] | None = None
    for award in data["awards"]:
        decider = award["decider"] or {}
        if decider.get("unit"):
            deciding = session.scalar(select(Unit).where(Unit.code == decider["unit"]))
        else:
            deciding = line.get(decider.get("level") or "ldld_tinh")
        if deciding is None or deciding.path.startswith(issuer.path):
            continue  # decided within the issuer's own units (or nowhere: refused at submit)
        if any(deciding.path.startswith(path) for path in administered):
            continue
        if catalogue is None:
            catalogue = load_catalogue(read_yaml(CATALOGUE), str(CATALOGUE))
        loosened = _loosened(award, catalogue.get(award.get("catalogue") or award["code"]))
        if loosened:
            raise NotAllowed(
                f"«{award['title']}» do {deciding.name} quyết định: {loosened[0]} không được nới "
                f"lỏng so với danh mục (chỉ quản trị viên của {deciding.name} hoặc cấp trên mới "
                "được thay đổi).",
                f"«{award['title']}» is decided by {deciding.name}: {loosened[1]} may not be "
                "looser than the catalogue's (only an administrator of that unit or above may "
                "change them).",
                {"required_role": Role.ADMIN.value, "decider": deciding.code},
            )


def _loosened(award: dict[str, Any], base: dict[str, Any] | None) -> tuple[str, str] | None:
    """What of the catalogue's award ``award`` makes easier to win or pays differently
    (vi, en), or None when it keeps all of it."""
    if base is None:
        return "hình thức (không có trong danh mục)", "the award (not in the catalogue)"

    def specs(rules: list[dict[str, Any]] | None) -> set[str]:
        return {canonical_json({"rule": r["rule"], "severity": r.get("severity", "blocking"),
                                "params": r.get("params") or {}}) for r in rules or ()}  # fmt: skip

    if not specs(base.get("rules")) <= specs(award.get("rules")):
        return "tiêu chuẩn (các quy tắc xét)", "its criteria (rules)"
    (num, den), (base_num, base_den) = (
        parse_ratio(v["ratio"]) for v in (award["vote"], base["vote"])
    )
    if num * base_den < base_num * den:
        return "tỷ lệ biểu quyết", "the vote ratio"
    coefficients = (award.get("bonus_coefficient"), base.get("bonus_coefficient"))
    if len({None if c is None else Decimal(str(c)) for c in coefficients}) > 1:
        return "hệ số tiền thưởng", "the bonus coefficient"
    return None


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
    quota = award.get("quota") or {}
    row.quota_per_unit = quota.get("per_unit")
    row.quota_level = quota.get("level")
    row.quota_nationwide = quota.get("nationwide")
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


def reaching(units: Sequence[Unit]) -> ColumnElement[bool]:
    """The campaigns whose plan reaches one of ``units``: those its issuer or a unit above
    it launched. A plan is launched for the issuer's own units (one province's plan is not
    another's); one whose issuer is not a unit here (the Tổng Liên đoàn's, imported by an
    administrator of a root unit) and one without an issuer reach every unit."""
    above = {unit_id for unit in units for unit_id in unit.ancestor_ids}
    return or_(
        Campaign.issuer_code.is_(None),
        ~exists().where(Unit.code == Campaign.issuer_code),
        exists().where(Unit.code == Campaign.issuer_code, Unit.id.in_(above)),
    )


def require_reach(session: Session, campaign: Campaign, unit: Unit) -> None:
    """Refuse a proposal or a registration of ``unit`` in a campaign not launched for it."""
    if session.scalar(select(Campaign.id).where(Campaign.id == campaign.id, reaching([unit]))):
        return
    issuer = session.scalar(select(Unit.name).where(Unit.code == campaign.issuer_code))
    raise InvalidInput(
        f"Đợt thi đua «{campaign.title}» do {issuer} phát động, không áp dụng cho {unit.name}.",
        f"The campaign «{campaign.title}» was launched by {issuer}; it does not cover {unit.name}.",
        {"campaign": "not_for_unit"},
    )


def offered_awards(
    session: Session, today: date, units: Sequence[Unit]
) -> list[tuple[Campaign, AwardType]]:
    """Every award new nominations may be made for by one of ``units`` (each campaign's
    current version, of a plan reaching them) and whose filing deadline has not passed (a
    nomination made after it could never be sent): the year taking dossiers today first (in
    January, last year's year-end awards, not the new year's just imported), then the
    others, newest year first."""
    rows = session.execute(
        select(Campaign, AwardType)
        .join(AwardType, AwardType.campaign_id == Campaign.id)
        .where(
            AwardType.campaign_version == Campaign.version,
            or_(AwardType.submit_by.is_(None), AwardType.submit_by >= today),
            reaching(units),
        )
        .order_by(Campaign.year.desc(), AwardType.title)
    ).all()
    running = campaign_year(today)
    # Titles in the order a reader looks for them ("Bằng khen" before "Bằng Lao động sáng
    # tạo"; the database sorts capitals first), as every other list of awards has them.
    return sorted(
        ((c, a) for c, a in rows),
        key=lambda row: (row[0].year != running, -row[0].year, fold(row[1].title)),
    )


def known_titles(session: Session, kind: str | None = None) -> list[tuple[str, str]]:
    """Every award code a campaign has offered (for ``kind`` of nominee, if given), with its
    latest year's title, by code: what a title already held may name (one of an earlier
    year's campaign counts as well), offered to whoever types one so that it is a code the
    rules recognise."""
    query = (
        select(AwardType.code, AwardType.title)
        .join(Campaign, Campaign.id == AwardType.campaign_id)
        .order_by(Campaign.year, AwardType.id)
    )
    if kind is not None:
        query = query.where(AwardType.nominee_kind == kind)
    titles = {code: title for code, title in session.execute(query)}
    return sorted(titles.items(), key=lambda item: (fold(item[1]), item[0]))


def title_code(session: Session, typed: str) -> str:
    """The code of a title held as someone typed it: a known code in any capitals, or a
    known title's name, is that code (the rules count titles by code); anything else, a
    title no campaign here offered, is kept as typed."""
    return code_among(known_titles(session), typed)


def coded_titles(facts: dict[str, Any], titles: list[tuple[str, str]]) -> dict[str, Any]:
    """The titles held, each by its code: the form suggests them by name, and the rules count
    them by code (one not offered here is kept as typed)."""
    held = facts.get("prior_titles")
    if not held:
        return facts
    coded = [row | {"award_type": code_among(titles, row["award_type"])} for row in held]
    return facts | {"prior_titles": coded}


def code_among(titles: Iterable[tuple[str, str]], typed: str) -> str:
    """:func:`title_code` among ``titles`` ((code, title) pairs: one campaign's awards)."""
    wanted = " ".join(unicodedata.normalize("NFC", typed).casefold().split())
    for code, title in titles:
        if wanted in (code.casefold(), " ".join(title.casefold().split())):
            return code
    return typed


def open_campaigns(session: Session, today: date, units: Sequence[Unit]) -> list[Campaign]:
    """The campaigns with an award :func:`offered_awards` offers ``units`` today, in its
    order: where a list of nominations may still be imported."""
    return list(dict.fromkeys(c for c, _ in offered_awards(session, today, units)))


def unplanned_year(offered: Sequence[Campaign], today: date) -> int | None:
    """This calendar year when none of ``offered`` is of it: in January members register
    for a plan that may not be imported yet, and the page says so."""
    return None if any(c.year == today.year for c in offered) else today.year


def offering_awards(
    session: Session, units: Sequence[Unit] | None = None, year: int | None = None
) -> list[Campaign]:
    """Campaigns with at least one award, newest year first (what lists and imports offer);
    those reaching one of ``units`` only, when given (what an officer may propose in); of
    ``year`` only, when given (what a year's dashboard lists)."""
    query = select(Campaign).where(Campaign.award_types.any())
    if units is not None:
        query = query.where(reaching(units))
    if year is not None:
        query = query.where(Campaign.year == year)
    return list(session.scalars(query.order_by(Campaign.year.desc(), Campaign.code)))


def export_campaign(session: Session, code: str) -> dict[str, Any]:
    campaign = campaign_by_code(session, code)
    if campaign.definition is None:
        raise NotFound(f"Không có đợt thi đua '{code}'.", f"No campaign '{code}'.")
    return dict(campaign.definition)

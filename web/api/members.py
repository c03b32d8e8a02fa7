"""API operations on the registry: members and collectives, a year's evaluation, the
campaign's registrations, the titles each member qualifies for, and proposals from them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from web.api import schemas as s
from web.api.auth import SECURITY, actor, token_required
from web.api.blueprint import blp, documented, today
from web.extensions import db
from workflow import campaigns, emulation_year, members
from workflow.errors import InvalidInput
from workflow.models import Member


def member_json(member: Member) -> dict[str, Any]:
    return {
        "id": member.id,
        "code": member.code,
        "kind": member.kind,
        "full_name": member.full_name,
        "birth_date": member.birth_date,
        "gender": member.gender,
        "position": member.position,
        "cccd": members.cccd_shown(actor(), member, today()),
        "memberships": [
            {"unit": m.unit.code, "valid_from": m.valid_from, "valid_to": m.valid_to}
            for m in member.memberships
        ],
    }


@blp.route("/members")
class Members(MethodView):
    decorators = (token_required,)

    @blp.arguments(s.MemberArgsSchema, location="query")
    @blp.response(200, s.MemberSchema(many=True))
    @documented(400, 401, 422)
    @blp.doc(security=SECURITY)
    def get(self, args: dict[str, Any]) -> Any:
        """The members the caller may see (at most 500); the export is recorded in the trail."""
        found = members.exported(db.session, actor(), today(), args["q"], limit=500)
        return [member_json(m) for m in found]

    @blp.arguments(s.MemberInSchema)
    @blp.response(201, s.MemberSchema)
    @documented(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, body: dict[str, Any]) -> Any:
        unit, joined_on, namesake_ok = (
            body.pop("unit"),
            body.pop("joined_on"),
            body.pop("namesake_ok"),
        )
        member = members.add_member(
            db.session, actor(), unit, members.NewMember(**body), joined_on, namesake_ok=namesake_ok
        )
        return member_json(members.visible(db.session, actor(), member.id, today()))


@blp.route("/members/<id:member_id>")
@blp.response(200, s.MemberRecordSchema)
@documented(401, 404)
@blp.doc(security=SECURITY)
@token_required
def get_member(member_id: int) -> Any:
    """One record: units, the evaluations the caller may read, every title; the export is
    recorded in the trail."""
    member = members.visible(db.session, actor(), member_id, today())
    years = members.years_of(db.session, actor(), member, today())
    record = member_json(member) | {
        "years": [
            {"year": y.year, "rating": y.rating, "absent_days": y.absent_days,
             "months_employed": y.months_employed, "discipline": y.discipline,
             "initiatives": y.initiatives}
            for y in years
        ],
        "titles": [
            {"year": t.year, "award_title": t.award_title, "decision": t.decision_number,
             "signed_on": t.signed_on, "declared": t.declared, "revoked": t.revoked}
            for t in members.titles(db.session, member)
        ],
    }  # fmt: skip
    members.note_export(db.session, actor(), f"member:{member.code}", 1, "")
    return record


@blp.route("/members/<id:member_id>/years/<int:year>", methods=["PUT"])
@blp.arguments(s.YearInSchema)
@blp.response(200, s.YearSchema)
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def put_year(body: dict[str, Any], member_id: int, year: int) -> Any:
    """The year's evaluation by the member's unit (the values given replace those held)."""
    if not 1975 <= year <= today().year + 1:
        raise InvalidInput("Năm không hợp lệ.", "Invalid year.", {"year": "out_of_range"})
    row = members.record_year(db.session, actor(), member_id, year, body)
    return {"year": row.year, "rating": row.rating, "absent_days": row.absent_days,
            "months_employed": row.months_employed, "discipline": row.discipline,
            "initiatives": row.initiatives}  # fmt: skip


@blp.route("/campaigns/<string:code>/registrations")
class Registrations(MethodView):
    decorators = (token_required,)

    @blp.response(200, s.RegistrationSchema(many=True))
    @documented(401, 404)
    @blp.doc(security=SECURITY)
    def get(self, code: str) -> Any:
        """Who registered, as far as the caller may see; the export is recorded in the trail."""
        campaign = campaigns.campaign_by_code(db.session, code)
        return emulation_year.exported_registrations(db.session, actor(), campaign, today())

    @blp.arguments(s.RegistrationInSchema)
    @blp.response(201, s.RegistrationSchema(many=True))
    @documented(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Register members of the caller's unit for a title (late ones are marked)."""
        return emulation_year.register(db.session, actor(), code, body["award"], body["member_ids"])


@blp.route("/campaigns/<string:code>/offers")
@blp.arguments(s.OfferArgsSchema, location="query")
@blp.response(200, s.OfferSchema(many=True))
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def get_offers(args: dict[str, Any], code: str) -> Any:
    """The titles each member of the unit qualifies for, with the rules' answers. A title of
    the year's emulation is offered only once the member's year is rated: who still waits
    for it is listed by ``/campaigns/{code}/awaiting-evaluation``."""
    found = emulation_year.offers(db.session, actor(), args["unit"], code, today())
    return [
        {"member_id": o.member.id, "member": o.member.full_name, "award": o.award.code,
         "results": [r.as_dict() for r in o.results]}
        for o in found
    ]  # fmt: skip


@blp.route("/campaigns/<string:code>/awaiting-evaluation")
@blp.arguments(s.OfferArgsSchema, location="query")
@blp.response(200, s.AwaitingEvaluationSchema(many=True))
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def get_awaiting_evaluation(args: dict[str, Any], code: str) -> Any:
    """The unit's members with no rating for the campaign's year yet, whom a title of the
    year's emulation is for: none is offered them until their year is rated."""
    found = emulation_year.awaiting_evaluation(db.session, actor(), args["unit"], code, today())
    return [{"member_id": m.id, "member": m.full_name} for m in found]


@blp.route("/campaigns/<string:code>/proposals", methods=["POST"])
@blp.arguments(s.ProposalInSchema)
@blp.response(201, s.OutcomeSchema(many=True))
@documented(400, 401, 403, 404, 422)
@blp.doc(security=SECURITY)
@token_required
def post_proposals(body: dict[str, Any], code: str) -> Any:
    """Drafts for the chosen members and titles, their facts read from the registry."""
    picks = [(p["member_id"], p["award"]) for p in body["picks"]]
    return [
        o.as_dict() for o in emulation_year.propose(db.session, actor(), body["unit"], code, picks)
    ]

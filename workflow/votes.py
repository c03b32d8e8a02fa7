"""The council's recorded vote and whether it reaches the award type's threshold."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from rules.params import MissingParameter, lookup, value
from rules.vote import vote_passes
from workflow.errors import InvalidInput
from workflow.models import AwardType
from workflow.vocabulary import Level

FIELDS = ("members", "present", "yes", "no", "abstain")
WRITTEN = ("written_yes", "written_no")  # absent members' votes in writing; 0 when none


class VoteCountsSchema(Schema):
    """The vote as a caller sends it; :meth:`VoteRecord.parse` then checks the counts agree."""

    class Meta:
        unknown = RAISE

    members = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    present = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    yes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    no = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    abstain = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    written_yes = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "absent members' votes in favour, given in writing"},
    )
    written_no = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "absent members' votes against, given in writing"},
    )


@dataclass(frozen=True)
class VoteRecord:
    members: int
    present: int
    yes: int
    no: int
    abstain: int
    written_yes: int = 0
    written_no: int = 0

    @classmethod
    def parse(cls, raw: Any) -> VoteRecord:
        """Accept only whole, consistent counts; say which field is wrong."""
        if not isinstance(raw, dict):
            raise InvalidInput(
                "Cần nhập kết quả biểu quyết (số thành viên, có mặt, đồng ý, không đồng ý, không ý kiến).",
                "The vote (members, present, yes, no, abstain) is required.",
                {"vote": "required"},
            )
        counts = {name: raw.get(name, 0) for name in WRITTEN} | {
            name: raw.get(name) for name in FIELDS
        }
        errors = {
            f"vote.{name}": "must_be_non_negative_integer"
            for name, count in counts.items()
            if not isinstance(count, int) or isinstance(count, bool) or count < 0
        }
        errors |= {f"vote.{k}": "unexpected" for k in raw if k not in counts}
        if not errors:
            vote = cls(**counts)
            if vote.members < 1:
                errors["vote.members"] = "at_least_one"
            if vote.present < 1:
                errors["vote.present"] = "at_least_one"
            if vote.present > vote.members:
                errors["vote.present"] = "more_than_members"
            if vote.yes + vote.no + vote.abstain > vote.present:
                errors["vote.yes"] = "more_votes_than_present"
            if vote.written_yes + vote.written_no > vote.members - vote.present:
                errors["vote.written_yes"] = "more_written_votes_than_absent_members"
        if errors:
            raise InvalidInput(
                "Kết quả biểu quyết không hợp lệ: " + _explain(errors, counts),
                "The recorded vote is inconsistent: " + ", ".join(sorted(errors)) + ".",
                errors,
            )
        return vote

    def counted_yes(self, award_type: AwardType, day: date) -> int:
        """The votes in favour the threshold counts: absent members' written votes count
        against all members where the regime in force lets absent members vote in writing."""
        writing = award_type.vote_base == "members" and bool(value("vote.absent_in_writing", day))
        return self.yes + (self.written_yes if writing else 0)

    def passes(self, award_type: AwardType, day: date) -> bool:
        ratio = (award_type.vote_ratio_num, award_type.vote_ratio_den)
        yes = self.counted_yes(award_type, day)
        return vote_passes(yes, self.members, self.present, ratio, award_type.vote_base)

    def as_dict(self) -> dict[str, int]:
        """The five counts, and written votes only when there were any (as recorded before)."""
        counts = asdict(self)
        return {k: v for k, v in counts.items() if k in FIELDS or v}


_WHY = {
    "at_least_one": "phải từ 1",
    "more_than_members": "không được lớn hơn tổng số thành viên",
    "more_votes_than_present": (
        "cùng không đồng ý và không ý kiến là {cast} phiếu, nhiều hơn số có mặt ({present})"
    ),
    "more_written_votes_than_absent_members": (
        "{written} phiếu bằng văn bản, nhiều hơn số thành viên vắng mặt ({absent})"
    ),
    "must_be_non_negative_integer": "phải là số nguyên không âm",
    "unexpected": "không có ô này",
}
_LABELS = {
    "vote.members": "Tổng số thành viên",
    "vote.present": "Có mặt",
    "vote.yes": "Đồng ý",
    "vote.no": "Không đồng ý",
    "vote.abstain": "Không ý kiến",
    "vote.written_yes": "Đồng ý bằng văn bản",
    "vote.written_no": "Không đồng ý bằng văn bản",
}


def _explain(errors: dict[str, str], counts: dict[str, Any]) -> str:
    """Each wrong count by the label the form shows, and why, with the numbers that clash
    (the secretary keeps the form). The sums are only asked of whole counts."""
    whole = all(type(v) is int for v in counts.values())
    sums = {
        "cast": counts["yes"] + counts["no"] + counts["abstain"],
        "present": counts["present"],
        "written": counts["written_yes"] + counts["written_no"],
        "absent": counts["members"] - counts["present"],
    } if whole else {}  # fmt: skip
    return (
        "; ".join(
            f"{_LABELS.get(field, field)}: {_WHY.get(code, code).format(**sums)}"
            for field, code in sorted(errors.items())
        )
        + "."
    )


def check_council_size(vote: VoteRecord, award_type: AwardType, day: date) -> None:
    """A provincial federation's council has at most the members its Quy chế allows
    (QĐ 2106/QĐ-TLĐ 2017, Điều 35: 9), so a vote naming more cannot be its council's."""
    if award_type.decider_level != Level.LDLD_TINH:
        return
    try:
        rule = lookup("council.max_members", day)
    except MissingParameter:  # before QĐ 2106/QĐ-TLĐ 2017 the brief knows no limit
        return
    limit, source = int(rule.value), rule.source
    if vote.members > limit:
        raise InvalidInput(
            f"Hội đồng Thi đua - Khen thưởng LĐLĐ tỉnh có tối đa {limit} thành viên ({source}); "
            f"biểu quyết ghi {vote.members}.",
            f"A provincial council has at most {limit} members ({source}); the vote says "
            f"{vote.members}.",
            {"vote.members": "more_than_council_size", "limit": limit},
        )

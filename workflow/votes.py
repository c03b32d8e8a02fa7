"""The council's recorded vote and whether it reaches the award type's threshold."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from rules.vote import vote_passes
from workflow.errors import InvalidInput
from workflow.models import AwardType

FIELDS = ("members", "present", "yes", "no", "abstain")


class VoteCountsSchema(Schema):
    """The vote as a caller sends it; :meth:`VoteRecord.parse` then checks the counts agree."""

    class Meta:
        unknown = RAISE

    members = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    present = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    yes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    no = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    abstain = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))


@dataclass(frozen=True)
class VoteRecord:
    members: int
    present: int
    yes: int
    no: int
    abstain: int

    @classmethod
    def parse(cls, raw: Any) -> VoteRecord:
        """Accept only whole, consistent counts; say which field is wrong."""
        if not isinstance(raw, dict):
            raise InvalidInput(
                "Cần nhập kết quả biểu quyết (số thành viên, có mặt, đồng ý, không đồng ý, không ý kiến).",
                "The vote (members, present, yes, no, abstain) is required.",
                {"vote": "required"},
            )
        errors = {
            f"vote.{name}": "must_be_non_negative_integer"
            for name in FIELDS
            if not isinstance(raw.get(name), int)
            or isinstance(raw.get(name), bool)
            or raw[name] < 0
        }
        errors |= {f"vote.{k}": "unexpected" for k in raw if k not in FIELDS}
        if not errors:
            vote = cls(**{name: raw[name] for name in FIELDS})
            if vote.members < 1:
                errors["vote.members"] = "at_least_one"
            if vote.present < 1:
                errors["vote.present"] = "at_least_one"
            if vote.present > vote.members:
                errors["vote.present"] = "more_than_members"
            if vote.yes + vote.no + vote.abstain > vote.present:
                errors["vote.yes"] = "more_votes_than_present"
        if errors:
            raise InvalidInput(
                "Kết quả biểu quyết không hợp lệ.", "The recorded vote is inconsistent.", errors
            )
        return vote

    def passes(self, award_type: AwardType) -> bool:
        ratio = (award_type.vote_ratio_num, award_type.vote_ratio_den)
        return vote_passes(self.yes, self.members, self.present, ratio, award_type.vote_base)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

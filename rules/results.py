"""What a rule says: pass, fail or unknown, how much it matters, why, and on what authority."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from rules.params import within


class Status(StrEnum):
    """A rule status (the word "pass" here is not a password)."""

    PASS = "pass"  # noqa: S105  # nosec B105
    FAIL = "fail"
    UNKNOWN = "unknown"  # a fact the rule needs is missing
    MANUAL = "manual"  # no clause of the rule is known for the date: a person must judge


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


class ClauseStatus(StrEnum):
    """How faithfully a clause is encoded, as docs/rules.md reports it."""

    IMPLEMENTED = "implemented"  # as the source reads
    PARTIAL = "partial"  # part of the source's test is encoded; the rest is for the reviewer
    UNCONFIRMED = "unconfirmed"  # the source's text was not read: an earlier text's test applied
    LOCAL = "local"  # a local rulebook's rule, applied where a campaign lists it


@dataclass(frozen=True)
class Source:
    """The clause a rule applies, the dates it is in force, and how faithfully it is encoded
    (``note`` says what is missing or unconfirmed)."""

    clause: str
    valid_from: date | None = None
    valid_to: date | None = None
    status: ClauseStatus = ClauseStatus.IMPLEMENTED
    note: str = ""

    def in_force(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)

    def note_in(self, lang: str) -> str:
        """The note in ``lang`` (English pages showed it in Vietnamese)."""
        return NOTES_EN.get(self.note, self.note) if lang == "en" else self.note

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "status": self.status.value,
        }


# Each clause note (``Source.note``, written in Vietnamese beside its clause) in English;
# tests/test_rules_doc.py checks that every note of every rule has one.
NOTES_EN = {
    "Thiếu điều kiện đã được khen về phong trào này năm trước.":
        "The condition of an award for this movement the year before is not checked.",
    "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí hoàn thành tốt nhiệm vụ trở lên.":
        "The 2003 text is not verified; the criterion \"tasks completed well or better\" is applied.",
    "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí 3 năm CSTĐ cơ sở liên tục.":
        "The 2003 text is not verified; the criterion of 3 consecutive years as CSTĐ cơ sở is applied.",
    "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí 2 lần liên tục CSTĐ cấp tỉnh.":
        "The 2003 text is not verified; the criterion of twice in a row CSTĐ cấp tỉnh is applied.",
    'Suy ra từ điều kiện "chưa được tặng"; văn bản hướng dẫn chưa đối chiếu.':
        'Inferred from the condition "not yet awarded"; the guidance text is not verified.',
    "Chưa đọc được văn bản; áp dụng quy định của QĐ 2106/QĐ-TLĐ 2017.":
        "The text could not be read; the rules of QĐ 2106/QĐ-TLĐ 2017 are applied.",
    "Văn bản chưa đối chiếu: chỉ kiểm tra tiêu chuẩn HTXSNV 2 năm liên tục với 2 sáng kiến; các "
    "tiêu chuẩn thành tích xuất sắc khác do Hội đồng xem xét.":
        "The text is not verified: only HTXSNV in 2 consecutive years with 2 initiatives is "
        "checked; the other criteria of outstanding achievement are the council's to judge.",
    "Chỉ điểm d; các điểm a–c do Hội đồng xem xét.":
        "Point d only; points a–c are the council's to judge.",
    "Trang nguồn bị cắt sau tiêu chuẩn 1.2; có thể còn tiêu chuẩn khác.":
        "The source page is cut after criterion 1.2; there may be other criteria.",
    "Chưa đọc được văn bản; áp dụng tiêu chuẩn của QĐ 1689/QĐ-TLĐ 2019.":
        "The text could not be read; the criteria of QĐ 1689/QĐ-TLĐ 2019 are applied.",
    "Chưa đọc được văn bản; áp dụng mức của QĐ 1564/QĐ-TLĐ 2014.":
        "The text could not be read; the levels of QĐ 1564/QĐ-TLĐ 2014 are applied.",
    "Hạn đăng ký là của kế hoạch (mặc định 25/01; trường học 20/10): ngày đăng ký được sổ ghi lại, hoặc cán bộ khai trên hồ sơ.":
        "The deadline is the plan's (25/01 by default; schools 20/10): the register records the day, or the officer declares it on the dossier.",
    "Chỉ kiểm tra đối tượng; các tiêu chuẩn của hướng dẫn chưa đối chiếu.":
        "Only who may be proposed is checked; the guidance's criteria are not verified.",
    "Các ngoại lệ của Điều 15 (trang nguồn bị cắt) chưa được mã hóa.":
        "The exceptions of Article 15 (the source page is cut) are not encoded.",
    "Văn bản năm 2003 chưa đối chiếu; áp dụng nguyên tắc của Luật 2022.":
        "The 2003 text is not verified; the principles of the 2022 Law are applied.",
}  # fmt: skip


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Result:
    rule: str
    status: Status
    severity: Severity
    message_vi: str
    message_en: str
    source: Source
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.status == "fail" and self.severity == "blocking"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status.value,
            "severity": self.severity.value,
            "message": {"vi": self.message_vi, "en": self.message_en},
            "source": self.source.as_dict(),
            "values": self.values,
        }

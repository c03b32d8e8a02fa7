"""The workflow's fixed vocabulary: levels, roles, states, events, revocation grounds.

Each enum carries its Vietnamese and English labels, so every layer shows the same words.
The string values are public names (API, trail, database): never rename them.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry (vi, en) labels."""

    vi: str
    en: str

    def __new__(cls, value: str, vi: str = "", en: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.vi = vi
        member.en = en
        return member

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


class Level(Labelled):
    TONG_LDLD = ("tong_ldld", "Tổng Liên đoàn Lao động Việt Nam", "Vietnam General Confederation")
    LDLD_TINH = ("ldld_tinh", "LĐLĐ tỉnh", "Provincial federation")
    CD_CAP_TREN = ("cd_cap_tren", "Công đoàn cấp trên trực tiếp cơ sở", "Upper-tier union")
    CDCS = ("cdcs", "Công đoàn cơ sở", "Grassroots union")

    @property
    def depth(self) -> int:
        return list(Level).index(self)


class UnitChange(Labelled):
    RENAMED = ("renamed", "Đổi tên", "Renamed")
    MOVED = ("moved", "Chuyển về đơn vị cấp trên khác", "Moved under another parent")
    MERGED = ("merged", "Sáp nhập", "Merged")
    SPLIT = ("split", "Chia tách", "Split")


class Role(Labelled):
    OFFICER = ("officer", "Cán bộ công đoàn cơ sở", "Grassroots officer")
    REVIEWER = ("reviewer", "Người thẩm định", "Reviewer")
    COUNCIL = ("council", "Hội đồng Thi đua - Khen thưởng", "Emulation and commendation council")
    DECIDER = ("decider", "Người ký quyết định", "Decider")
    AUDITOR = ("auditor", "Kiểm toán viên", "Auditor")
    ADMIN = ("admin", "Quản trị hệ thống", "Administrator")


class State(Labelled):
    DRAFT = ("draft", "Bản nháp", "Draft")
    IN_REVIEW = ("in_review", "Đang thẩm định", "In review")
    RETURNED = ("returned", "Trả lại để bổ sung", "Returned for correction")
    UNDER_COUNCIL = ("under_council", "Hội đồng đang xét", "Under council")
    ON_NOTICE = ("on_notice", "Đang công khai", "On public notice")
    AWARDED = ("awarded", "Đã khen thưởng", "Awarded")
    REJECTED = ("rejected", "Không đề nghị", "Rejected")
    WITHDRAWN = ("withdrawn", "Đã rút", "Withdrawn")
    REVOKED = ("revoked", "Đã hủy bỏ, thu hồi", "Revoked")


class Event(Labelled):
    CREATE = ("create", "Tạo hồ sơ", "Created")
    EDIT = ("edit", "Sửa hồ sơ", "Edited")
    SUBMIT = ("submit", "Gửi đề nghị", "Submit")
    APPROVE = ("approve", "Đồng ý, chuyển tiếp", "Approve")
    RETURN = ("return", "Trả lại", "Return")
    RESUBMIT = ("resubmit", "Gửi lại", "Resubmit")
    REJECT = ("reject", "Không đề nghị", "Reject")
    WITHDRAW = ("withdraw", "Rút hồ sơ", "Withdraw")
    VOTE = ("vote", "Ghi kết quả biểu quyết", "Record vote")
    OBJECT = ("object", "Ghi nhận ý kiến phản ánh", "Record objection")
    DECIDE = ("decide", "Quyết định khen thưởng", "Decide")
    REVOKE = ("revoke", "Hủy bỏ quyết định", "Revoke")


# Who fires each event where, its reason and its data: the event table, workflow/events.py.


class RevocationGround(Labelled):
    """The four grounds of Law 06/2022/QH15, chapter VII."""

    FRAUD = ("fraud", "Gian dối trong kê khai thành tích", "Cheating in declaring merits")
    FORGED_DOCUMENTS = (
        "forged_docs",
        "Cung cấp thông tin sai hoặc làm giả hồ sơ",
        "False information or forged documents",
    )
    UNLAWFUL_REVIEW = (
        "unlawful_review",
        "Thẩm định, xét duyệt, đề nghị trái pháp luật",
        "Appraisal, review or proposal contrary to law",
    )
    LATER_ADVERSE_FINDING = (
        "later_adverse_finding",
        "Có kết luận vi phạm dẫn đến không đủ tiêu chuẩn",
        "A later finding that the standards were not met",
    )


class NomineeKind(Labelled):
    INDIVIDUAL = ("individual", "Cá nhân", "Individual")
    COLLECTIVE = ("collective", "Tập thể", "Collective")


class VoteBase(Labelled):
    MEMBERS = ("members", "Tổng số thành viên Hội đồng", "All council members")
    PRESENT = ("present", "Số thành viên có mặt", "Members present")

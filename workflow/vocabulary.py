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


# An initiative's benefit, in đồng: above any real one, and exact in every JSON reader.
MAX_BENEFIT_VND = 10**15

# A summary of achievements, in characters: some ten pages; the full report is a dossier file.
MAX_ACHIEVEMENTS = 20_000

# How the forms label each field: messages naming a refused field, the changes a reviewer reads.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "abbreviation": ("Tên viết tắt", "Abbreviation"),
    "abstain": ("Không ý kiến", "Abstained"),
    "achievements": ("Tóm tắt thành tích", "Summary of achievements"),
    "acting_for": ("Làm thay cho", "Acting for"),
    "award": ("Hình thức khen thưởng", "Award"),
    "award_code": ("Danh hiệu, hình thức", "Title or award"),
    "award_title": ("Tên danh hiệu, hình thức", "Name of the title or award"),
    "award_type": ("Hình thức khen thưởng", "Award"),
    "attachment": ("Tệp hồ sơ bổ sung", "File added"),
    "benefit_vnd": ("Giá trị làm lợi (đồng)", "Benefit (VND)"),
    "birth_date": ("Ngày sinh", "Date of birth"),
    "campaign": ("Đợt thi đua", "Campaign"),
    "cccd": ("Số CCCD", "Citizen ID"),
    "chair_id": ("Chủ trì", "Chair"),
    "child_codes": ("Đơn vị trực thuộc chuyển sang", "Units below that move"),
    "code": ("Mã", "Code"),
    "comment": ("Ghi chú", "Comment"),
    "decision": ("Quyết định", "Decision"),
    "duty": ("Nhiệm vụ trong hội đồng", "Duty in the council"),
    "email": ("Thư điện tử", "Email"),
    "event": ("Thao tác", "Action"),
    "full_name": ("Họ và tên", "Full name"),
    "gender": ("Giới tính", "Gender"),
    "ground": ("Căn cứ", "Ground"),
    "held_on": ("Ngày họp", "Date of the sitting"),
    "into_code": ("Sáp nhập vào", "Merge into"),
    "key": ("Mã định danh", "Identifier"),
    "joined_on": ("Ngày vào đơn vị", "Joined on"),
    "namesake_ok": (
        "Người khác trùng họ tên và ngày sinh",
        "Another person with the same name and birth date",
    ),
    "kind": ("Loại", "Kind"),
    "level": ("Cấp", "Level"),
    "member_ids": ("Đoàn viên chuyển sang", "Members who move"),
    "members": ("Tổng số thành viên", "Members"),
    "name": ("Tên", "Name"),
    "new_code": ("Mã đơn vị mới", "Code of the new unit"),
    "new_name": ("Tên đơn vị mới", "Name of the new unit"),
    "no": ("Không đồng ý", "No"),
    "nomination_ids": ("Hồ sơ được chọn", "Nominations picked"),
    "nominee_name": ("Tên người/tập thể được đề nghị", "Nominee's name"),
    "note": ("Ghi chú", "Note"),
    "on": ("Ngày hiệu lực", "Effective date"),
    "other_code": ("Mã bản ghi trùng", "Code of the duplicate"),
    "parent_code": ("Đơn vị cấp trên", "Parent unit"),
    "password": ("Mật khẩu", "Password"),
    "place": ("Địa điểm", "Place"),
    "position": ("Chức vụ", "Position"),
    "present": ("Có mặt", "Present"),
    "recognized_by": ("Cơ quan công nhận", "Recognised by"),
    "role": ("Vai trò", "Role"),
    "scope": ("Phạm vi ảnh hưởng", "Scope"),
    "signed_on": ("Ngày ký", "Date signed"),
    "title": ("Tên sáng kiến", "Title of the initiative"),
    "to_unit": ("Đơn vị chuyển đến", "Unit moved to"),
    "unit": ("Đơn vị", "Unit"),
    "unit_code": ("Đơn vị", "Unit"),
    "username": ("Tên đăng nhập", "Username"),
    "valid_from": ("Hiệu lực từ ngày", "Valid from"),
    "valid_to": ("Đến ngày", "Valid to"),
    "version": ("Phiên bản hồ sơ", "Nomination version"),
    "what": ("Nội dung thu hồi", "What is recovered"),
    "written_no": ("Phiếu không đồng ý bằng văn bản", "Written no"),
    "written_yes": ("Phiếu đồng ý bằng văn bản", "Written yes"),
    "year": ("Năm", "Year"),
    "yes": ("Đồng ý", "Yes"),
}

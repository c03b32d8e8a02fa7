"""What each code of the facts means, in Vietnamese and English: the one place forms, lists
and rule messages take a code's words from (a Vietnamese page never shows ``khien_trach``)."""

from __future__ import annotations

from collections.abc import Iterable

Words = dict[str, tuple[str, str]]

RATINGS: Words = {  # xếp loại đánh giá, best first
    "HTXSNV": ("Hoàn thành xuất sắc nhiệm vụ", "Completed tasks with distinction"),
    "HTTNV": ("Hoàn thành tốt nhiệm vụ", "Completed tasks well"),
    "HTNV": ("Hoàn thành nhiệm vụ", "Completed tasks"),
    "KHTNV": ("Không hoàn thành nhiệm vụ", "Did not complete tasks"),
}
SCOPES: Words = {  # an initiative's reach, narrowest first
    "co_so": ("Cấp cơ sở", "Within the unit"),
    "tinh": ("Cấp tỉnh, bộ, ngành", "Province or ministry"),
    "toan_quoc": ("Toàn quốc", "Nationwide"),
}
DISCIPLINE: Words = {  # lightest first; an administrative sanction excludes as well
    "khien_trach": ("Khiển trách", "Reprimand"),
    "canh_cao": ("Cảnh cáo", "Warning"),
    "ha_bac": ("Hạ bậc lương", "Salary step lowered"),
    "keo_dai_nang_luong": ("Kéo dài thời hạn nâng lương", "Salary rise deferred"),
    "giang_chuc": ("Giáng chức", "Demotion"),
    "cach_chuc": ("Cách chức", "Dismissal from office"),
    "buoc_thoi_viec": ("Buộc thôi việc", "Dismissal"),
    "sa_thai": ("Sa thải", "Termination"),
    "xu_phat_hanh_chinh": ("Bị xử phạt vi phạm hành chính", "Administrative sanction"),
}
GRADES: Words = {  # a CĐCS's grading (HD 1294/HD-TLĐ 2019), best first
    "hoan_thanh_xuat_sac": ("Hoàn thành xuất sắc nhiệm vụ", "Completed tasks with distinction"),
    "hoan_thanh_tot": ("Hoàn thành tốt nhiệm vụ", "Completed tasks well"),
    "hoan_thanh": ("Hoàn thành nhiệm vụ", "Completed tasks"),
    "khong_hoan_thanh": ("Không hoàn thành nhiệm vụ", "Did not complete tasks"),
}
EDUCATION: Words = {
    "postgraduate": ("Sau đại học", "Postgraduate"),
    "university": ("Đại học", "University"),
    "college": ("Cao đẳng", "College"),
    "vocational": ("Trung cấp", "Vocational"),
    "secondary": ("Phổ thông", "Secondary school"),
}


def en(words: Words, code: object) -> str:
    """A code in English, lower-cased to sit inside a sentence; an unknown code as is."""
    found = words.get(str(code))
    return found[1][0].lower() + found[1][1:] if found else str(code)


def grouped(value: int, lang: str = "vi") -> str:
    """A whole number with its thousands marked as the reader writes them: 1.200 in
    Vietnamese (and on every official document), 1,200 in English."""
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", ".")


def how_many(count: int, noun: str) -> str:
    """A count with its English noun: "1 month", "2 months" (Vietnamese has no plural)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def years(values: Iterable[object], none: str = "none") -> str:
    """Years (or codes) as a message lists them: "2024, 2025", or ``none``."""
    return ", ".join(map(str, values)) or none


def vi(words: Words, code: object) -> str:
    """A code in Vietnamese, lower-cased to sit inside a sentence; an unknown code as is."""
    found = words.get(str(code))
    return found[0][0].lower() + found[0][1:] if found else str(code)

"""How each role does its main tasks: the steps in the user's language and a picture of the
page. The pictures are taken from the running app by tests/test_browser.py (refreshed with
UPDATE_SCREENSHOTS=1), so they show the pages as they are."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from workflow.vocabulary import Role


@dataclass(frozen=True)
class Task:
    title: LazyString
    steps: tuple[LazyString, ...]
    picture: str  # web/static/help/<picture>.jpg


TASKS: dict[Role, tuple[Task, ...]] = {
    Role.OFFICER: (
        Task(_l("Lập hồ sơ đề nghị"), (
            _l("Vào «Lập hồ sơ», chọn hình thức khen thưởng của đợt thi đua."),
            _l("Ghi tên, chức vụ, tóm tắt thành tích và các thông tin kê khai mà hình thức đó cần; số tiền gõ «80.000.000» hay «80 000 000» đều được."),
            _l("Bấm «Kiểm tra điều kiện (chưa lưu)» để biết hồ sơ đã đủ điều kiện chưa, rồi «Tạo hồ sơ (bản nháp)»."),
        ), "officer-new"),
        Task(_l("Đính kèm tài liệu và gửi đề nghị"), (
            _l("Mở hồ sơ, thêm tệp (biên bản họp bình xét, báo cáo thành tích); tệp đính kèm nhầm có thể gỡ, nhật ký vẫn giữ dấu vết."),
            _l("Bấm «Gửi đề nghị»: hồ sơ chuyển lên cấp trên và có hạn xử lý."),
        ), "officer-detail"),
        Task(_l("Sửa hồ sơ bị trả lại"), (
            _l("Hồ sơ bị trả lại có lý do ở đầu trang và trong mục «Thông báo»."),
            _l("Bấm «Sửa hồ sơ», bổ sung, «Lưu thay đổi» rồi «Gửi lại»; người thẩm định thấy rõ những gì đã sửa."),
        ), "officer-returned"),
        Task(_l("Nhập danh sách từ Excel"), (
            _l("Vào «Nhập Excel», chọn đợt thi đua, bấm «Tải tệp mẫu (.xlsx)» và điền mỗi người/tập thể một dòng."),
            _l("Tải tệp lên: hệ thống kiểm tra từng dòng và chỉ rõ từng ô sai; bấm nút tạo hồ sơ hợp lệ để lập bản nháp cho các dòng đúng, sửa các dòng sai rồi tải lại."),
        ), "officer-import"),
        Task(_l("Đăng ký thi đua và bình xét cuối năm"), (
            _l("Vào «Năm thi đua»: đầu năm ghi đăng ký của từng đoàn viên, tập thể."),
            _l("Cuối năm ghi kết quả xếp loại; hệ thống đề xuất danh hiệu mỗi người đủ điều kiện, chọn rồi lập hồ sơ trong một bước."),
        ), "officer-year"),
    ),
    Role.REVIEWER: (
        Task(_l("Xem hồ sơ chờ xử lý"), (
            _l("Vào «Cần xử lý»: các hồ sơ đang chờ đơn vị mình, hồ sơ quá hạn được đánh dấu."),
            _l("Lọc theo đợt, năm, đơn vị, hình thức; chọn nhiều hồ sơ để đồng ý một lần."),
        ), "reviewer-inbox"),
        Task(_l("Thẩm định một hồ sơ"), (
            _l("Mở hồ sơ: đọc thông tin kê khai, bảng kiểm tra điều kiện và tài liệu đính kèm."),
            _l("«Đồng ý, chuyển tiếp», «Trả lại» (ghi rõ lý do để đơn vị bổ sung) hoặc «Không đề nghị»."),
        ), "reviewer-detail"),
    ),
    Role.COUNCIL: (
        Task(_l("Họp Hội đồng và ghi kết quả"), (
            _l("Thư ký vào «Hội đồng», mở phiên họp: ngày, địa điểm, thành viên có mặt, danh sách hồ sơ."),
            _l("Ghi số phiếu của từng hồ sơ rồi kết thúc phiên họp; hệ thống lập biên bản có số."),
        ), "council-home"),
        Task(_l("Công khai kết quả"), (
            _l("Hồ sơ đạt được công khai theo thời hạn của hình thức khen thưởng; ý kiến phản ánh được ghi nhận trong thời gian này."),
        ), "council-notice"),
    ),
    Role.DECIDER: (
        Task(_l("Ký quyết định khen thưởng"), (
            _l("Vào «Ký quyết định», chọn các hồ sơ đã hết thời hạn công khai, ghi ngày ký."),
            _l("Bấm «Ký và cấp số quyết định»: quyết định có số, danh sách kèm số tiền thưởng và tổng bằng chữ."),
        ), "decider-sign"),
        Task(_l("Sổ theo dõi và in bằng khen"), (
            _l("Mỗi khen thưởng được vào sổ theo dõi với số thứ tự; tải sổ dạng Excel hoặc PDF."),
            _l("In bằng khen, giấy khen theo bố cục của đơn vị (có thể in lên phôi in sẵn)."),
        ), "decider-register"),
        Task(_l("Thu hồi khi hủy bỏ khen thưởng"), (
            _l("Hủy bỏ một khen thưởng mở việc thu hồi tiền thưởng và hiện vật; đánh dấu từng việc khi đã thu hồi."),
        ), "decider-recoveries"),
    ),
    Role.AUDITOR: (
        Task(_l("Kiểm tra nhật ký"), (
            _l("Vào «Kiểm tra nhật ký», bấm «Kiểm tra toàn bộ nhật ký»: mọi sửa, xóa hay đảo thứ tự đều bị phát hiện."),
            _l("Mỗi hồ sơ có nhật ký riêng tải về dạng CSV, JSON hoặc Excel."),
        ), "auditor-audit"),
        Task(_l("Xem thống kê khen thưởng"), (
            _l("Vào «Thống kê»: số lượng, số tiền theo hình thức, cấp quyết định, đơn vị, so với năm trước; tải Excel."),
        ), "auditor-statistics"),
    ),
    Role.ADMIN: (
        Task(_l("Quản lý đơn vị"), (
            _l("Vào «Đơn vị»: thêm đơn vị, chọn đơn vị cấp trên trong phạm vi mình quản trị."),
            _l("Mở một đơn vị để đổi tên, chuyển về đơn vị cấp trên khác, sáp nhập hoặc chia tách, có ngày hiệu lực; văn bản cũ vẫn giữ tên cũ."),
        ), "admin-unit"),
        Task(_l("Quản lý tài khoản"), (
            _l("Vào «Người dùng» để tạo tài khoản hoặc đặt lại mật khẩu (người dùng phải đổi ngay khi đăng nhập)."),
            _l("Mở một tài khoản để sửa tên, thư điện tử, khóa hoặc mở khóa, thêm hoặc kết thúc vai trò."),
        ), "admin-user"),
        Task(_l("Quản lý đợt thi đua"), (
            _l("Vào «Đợt thi đua» tải lên hoặc soạn định nghĩa đợt thi đua; hệ thống kiểm tra và báo từng lỗi."),
        ), "admin-campaigns"),
    ),
}  # fmt: skip

"""Limits on what an uploaded .xlsx expands to, checked before openpyxl opens it.

An .xlsx is a zip of XML parts, and the 10 MB upload limit bounds only the compressed bytes:
deflate reaches about 1,000 : 1, so 1 MB can hold a 1 GB shared string or 20 million small
ones. openpyxl keeps every shared string in a list and turns every style, name or merged range
into Python objects of a few hundred bytes each, so a worker reading such a file grows to
gigabytes. ``check`` reads only the zip's directory and then streams each XML part through
expat with a few counters (constant memory: no tree is built, and a token may not grow past
``MAX_TOKEN_BYTES``), and raises ``InvalidInput`` (422) at the first limit passed — before openpyxl builds anything.

The limits let through a list of 20,000 rows with a dozen columns, and are tight enough that
whatever passes them is previewed within a worker's 300 MB: the largest such file (20,000 rows
of 15 cells, 2 million characters) peaked at 272 MB, in a worker that idles at 130 MB.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.parsers import expat

from workflow.errors import InvalidInput

MAX_PARTS = 1_000  # files inside the zip (a list has about ten)
MAX_EXPANDED_BYTES = 50 * 1024 * 1024  # all parts together, uncompressed
MAX_RATIO = 100  # uncompressed : compressed, for parts above RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
MAX_SHARED_STRINGS = 300_000
MAX_TEXT_CHARS = 2_000_000  # characters of cell text, in shared strings and in the cells
MAX_SHEET_ROWS = 100_000  # rows of any one sheet
MAX_CELLS = 300_000  # cells of all sheets together (20,000 rows of 15)
MAX_ROW_CELLS = 16_384  # Excel's width: more cells in one row is no spreadsheet
MAX_ITEM_ELEMENTS = 1_000  # elements inside one cell or one shared string (rich-text runs)
MAX_OTHER_ELEMENTS = 20_000  # styles, names, merged ranges, validations, relationships…
MAX_ELEMENTS = 1_500_000  # all elements and comments: bounds the time the scan takes
MAX_ATTRIBUTES = 32  # on one element (openpyxl keeps a row's unknown attributes)
MAX_DEPTH = 64  # element nesting
MAX_TOKEN_BYTES = 1024 * 1024  # one tag, attribute value or comment: expat 2.5 rescans an
# unfinished token on every read, so openpyxl's 16 KB reads make a 40 MB one take minutes
CHUNK = 64 * 1024  # bytes fed to the parser at a time

# What a part openpyxl (lxml or expat) could take for XML starts with: "<", white space, a
# byte-order mark, or the UTF-16/32 and EBCDIC forms of "<" that libxml2 recognises. Anything
# else (PNG, JPEG, OLE, printer settings) is XML to neither parser and is left alone.
XML_STARTS = (b"<", b" ", b"\t", b"\r", b"\n", b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe", b"\x00<",
              b"\x00\x00\x00<", b"\x00\x00<\x00", b"Lo\xa7\x94")  # fmt: skip
# Every entry of the zip's directory starts with this; zipfile checks it on each one.
DIRECTORY_ENTRY = b"PK\x01\x02"
TAG_MISMATCH = expat.errors.codes[expat.errors.XML_ERROR_TAG_MISMATCH]


def unreadable() -> InvalidInput:
    return InvalidInput(
        "Tệp không đọc được: hãy gửi tệp Excel (.xlsx).",
        "The file cannot be read: send an Excel (.xlsx) file.",
        {"file": "not_xlsx"},
    )


def _over(code: str, limit: int, vi: str, en: str) -> InvalidInput:
    return InvalidInput(
        f"{vi} Hãy lưu lại tệp bằng Excel hoặc chia nhỏ danh sách.",
        f"{en} Save the file again from Excel, or split the list.",
        {"file": code, "limit": limit},
    )


def _too_large() -> InvalidInput:
    mb = MAX_EXPANDED_BYTES // (1024 * 1024)
    return _over(
        "too_large_expanded",
        MAX_EXPANDED_BYTES,
        f"Tệp khi giải nén lớn hơn {mb} MB.",
        f"The file expands to more than {mb} MB.",
    )


def _too_compressed() -> InvalidInput:
    return _over(
        "too_compressed",
        MAX_RATIO,
        f"Tệp nén bất thường: có phần giải nén ra gấp hơn {MAX_RATIO} lần.",
        f"The file is compressed abnormally: a part expands more than {MAX_RATIO} times.",
    )


def too_much_text() -> InvalidInput:
    return _over(
        "too_much_text",
        MAX_TEXT_CHARS,
        f"Tệp có hơn {MAX_TEXT_CHARS} ký tự văn bản.",
        f"The file holds more than {MAX_TEXT_CHARS} characters of text.",
    )


def _too_many_strings() -> InvalidInput:
    return _over(
        "too_many_strings",
        MAX_SHARED_STRINGS,
        f"Tệp có hơn {MAX_SHARED_STRINGS} chuỗi văn bản khác nhau.",
        f"The file holds more than {MAX_SHARED_STRINGS} distinct strings.",
    )


def _too_many_rows() -> InvalidInput:
    return _over(
        "too_many_rows",
        MAX_SHEET_ROWS,
        f"Một trang tính của tệp có hơn {MAX_SHEET_ROWS} dòng.",
        f"A sheet of the file has more than {MAX_SHEET_ROWS} rows.",
    )


def _too_many_cells(limit: int) -> InvalidInput:
    return _over(
        "too_many_cells",
        limit,
        f"Tệp có hơn {limit} ô (tính cả ô trống đã định dạng).",
        f"The file has more than {limit} cells (formatted empty cells included).",
    )


def _too_complex(limit: int) -> InvalidInput:
    return _over(
        "too_complex",
        limit,
        "Tệp có cấu trúc quá phức tạp (quá nhiều định dạng, tên, vùng gộp ô hoặc phần tử lồng nhau).",
        "The file's structure is too complex (too many styles, names, merged ranges or nested elements).",
    )


class _Scan:
    """Counters over the XML parts of one workbook, fed by expat's callbacks.

    Inside ``sheetData`` the children are rows and their children cells; inside ``sst`` the
    children are shared strings. openpyxl streams those and keeps one value per cell or
    string, so they have limits of their own; every other element may become an object."""

    def __init__(self, scale: int = 1) -> None:
        # A register of members is read row by row, never held whole: it may be ``scale``
        # times the size of a list of nominations (rows, cells, strings, text).
        self.max_strings = MAX_SHARED_STRINGS * scale
        self.max_chars = MAX_TEXT_CHARS * scale
        self.max_cells = MAX_CELLS * scale
        self.max_elements = MAX_ELEMENTS * scale
        self.strings = self.chars = self.cells = self.others = self.elements = 0
        self.events = 0  # callbacks so far: no new one over MAX_TOKEN_BYTES is one huge token
        self.begin_part()

    def begin_part(self) -> None:
        self.depth = 0
        self.table = 0  # depth of the sheetData or sst element being read, 0 outside
        self.strings_table = False
        self.rows = self.row_cells = self.item = 0
        self.in_text = False

    def progress(self, *_: Any) -> None:
        """A comment, processing instruction or CDATA mark: no element, but work all the same."""
        self.events += 1
        self.elements += 1
        if self.elements > self.max_elements:
            raise _too_complex(self.max_elements)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.events += 1
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise _too_complex(MAX_DEPTH)
        if self.elements > self.max_elements:
            raise _too_complex(self.max_elements)
        if len(attributes) > MAX_ATTRIBUTES:
            raise _too_complex(MAX_ATTRIBUTES)
        local = name.rpartition(":")[2]
        self.in_text = local in ("t", "v")
        level = self.depth - self.table if self.table else 0
        if level == 1 and self.strings_table:
            self.strings += 1
            self.item = 0
            if self.strings > self.max_strings:
                raise _too_many_strings()
        elif level == 1:
            self.rows += 1
            self.row_cells = 0
            if self.rows > MAX_SHEET_ROWS:
                raise _too_many_rows()
        elif level == 2 and not self.strings_table:
            self.cells += 1
            self.row_cells += 1
            self.item = 0
            if self.cells > self.max_cells:
                raise _too_many_cells(self.max_cells)
            if self.row_cells > MAX_ROW_CELLS:
                raise _too_many_cells(MAX_ROW_CELLS)
        elif level >= 2:
            self.item += 1
            if self.item > MAX_ITEM_ELEMENTS:
                raise _too_complex(MAX_ITEM_ELEMENTS)
        else:
            self.others += 1
            if self.others > MAX_OTHER_ELEMENTS:
                raise _too_complex(MAX_OTHER_ELEMENTS)
            if local in ("sheetData", "sst"):
                self.table, self.strings_table = self.depth, local == "sst"

    def end(self, name: str) -> None:
        self.events += 1
        if self.depth == self.table:
            self.table = 0
        self.depth -= 1
        self.in_text = False

    def text(self, data: str) -> None:
        self.events += 1
        if self.in_text:
            self.chars += len(data)
            if self.chars > self.max_chars:
                raise too_much_text()


def _forbidden(*_: Any) -> None:
    """A DTD can define entities that expand a few bytes into gigabytes; Excel never
    writes one."""
    raise unreadable()


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, scan: _Scan) -> None:
    with archive.open(part) as stream:
        data = stream.read(CHUNK)
        if not data.startswith(XML_STARTS):
            return
        scan.begin_part()
        parser = expat.ParserCreate()
        parser.buffer_text = True  # fewer callbacks; the buffer stays at its 8 KB size
        parser.StartDoctypeDeclHandler = _forbidden
        parser.EntityDeclHandler = _forbidden
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        parser.CharacterDataHandler = scan.text
        parser.CommentHandler = parser.ProcessingInstructionHandler = scan.progress
        parser.StartCdataSectionHandler = parser.EndCdataSectionHandler = scan.progress
        stalled = 0  # bytes fed since the last callback
        try:
            while data:
                before = scan.events
                parser.Parse(data, False)
                stalled = stalled + len(data) if scan.events == before else 0
                if stalled > MAX_TOKEN_BYTES:
                    raise _too_complex(MAX_TOKEN_BYTES)
                data = stream.read(CHUNK)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            # Excel's legacy VML drawings hold HTML's unclosed <br>. Both of openpyxl's parsers
            # stop at that mismatch too, and all before it has been counted.
            if error.code != TAG_MISMATCH or not part.filename.lower().endswith(".vml"):
                raise unreadable() from None


def _check_directory(parts: list[zipfile.ZipInfo]) -> None:
    """What the zip's directory says, before a byte is inflated. zipfile stops reading a part
    at its declared size (and fails its checksum), so the declared sizes bound the XML."""
    if len(parts) > MAX_PARTS:
        raise _too_complex(MAX_PARTS)
    total = 0
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unreadable()  # bzip2 and lzma inflate without a bound on each read
        total += part.file_size
        if total > MAX_EXPANDED_BYTES:
            raise _too_large()
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * part.compress_size:
            raise _too_compressed()


def check(content: bytes, scale: int = 1) -> None:
    """Raise ``InvalidInput`` unless the workbook in ``content`` stays within every limit
    above (or cannot be read at all: not a zip, damaged, encrypted, ill-formed XML); a
    streamed import allows ``scale`` times the rows, cells and text."""
    if content.count(DIRECTORY_ENTRY) > MAX_PARTS:  # before zipfile makes an object of each
        raise _too_complex(MAX_PARTS)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            _check_directory(parts)
            scan = _Scan(scale)
            for part in parts:
                if not part.is_dir():
                    _scan_part(archive, part, scan)
    except InvalidInput:
        raise
    except Exception:  # zipfile fails on damaged archives with many kinds of error
        raise unreadable() from None

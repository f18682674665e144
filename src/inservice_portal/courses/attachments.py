"""研習附件 (000 附件十 item 10): which files may be uploaded, and their storage as ZODB blobs.

A file is accepted for what its bytes are, never for its name or the browser's content type:
the magic numbers of PDF, JPEG and PNG, and for zip-based office files the package's own
declaration of its main part (OOXML ``[Content_Types].xml``, ODF ``mimetype``). Anything else —
an HTML page renamed .pdf, an SVG (which can carry script), a script — is refused, as are
empty files and files over 10 MB, and a file carrying markup or a PDF's active content
(active_content.py). The stored name gets the extension of the checked type; the blob is
kept under a random key, the original name only as display text.
Downloads (views/attachments.py) always go out as attachments with the checked type.
"""
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from ZODB.blob import Blob

from ..uploads import active_content, archives
from ..resources.course import Attachment

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 20                      # per course or handout
MAX_TOTAL = 50 * 1024 * 1024        # per course or handout
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
# kind → (content type, extensions; the first is given to a file whose name says otherwise)
KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": (_OOXML + "wordprocessingml.document", (".docx",)),
    "xlsx": (_OOXML + "spreadsheetml.sheet", (".xlsx",)),
    "pptx": (_OOXML + "presentationml.presentation", (".pptx",)),
    "odt": (_ODF + "text", (".odt",)),
    "ods": (_ODF + "spreadsheet", (".ods",)),
    "odp": (_ODF + "presentation", (".odp",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
}
# The main part an OOXML package declares (macro-enabled variants declare others: refused).
OOXML_MAIN = {KINDS[k][0] + ".main+xml": k for k in ("docx", "xlsx", "pptx")}
ODF_TYPES = {KINDS[k][0]: k for k in ("odt", "ods", "odp")}
ALLOWED = "PDF、Word（DOCX）、Excel（XLSX）、PowerPoint（PPTX）、ODF 文件（ODT、ODS、ODP）、JPEG 或 PNG 圖片"


class Refused(ValueError):
    """An upload that is not accepted; ``str()`` is the message for the person uploading."""


@dataclass(frozen=True)
class Checked:
    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The kind of ``data`` by its content, or None if it is none of the allowed kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                return ODF_TYPES.get(_small(package, "mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                declared = re.findall(rb'ContentType="([^"]+)"',
                                      _small(package, "[Content_Types].xml"))
                return next((OOXML_MAIN[t.decode()] for t in declared
                             if t.decode() in OOXML_MAIN), None)
    except (*archives.DAMAGED, ValueError):
        pass
    return None


def _small(package, name, limit=1024 * 1024) -> bytes:
    """A package part read only if it is small: a declaration, never a zip bomb."""
    if package.getinfo(name).file_size > limit:
        raise ValueError(f"{name} is too large")
    return package.read(name)


def clean_filename(filename: str, kind: str) -> str:
    """The last path segment, NFC, without control characters, with the kind's extension."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", filename or "")[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")[:150]
    path = PurePosixPath(name or "附件")
    extensions = KINDS[kind][1]
    if path.suffix.lower() not in extensions:
        path = PurePosixPath(f"{path.name}{extensions[0]}")
    return str(path)


def check(fp, filename: str) -> Checked:
    """Read and judge an upload; raise ``Refused`` with a zh-TW message naming the file."""
    shown = re.split(r"[\\/]", filename or "")[-1] or "檔案"
    data = fp.read(MAX_BYTES + 1)
    if not data:
        raise Refused(f"「{shown}」是空的檔案（0 位元組），請選擇有內容的檔案。")
    if len(data) > MAX_BYTES:
        raise Refused(f"「{shown}」超過 {MAX_BYTES // (1024 * 1024)} MB 的上限，請壓縮或分割後再上傳。")
    kind = sniff(data)
    if kind is not None and data.startswith(b"PK"):
        try:
            archives.check(data)
        except archives.TooLarge as problem:
            raise Refused(f"「{shown}」{problem}請確認檔案內容後再上傳。") from None
        except archives.DAMAGED:
            raise Refused(f"「{shown}」已損毀，無法讀取，請重新存檔後再上傳。") from None
    if kind is None:
        raise Refused(f"「{shown}」的內容不是可接受的檔案類型。可上傳：{ALLOWED}；"
                      "網頁（HTML）、SVG 圖檔與程式檔一律不接受，改副檔名也無法上傳。")
    if active_content.markup(data, kind):
        raise Refused(f"「{shown}」內夾帶網頁（HTML）或程式碼，不能上傳。"
                      "請由原始文件重新存檔或轉成 PDF 後再上傳。")
    if kind == "pdf" and active_content.pdf_actions(data):
        raise Refused(f"「{shown}」含有開啟時會自動執行的內容（JavaScript、啟動程式、內嵌檔案或表單送出）。"
                      "請以「列印成 PDF」或「另存為 PDF」重新產生後再上傳。")
    return Checked(clean_filename(filename, kind), KINDS[kind][0], data)


def check_room(held, checked: Checked) -> None:
    """Refuse a file that would take a course's (or a handout's) files ``held`` past
    MAX_FILES or MAX_TOTAL: one organiser cannot fill the blob store."""
    if held is None:
        return
    if len(held) >= MAX_FILES:
        raise Refused(f"每個項目最多 {MAX_FILES} 個檔案，請先刪除不需要的檔案。")
    if sum(a.size for a in held.values()) + len(checked.data) > MAX_TOTAL:
        raise Refused(f"每個項目的檔案合計最多 {MAX_TOTAL // (1024 * 1024)} MB，"
                      "請先刪除不需要的檔案或壓縮後再上傳。")


def store(course, checked: Checked, login: str, now) -> tuple[str, Attachment]:
    """Keep the checked file in a blob under a new random name in ``course.attachments``."""
    blob = Blob()
    with blob.open("w") as f:
        f.write(checked.data)
    name = secrets.token_hex(8)
    while name in course.attachments:
        name = secrets.token_hex(8)
    attachment = Attachment(checked.filename, checked.content_type, len(checked.data), blob,
                            login, now)
    course.attachments[name] = attachment
    return name, attachment


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"

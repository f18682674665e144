"""研習時數證明 (issue 16 item 4): the printed transcript names who, where, which period and
when; asked for, it carries a code and a QR code that anyone checks at /verify, where a
changed figure no longer matches."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from inservice_portal.attendance.records import records_of
from inservice_portal.resources.records import LOCAL, TrainingRecord

from ..conftest import add_organiser, add_staff, add_teacher, csrf_of
from .test_security import client

T1_ID = "A123456789"


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_teacher(root, "t1", school, name="林老師", national_id=T1_ID)
        add_teacher(root, "t2", school, name="陳老師", national_id="B223456780")
        for code, day, hours in ((11, date(2025, 3, 1), "3"), (12, date(2026, 4, 1), "2.5")):
            records_of(root["people"]["t1"], create=True)[(LOCAL, str(code))] = TrainingRecord(
                "t1", LOCAL, str(code), title=f"研習 {code}", course_code=code,
                organiser="某校", hours=Decimal(hours), days=((day, Decimal(hours)),))
    return site


def issue(browser, year=""):
    page = browser.get("/transcript")
    answer = browser.post("/transcript-proof", {"csrf_token": csrf_of(page), "year": year},
                          status=303)
    code = re.search(r"proof=([A-Z0-9-]+)", answer.location).group(1)
    return code, answer.follow()


def test_the_transcript_is_a_document_that_anyone_can_check(app, world, site):
    teacher = client(app, "t1")
    page = teacher.get("/transcript")
    head = page.html.select_one(".transcript-head").text
    for shown in ("林老師", "A12345****", "臺北市立甲國民小學", "全部年度", "全國教師在職進修資訊網"):
        assert shown in head
    assert T1_ID not in page.text
    code, printed = issue(teacher, "2026")
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    proof = printed.html.select_one(".proof")
    assert code in proof.text and proof.find("svg") is not None
    assert f"/verify?code={code}" in proof.text
    checked = client(app).get("/verify", {"code": code.lower().replace("-", " ")})
    assert "本網站核發的證明" in checked.text
    facts = dict(zip([dt.text for dt in checked.html.select("dt")],
                     [dd.text for dd in checked.html.select("dd")]))
    assert (facts["姓名"], facts["身分證統一編號"], facts["期間"], facts["研習門數"],
            facts["採計時數"]) == ("林老師", "A12345****", "2026 年", "1", "2.5 小時")
    # A figure changed where it is kept breaks the signature.
    with site.edit() as root:
        kept = dict(root.transcript_proofs[code])
        kept["summary"] = dict(kept["summary"], hours="25")
        root.transcript_proofs[code] = kept
    assert "簽章不符" in client(app).get("/verify", {"code": code}).text


def test_unknown_codes_and_other_peoples_proofs(app, world):
    assert "查無此驗證碼" in client(app).get("/verify", {"code": "ABCDE-FGHJK"}).text
    assert "查無此驗證碼" not in client(app).get("/verify").text
    code, _ = issue(client(app, "t1"))
    other = client(app, "t2").get("/transcript", {"proof": code})
    assert other.html.select_one(".proof") is None            # not t2's: not shown
    staff = client(app, "a-admin")
    staff.post("/transcript-proof", {"csrf_token": csrf_of(staff.get("/account"))}, status=403)


def test_a_proof_signed_with_another_key_is_not_called_altered(app, world, site):
    """After the signing key changes (transcript.signing_key), an old proof is reported as
    signed with an earlier key, for the national centre to confirm, not as forged."""
    code, _ = issue(client(app, "t1"))
    with site.edit() as root:
        root.transcript_proofs[code] = dict(root.transcript_proofs[code], kid="0" * 12)
    answer = client(app).get("/verify", {"code": code}).text
    assert "先前的金鑰" in answer and "簽章不符" not in answer


def test_proofs_are_limited_per_teacher(app, world, site):
    teacher = client(app, "t1")
    for _ in range(20):
        issue(teacher)
    page = teacher.get("/transcript")
    teacher.post("/transcript-proof", {"csrf_token": csrf_of(page)}, status=429)
    assert site.read(lambda root: len(root.transcript_proofs)) == 20


def pdf_text(response) -> str:
    """The PDF's text as a reader extracts it, after checking that its fonts are embedded."""
    reader = PdfReader(io.BytesIO(response.body))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object().get("/DescendantFonts")
            described = (descendant[0].get_object() if descendant else font.get_object())
            descriptor = described["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)    # embedded
    return "\n".join(page.extract_text() for page in reader.pages)


def drawn_lines(response) -> int:
    """The line segments drawn on the PDF's first page (a QR code is a few hundred)."""
    page = PdfReader(io.BytesIO(response.body)).pages[0]
    return len(re.findall(rb"\s[\d.]+ [\d.]+ l\b", page.get_contents().get_data()))


def test_the_transcript_downloads_as_a_pdf_in_chinese(app, world):
    """The PDF holds what the printed page holds, in an embedded CJK font a reader copies
    text from; with a proof, its code and QR code; never the full national ID."""
    teacher = client(app, "t1")
    plain = teacher.get("/transcript.pdf", {"year": "2026"})
    assert plain.content_type == "application/pdf"
    assert plain.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(plain)
    for shown in ("個人研習紀錄", "林老師", "A12345****", "臺北市立甲國民小學", "研習 12", "2.5"):
        assert shown in text
    assert T1_ID not in text and "研習 11" not in text       # 2026 only
    code, printed = issue(teacher, "2026")
    link = printed.html.find("a", string=re.compile("下載 PDF"))
    proof = teacher.get(link["href"])
    text = re.sub(r"\s+", "", pdf_text(proof))      # a long line breaks, even in the URL
    assert "研習時數證明" in text and code in text and f"/verify?code={code}" in text
    assert drawn_lines(proof) > drawn_lines(plain) + 100        # the QR code, drawn as paths
    # Another teacher's proof code is not printed on t2's PDF.
    assert code not in pdf_text(client(app, "t2").get("/transcript.pdf", {"proof": code}))


def test_the_school_downloads_its_teachers_pdf_and_no_one_else(app, world, site):
    staff = client(app, "a-admin")
    text = pdf_text(staff.get("/people/t1/transcript.pdf"))
    assert "林老師" in text and "研習 11" in text and "研習 12" in text
    client(app, "t2").get("/people/t1/transcript.pdf", status=403)
    client(app, "a-admin").get("/transcript.pdf", status=403)    # staff have no transcript


def test_pdfs_are_limited_per_account(app, world):
    teacher = client(app, "t1")
    for _ in range(10):
        teacher.get("/transcript.pdf")
    assert teacher.get("/transcript.pdf", status=429).headers["Retry-After"]
    client(app, "t2").get("/transcript.pdf")                 # another account: its own limit

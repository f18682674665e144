"""No full national ID anywhere but the audited view: the verdict of the scan that watched every
response, request URL, log record, mail and transaction note of this test run
(tests/personal_data_scan.py). Moved to the end of the run by tests/conftest.py."""
import pytest

from ..personal_data_scan import Scan, full_ids

NATIONAL_ID = "A123456789"


def test_the_scanner_finds_a_planted_id_and_allows_only_the_audited_view():
    scan = Scan()
    scan.request("GET", "/account", f"<dd>{NATIONAL_ID}</dd>", 200)
    scan.request("GET", f"/search?q={NATIONAL_ID}", "", 200)
    scan.request("POST", "/people/t1/@@national-id", f"<dd>{NATIONAL_ID}</dd>", 200)
    scan.log(f"user {NATIONAL_ID} logged in")
    scan.mail(f"您的身分證 {NATIONAL_ID}")
    assert len(scan.findings) == 4
    assert full_ids("A12345**** B223456780x A1234567890 xA123456789") == set()
    assert full_ids(f"({NATIONAL_ID})") == {NATIONAL_ID}


@pytest.mark.scan_verdict
def test_no_full_national_id_left_the_app(personal_data_scan, request):
    ran = [i for i in request.session.items if "tests/functional" in str(i.path)
           and i.name != request.node.name]
    if personal_data_scan.responses < 50:
        pytest.skip("run with the functional suite: too few responses were scanned "
                    f"({personal_data_scan.responses})")
    assert personal_data_scan.findings == [], "\n".join(personal_data_scan.findings[:50])
    assert ran

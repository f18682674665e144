"""Issue 18's whole exchange, played by a county system in a separate process that speaks
HTTP to the portal served by waitress (tests/peers/county_system.py): a token, a queued
batch polled to its end and sent again, retrieval by cursor, the month confirmed; the
teacher's transcript shows each record once."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from webtest.http import StopableWSGIServer

from inservice_portal import clock
from inservice_portal.exchange import confirmation, partners

from ..conftest import add_organiser, add_teacher
from .test_exchange import jobs_finish  # noqa: F401 (fixture)

PEER = Path(__file__).resolve().parent.parent / "peers" / "county_system.py"


@pytest.fixture
def settings(base_settings, tmp_path):
    """On a FileStorage: the jobs' thread and the server's threads commit for real."""
    return dict(base_settings, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"})


def test_a_county_system_exchanges_records_end_to_end(app, site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_teacher(root, "t-tpe", school, national_id="A123456789")
        partner, secret = partners.register(root, "tpe-city", "臺北市教師在職進修系統",
                                            "database", ("臺北市",))
        partner.retrieves = True
    month = confirmation.previous_month(clock.now().date())
    server = StopableWSGIServer.create(app, host="127.0.0.1")
    try:
        done = subprocess.run([sys.executable, str(PEER), server.application_url.rstrip("/"),
                               "tpe-city", secret, "A123456789", month],
                              capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["scope"] == "records:read records:write"
    assert seen["first"] == {"state": "done", "imported": 2, "added": 2}
    assert seen["again"] == seen["first"]                         # the same batch, once
    assert seen["retrieved"] == [["tpe-city", "CTY-0", "1"], ["tpe-city", "CTY-1", "2"]]
    assert seen["confirmed"] == [200, month]
    assert seen["after_confirmation"] == [422, ["last_day"]]
    records = site.read(lambda root: sorted(
        (key, r.hours) for key, r in root["people"]["t-tpe"].records.items()))
    assert [(key, int(h)) for key, h in records] == [
        (("tpe-city", "CTY-0"), 1), (("tpe-city", "CTY-1"), 2)]

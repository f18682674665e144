"""網站滿意度調查 (comms/survey.py): opened by the national centre for a period, answered once
by logged-in accounts, results by role as table, chart and XLSX for the centre only."""
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from inservice_portal import clock

from ..conftest import add_organiser, add_staff, add_teacher, login

TODAY = clock.now().date()


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "nk-staff", root["centres"]["nknu"], "national_centre")
        add_staff(root, "a-admin", school, "principal_admin")
        for n in range(1, 6):
            add_teacher(root, f"t{n}", school, national_id=f"A1{n:08d}"[:10])


def open_survey(testapp, opens=TODAY, closes=TODAY + timedelta(days=30)):
    login(testapp, "nk-staff")
    form = testapp.get("/surveys/").forms["survey-open-form"]
    form["year"], form["opens_on"], form["closes_on"] = str(TODAY.year), opens.isoformat(), \
        closes.isoformat()
    response = form.submit("open", status="*")
    testapp.reset()
    return response


def answer(testapp, who, score):
    login(testapp, who)
    form = testapp.get(f"/surveys/{TODAY.year}/").forms["survey-form"]
    for name in [n for n in form.fields if n.startswith("deformField")]:
        form[name] = str(score)
    form["comment"] = f"{who} 的建議"
    done = form.submit("answer").follow()
    testapp.reset()
    return done


def test_accounts_answer_once_and_the_centre_sees_results_by_role(testapp, world):
    open_survey(testapp)
    login(testapp, "t1")
    assert "滿意度調查進行中" in testapp.get("/").text
    testapp.reset()
    for n, score in enumerate((5, 3, 5, 3), 1):
        answer(testapp, f"t{n}", score)
    login(testapp, "nk-staff")
    assert "t1 的建議" not in testapp.get(f"/surveys/{TODAY.year}/results").text   # only 4
    testapp.reset()
    answer(testapp, "t5", 4)
    login(testapp, "t1")
    assert "您已填寫" in testapp.get(f"/surveys/{TODAY.year}/").text
    assert "滿意度調查進行中" not in testapp.get("/").text
    testapp.get(f"/surveys/{TODAY.year}/results", status=403)
    testapp.reset()
    answer(testapp, "a-admin", 1)                       # one organiser: not shown apart
    login(testapp, "nk-staff")
    page = testapp.get(f"/surveys/{TODAY.year}/results")
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in page.html.select("table tr") if tr.th and tr.find_all("td")}
    assert rows["教師"][:2] == ["5", "4"] and "研習辦理單位" not in rows
    assert rows["全體"][:2] == ["6", "3.5"]
    assert "t1 的建議" in page.text and "（教師）" not in page.text
    assert testapp.get(f"/surveys/{TODAY.year}/results.svg").content_type == "image/svg+xml"
    book = load_workbook(BytesIO(testapp.get(f"/surveys/{TODAY.year}/results.xlsx").body))
    assert book.active["A2"].value == "教師"


def test_a_closed_survey_takes_no_answers(testapp, world):
    open_survey(testapp, opens=TODAY - timedelta(days=30), closes=TODAY - timedelta(days=1))
    login(testapp, "t1")
    assert "未開放填答" in testapp.get(f"/surveys/{TODAY.year}/").text


def test_one_survey_a_year_and_dates_in_order(testapp, world):
    open_survey(testapp)
    again = open_survey(testapp)
    assert again.status_int == 400 and "已經建立" in again.text
    testapp.reset()


def test_only_the_national_centre_opens_one(testapp, world):
    login(testapp, "a-admin")
    assert "survey-open-form" not in testapp.get("/surveys/").forms

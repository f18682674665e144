"""課程意見回饋問卷 (item 26; comms/feedback.py): invited on closing (26-1), answered once by
each attendee only, results for the organiser and its centre from five answers, never who
said what; the national questions in the statistics; one reminder; 26-2's paper summary."""
from datetime import timedelta

import pytest
import transaction
import webtest

from inservice_portal import clock
from inservice_portal.comms import digests
from inservice_portal.statistics import cube

from ..conftest import add_organiser, add_staff, add_teacher, api_client, browser, csrf_of
from .test_roster import SCHOOL, add_ended_course

ATTENDEES = [f"t{n}" for n in range(1, 7)]


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        for n, login in enumerate(ATTENDEES + ["t9"], 1):
            add_teacher(root, login, school, national_id=f"A1{n:08d}"[:10])
        online = add_ended_course(root, school)
        paper = add_ended_course(root, school, "紙本問卷研習")
        paper.update(feedback="26-2")
        return {"online": online.code, "paper": paper.code}


def close(app, code, logins):
    url = f"/api/v1/courses/{code}"
    organiser, reviewer = api_client(app, "a-admin"), api_client(app, "tp-rev")
    organiser.put_json(url + "/roster", {"entries": [
        {"login": login, "attendance": ["present", "present"]} for login in logins]})
    organiser.post_json(url + "/transitions", {"transition": "submit_roster"})
    reviewer.post_json(url + "/transitions", {"transition": "confirm_roster"})


def radios(form) -> list[str]:
    """The questions' radio groups (deform names each by its field's oid), in order."""
    return [name for name in form.fields if name.startswith("deformField")]


def answer(app, code, login, score=4, comment=""):
    client = browser(app, login)
    form = client.get(f"{SCHOOL}/{code}/@@feedback").forms["feedback-form"]
    for field in radios(form):
        form[field] = str(score)
    form["comment"] = comment
    return form.submit("answer")


def test_closing_invites_each_attendee_by_mail(app, world, smtp, site):
    close(app, world["online"], ATTENDEES)
    invited = sorted(m["To"] for m in smtp.messages if "請填寫研習回饋問卷" in m["Subject"])
    assert invited == sorted(f"{login}@example.org" for login in ATTENDEES)
    text = next(m for m in smtp.messages if m["To"] == "t1@example.org").get_content()
    assert f"{SCHOOL}/{world['online']}/feedback" in text


def test_an_attendee_answers_once_and_another_cannot(app, world, smtp, site):
    close(app, world["online"], ATTENDEES)
    answer(app, world["online"], "t1")
    again = browser(app, "t1").get(f"{SCHOOL}/{world['online']}/@@feedback")
    assert "您已填寫本問卷" in again.text and "feedback-form" not in again.forms
    browser(app, "t9").get(f"{SCHOOL}/{world['online']}/@@feedback", status=403)  # not there
    browser(app, "a-admin").get(f"{SCHOOL}/{world['online']}/@@feedback", status=403)
    assert site.read(lambda root: len(
        root["centres"]["taipei"]["353601"][str(world["online"])].questionnaire.answers)) == 1


def test_every_question_needs_an_answer(app, world, smtp, site):
    close(app, world["online"], ATTENDEES)
    client = browser(app, "t1")
    form = client.get(f"{SCHOOL}/{world['online']}/@@feedback").forms["feedback-form"]
    first = radios(form)[0]
    form[first] = "5"
    refused = form.submit("answer", status=400)
    assert "請回答「研習時間與流程安排適當」" in refused.text
    assert refused.forms["feedback-form"][first].value == "5"         # what was chosen stays


def test_results_wait_for_five_answers_and_never_say_who(app, world, smtp, site):
    close(app, world["online"], ATTENDEES)
    for n, login in enumerate(ATTENDEES[:4]):
        answer(app, world["online"], login, score=5 - n % 2, comment=f"意見{login}")
    organiser = browser(app, "a-admin")
    page = organiser.get(f"{SCHOOL}/{world['online']}/@@feedback-results")
    assert "填答人數未達 5 人" in page.text and "意見t1" not in page.text
    answer(app, world["online"], "t5", score=3)
    page = organiser.get(f"{SCHOOL}/{world['online']}/@@feedback-results")
    assert "意見t1" in page.text                    # comments, sorted, without names
    row = page.html.find("th", string="整體而言，我對本次研習感到滿意").find_parent("tr")
    assert [td.get_text() for td in row.find_all("td")][:2] == ["5", "4.2"]   # (5+4+5+4+3)/5
    assert "t1@example.org" not in page.text and "王" not in page.text
    browser(app, "tp-rev").get(f"{SCHOOL}/{world['online']}/@@feedback-results")  # its centre
    browser(app, "pt-rev").get(f"{SCHOOL}/{world['online']}/@@feedback-results", status=403)
    browser(app, "t1").get(f"{SCHOOL}/{world['online']}/@@feedback-results", status=403)


def test_the_national_questions_reach_the_statistics(app, world, smtp, site):
    from inservice_portal.statistics import queue as statistics_queue
    close(app, world["online"], ATTENDEES)

    def figures():
        with site.edit() as root:                    # fold what the one writer may not have yet
            statistics_queue.flush(root)
        found = site.read(lambda root: dict(cube(root, "feedback").items()))
        return ({key[2]: value for key, value in found.items() if key[3] == "sum"},
                {key[2]: value for key, value in found.items() if key[3] == "count"})

    for login, score in zip(ATTENDEES[:4], (5, 3, 4, 4)):
        answer(app, world["online"], login, score=score)
    assert figures() == ({}, {})                     # four: not yet, even in the statistics
    answer(app, world["online"], "t5", score=4)
    sums, counts = figures()
    assert sums["N6"] == 20 and counts["N6"] == 5 and "C1" not in sums
    # … and the national page's table, by the course's county
    from inservice_portal.statistics import tables
    from inservice_portal.statistics.measures import school_year
    from .test_roster import ENDED
    table = site.read(lambda root: tables.feedback(root, school_year(ENDED)))
    [row] = table.rows
    assert row.label == "臺北市" and row.figures["answers"] == 5 and row.figures["N6"] == 4.0
    assert table.total.figures["N6"] == 4.0


def test_the_organiser_adds_its_own_questions_before_closing(app, world, smtp, site):
    organiser = browser(app, "a-admin")
    page = organiser.get(f"{SCHOOL}/{world['online']}/@@feedback-results")
    organiser.post(f"{SCHOOL}/{world['online']}/@@feedback-results",
                   {"csrf_token": csrf_of(page), "questions": "1", "q1": "講義是否實用",
                    "q2": ""})
    close(app, world["online"], ATTENDEES)
    page = browser(app, "t1").get(f"{SCHOOL}/{world['online']}/@@feedback")
    assert "講義是否實用" in page.text and len(radios(page.forms["feedback-form"])) == 7
    page = organiser.get(f"{SCHOOL}/{world['online']}/@@feedback-results")
    assert "自訂第 1 題" not in page.text             # sent: the questions are fixed


def test_those_who_have_not_answered_are_reminded_once(app, world, smtp, site, config):
    close(app, world["online"], ATTENDEES)
    answer(app, world["online"], "t1")
    smtp.messages.clear()
    for day in (0, 7, 8):
        with transaction.manager:
            with site.edit() as root:
                digests.send_all(root, config.registry,
                                 clock.now().date() + timedelta(days=day))
    reminded = sorted(m["To"] for m in smtp.messages if "提醒：研習回饋問卷" in m["Subject"])
    assert reminded == sorted(f"{login}@example.org" for login in ATTENDEES[1:])


class TestPaper:
    @pytest.fixture
    def settings(self, base_settings, tmp_path):       # a FileStorage: memory:// has no blobs
        return dict(base_settings, **{
            "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})

    def test_a_paper_course_sends_nothing_and_takes_its_summary(self, app, world, smtp, site):
        close(app, world["paper"], ATTENDEES)
        assert not [m for m in smtp.messages if "回饋問卷" in m["Subject"]]
        organiser = browser(app, "a-admin")
        form = organiser.get(f"{SCHOOL}/{world['paper']}/@@feedback-upload").forms["upload-form"]
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        form["file"] = webtest.Upload("問卷統計.pdf", pdf, "application/pdf")
        form.submit("upload")
        page = browser(app, "tp-rev").get(f"{SCHOOL}/{world['paper']}/@@feedback-results")
        link = page.html.find("a", string="問卷統計.pdf")["href"]
        assert browser(app, "tp-rev").get(link).body == pdf
        assert organiser.get(f"{SCHOOL}/{world['online']}/@@feedback-upload",
                             status=303).location.endswith("/feedback-results")

"""線上短訊 (comms/messages.py): an organiser writes to a course's registrants, a centre to
its units; each recipient has it in 我的訊息 (read or unread) and by mail, one mail apiece."""
import pytest

from inservice_portal.comms import messages
from inservice_portal.resources.registration import Registration

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, csrf_of, login)

SCHOOL = "/centres/taipei/353601"


@pytest.fixture
def world(site):
    from inservice_portal import clock
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        far = add_organiser(root, "pingtung", "133601", "屏東縣立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "c-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        course = add_course(root, school, "國小閱讀教學")
        course.add_registrations()
        for n, state in enumerate(["accepted", "waitlisted", "withdrawn", "accepted"], 1):
            add_teacher(root, f"t{n}", school, national_id=f"A1{n:08d}"[:10])
            reg = Registration(f"t{n}", course.registrations.next_seq(), clock.now(), state)
            course.registrations.add(f"t{n}", reg, send_events=False)
            course.registrations.file(reg)
        add_teacher(root, "t9", school, national_id="A199999999")
        return f"{SCHOOL}/{course.code}"


def write(testapp, path, subject="教室異動", body="研習地點改至本校視聽教室。"):
    form = testapp.get(path).forms["message-form"]
    form["subject"], form["body"] = subject, body
    return form.submit("send", status="*")


def test_an_organiser_writes_to_the_courses_registrants(testapp, world, smtp, site):
    login(testapp, "a-admin")
    page = testapp.get(f"{world}/@@message")
    assert "將寄給 3 位" in page.text                    # accepted, waitlisted; not withdrawn
    write(testapp, f"{world}/@@message")
    assert sorted(m["To"] for m in smtp.messages) == ["t1@example.org", "t2@example.org",
                                                      "t4@example.org"]
    text = smtp.messages[0].get_content()
    assert "研習地點改至本校視聽教室" in text and "國小閱讀教學" in text and "我的訊息" in text
    assert site.read(lambda root: messages.unread(root, root["people"]["t1"])) == 1
    assert site.read(lambda root: messages.unread(root, root["people"]["t3"])) == 0


def test_the_teacher_reads_it_in_the_inbox_and_marks_it_read(testapp, world, smtp, site):
    login(testapp, "a-admin")
    write(testapp, f"{world}/@@message")
    testapp.reset()
    login(testapp, "t1")
    home = testapp.get("/")
    assert "我的訊息（1 則未讀）" in home.text
    inbox = testapp.get("/messages")
    assert "教室異動" in inbox.text and "（未讀）" in inbox.text
    id = inbox.html.find("button", attrs={"name": "read"})["value"]
    testapp.post("/messages", {"csrf_token": csrf_of(inbox), "read": id})
    assert site.read(lambda root: messages.unread(root, root["people"]["t1"])) == 0
    assert "未讀 0 則" in testapp.get("/messages").text
    # another's message id marks nothing of hers
    testapp.post("/messages", {"csrf_token": csrf_of(inbox), "read": "nope"})


def test_a_centre_writes_to_its_units_staff_only(testapp, world, smtp):
    login(testapp, "tp-rev")
    write(testapp, "/centres/taipei/@@message", subject="研習登錄說明會")
    assert sorted(m["To"] for m in smtp.messages) == ["a-admin@example.org", "b-admin@example.org"]


@pytest.mark.parametrize("who, path", [
    ("b-admin", "course"),          # another school
    ("t1", "course"),               # a teacher: no free messaging
    ("tp-rev", "course"),           # the reviewer does not write to registrants
    ("a-admin", "/centres/taipei/@@message"),
    ("c-admin", "/centres/taipei/@@message"),
])
def test_others_may_not_write(testapp, world, who, path):
    login(testapp, who)
    testapp.get(f"{world}/@@message" if path == "course" else path, status=403)


def test_a_course_without_registrants_is_refused_with_the_text_kept(testapp, world, site):
    from pyramid.traversal import find_resource
    with site.edit() as root:
        course = add_course(root, find_resource(root, SCHOOL), "沒有人報名")
        path = f"{SCHOOL}/{course.code}"
    login(testapp, "a-admin")
    refused = write(testapp, f"{path}/@@message")
    assert refused.status_int == 400 and "目前沒有可收訊的對象" in refused.text
    assert refused.forms["message-form"]["subject"].value == "教室異動"


def test_messages_are_audited(testapp, world, smtp, site):
    from inservice_portal import audit
    login(testapp, "a-admin")
    write(testapp, f"{world}/@@message")
    actions = site.read(lambda root: [e["action"] for e in audit.log_of(root).entries.values()])
    assert "message.send" in actions


def test_a_message_to_many_is_delivered_by_a_job(testapp, world, smtp, site, monkeypatch):
    import threading
    monkeypatch.setattr(messages, "IN_REQUEST", 1)
    monkeypatch.setattr(messages, "BATCH", 1)
    login(testapp, "tp-rev")
    done = write(testapp, "/centres/taipei/@@message", subject="研習登錄說明會").follow()
    assert "正在背景寄送" in done.text
    for thread in threading.enumerate():
        if thread.name.startswith("job "):
            thread.join(30)
    assert sorted(m["To"] for m in smtp.messages) == ["a-admin@example.org", "b-admin@example.org"]
    assert site.read(lambda root: [messages.unread(root, root["people"][login])
                                   for login in ("a-admin", "b-admin")]) == [1, 1]

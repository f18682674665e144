"""問答集 and 意見交流 (comms/faq.py, comms/contact.py): the national centre keeps the FAQ;
anyone asks, the chosen centre answers on its page, the sender follows the signed link."""
import re

import pytest


from ..conftest import add_organiser, add_staff, add_teacher, csrf_of, login


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "nk-staff", root["centres"]["nknu"], "national_centre")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_staff(root, "a-admin", school, "principal_admin")
        add_teacher(root, "t1", school, name="林老師")


def add_entry(testapp, category="account", question="忘記密碼怎麼辦？", answer="請按「忘記密碼」。"):
    form = testapp.get("/faq/edit").forms["faq-form"]
    form["category"], form["question"], form["answer"] = category, question, answer
    return form.submit("save")


def test_the_national_centre_keeps_the_faq_that_everyone_reads(testapp, world):
    login(testapp, "nk-staff")
    add_entry(testapp)
    add_entry(testapp, "records", "研習時數何時登錄？", "課程結案後登錄。")
    page = testapp.get("/faq/")
    edit = next(a["href"] for a in page.html.select("details a")
                if a.get_text() == "修改「忘記密碼怎麼辦？」")
    form = testapp.get(edit).forms["faq-form"]
    form["answer"] = "請在登入頁按「忘記密碼」，依信中連結重設。"
    form.submit("save")
    testapp.reset()
    page = testapp.get("/faq/")
    assert [h.get_text() for h in page.html.select("main h2")] == ["帳號與登入", "研習時數與紀錄"]
    assert "依信中連結重設" in page.text and "修改" not in page.text


@pytest.mark.parametrize("who", ["tp-rev", "t1"])
def test_only_the_national_centre_edits_the_faq(testapp, world, who):
    login(testapp, who)
    testapp.get("/faq/edit", status=403)


def ask(testapp, centre="taipei", **fields):
    form = testapp.get("/ask").forms["ask-form"]
    values = {"centre": centre, "category": "courses", "name": "王小明",
              "email": "parent@example.org", "subject": "課程審核進度",
              "text": "我們的課程送審一週了，請問何時會審核？", **fields}
    for name, value in values.items():
        form[name] = value
    return form.submit("send", status="*")


def test_a_visitor_asks_a_centre_which_answers_and_the_answer_is_mailed(testapp, world, smtp,
                                                                      site):
    sent = ask(testapp)
    status = sent.follow()
    assert "待回覆" in status.text and "我們的課程送審一週了" in status.text
    receipt = next(m for m in smtp.messages if m["To"] == "parent@example.org")
    link = re.search(r"(http://\S+/ask-status\S+)", receipt.get_content()).group(1)
    assert next(m for m in smtp.messages if m["To"] == "tp-rev@example.org")     # told
    smtp.messages.clear()

    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/tickets")
    [form] = [f for f in page.forms.values() if "id" in f.fields]
    form["text"] = "已於今日審核通過。"
    form.submit().follow()
    [answer] = smtp.messages
    assert answer["To"] == "parent@example.org" and "已於今日審核通過" in answer.get_content()
    testapp.reset()
    status = testapp.get(link.replace("http://localhost", ""))
    assert "已回覆" in status.text and "已於今日審核通過" in status.text
    # a follow-up opens it again
    testapp.post(link.replace("http://localhost", ""), {"csrf_token": csrf_of(status),
                                                        "text": "謝謝，另想請問名額。"})
    assert site.read(lambda root: [t.state for t in root.tickets.values()]) == ["open"]


def test_a_logged_in_teacher_has_name_and_address_filled_in(testapp, world):
    login(testapp, "t1")
    form = testapp.get("/ask").forms["ask-form"]
    assert (form["name"].value, form["email"].value) == ("林老師", "t1@example.org")


def test_another_centre_neither_sees_nor_answers_it(testapp, world, smtp, site):
    ask(testapp)
    id = site.read(lambda root: next(iter(root.tickets.keys())))
    login(testapp, "pt-rev")
    page = testapp.get("/centres/pingtung/tickets")
    assert "課程審核進度" not in page.text
    testapp.post("/centres/pingtung/tickets", {"csrf_token": csrf_of(page), "id": id,
                                               "text": "亂回"}, status=404)
    testapp.get("/centres/taipei/tickets", status=403)


def test_a_forged_status_link_is_refused(testapp, world, smtp, site):
    ask(testapp)
    id = site.read(lambda root: next(iter(root.tickets.keys())))
    assert "已失效" in testapp.get(f"/ask-status?id={id}&t=0", status=400).text


def test_a_question_without_content_is_refused_and_kept(testapp, world):
    refused = ask(testapp, text="")
    assert refused.status_int == 400
    assert refused.forms["ask-form"]["subject"].value == "課程審核進度"


def test_answering_twice_is_refused(testapp, world, smtp, site):
    ask(testapp)
    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/tickets")
    id = site.read(lambda root: next(iter(root.tickets.keys())))
    for _ in range(2):
        done = testapp.post("/centres/taipei/tickets", {"csrf_token": csrf_of(page), "id": id,
                                                         "text": "已審核。"}).follow()
    assert "已經回覆過了" in done.text
    assert site.read(lambda root: len(root.tickets[id].thread)) == 2

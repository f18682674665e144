"""The demo school year (inservice_portal.scripts.demo) loaded into a fresh root."""
from datetime import timedelta

import pytest
from pyramid.traversal import find_resource

from inservice_portal import clock, reference
from inservice_portal.accounts.authentication import authenticate
from inservice_portal.scripts.demo import (demo_national_id, id_check_digit, load_demo,
                                   valid_national_id)
from inservice_portal.resources.accounts import Staff, Teacher
from inservice_portal.views.public import upcoming_courses

PASSWORD = "Demo-2026!"
TPE_ES = "/centres/taipei/333621"
UNI = "/centres/nknu/000062"

# login → (unit path, local role): the accounts the brief and the README promise.
STAFF = {
    "moe-admin": ("/", "ministry_admin"),
    "nknu-reviewer": ("/centres/nknu", "national_centre"),
    "k12ea-reviewer": ("/centres/k12ea", "centre_reviewer"),
    "tpe-reviewer": ("/centres/taipei", "centre_reviewer"),
    "ptc-reviewer": ("/centres/pingtung", "centre_reviewer"),
    "tpe-es-admin": (TPE_ES, "principal_admin"),
    "tpe-es-operator": (TPE_ES, "operator"),
    "uni-admin": (UNI, "principal_admin"),
}


@pytest.fixture
def settings(base_settings, tmp_path):
    # A FileStorage with blobs: the demo's shared handouts carry files (memory:// has none).
    return dict(base_settings, **{
        "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})


@pytest.fixture
def loaded(site):
    with site.edit() as root:
        assert load_demo(root) is True
    return site


# --- national ID check digit -------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [
    ("A123456789", True),          # the textbook example
    ("A123456788", False),         # wrong check digit
    ("F131232216", True),
    ("a123456789", False),         # letters are upper case
    ("A323456789", False),         # second digit is the sex: 1 or 2
    ("A12345678", False),
    ("A12345678X", False),
])
def test_valid_national_id(value, ok):
    assert valid_national_id(value) is ok


def test_check_digit_and_demo_ids():
    assert id_check_digit("A12345678") == "9"
    for letter in "ATKE":
        for sex in (1, 2):
            for serial in range(1, 30):
                value = demo_national_id(letter, sex, serial)
                assert valid_national_id(value) and value[2:6] == "0000"


# --- loading -------------------------------------------------------------------------------

def test_staff_accounts_roles_and_passwords(loaded):
    def check(root):
        for login, (path, role) in STAFF.items():
            account = root["people"][login]
            assert isinstance(account, Staff) and account.unit == path
            assert find_resource(root, path).roles_of(login) == (role,)
            assert authenticate(root, login, PASSWORD) is account
    loaded.read(check)


def test_teachers(loaded):
    def check(root):
        teachers = [a for a in root["people"].values() if isinstance(a, Teacher)]
        assert len(teachers) >= 18
        assert {t.stage for t in teachers} == set(reference.vocabulary("school_stages"))
        titles = reference.load("course_form")["vocabularies"]["audience_titles"]
        assert all(t.job_title in titles for t in teachers)
        assert len({t.job_title for t in teachers}) >= 6
        assert all(valid_national_id(t.national_id) for t in teachers)
        assert len({t.national_id for t in teachers}) == len(teachers)
        for t in teachers:
            if t.school is not None:
                assert find_resource(root, t.school).kind in reference.vocabulary("organiser_kinds")
        people = root["people"]
        assert people["teacher-es"].school == people["teacher-es2"].school == TPE_ES
        assert titles[people["teacher-es"].job_title] == "合格專任教師"
        assert people["teacher-jh"].stage == "junior_high"
        assert people["teacher-kg"].stage == "kindergarten"
        assert titles[people["teacher-kg"].job_title].startswith("教保員")
        assert not people["teacher-left"].employed
        for login in ("teacher-es", "teacher-es2", "teacher-jh", "teacher-kg", "teacher-left"):
            assert authenticate(root, login, PASSWORD) is people[login]
    loaded.read(check)


def test_organisers(loaded):
    def check(root):
        kinds = {path: find_resource(root, path).kind for path in (TPE_ES, UNI)}
        assert kinds == {TPE_ES: "k12_school", UNI: "teacher_education_university"}
        for centre in ("taipei", "pingtung", "k12ea", "nknu"):
            organisers = list(root["centres"][centre].values())
            assert organisers and all(len(o.code) == 6 and o.code.isdigit() for o in organisers)
        taipei = [o.title for o in root["centres"]["taipei"].values()]
        assert any("國民小學" in t for t in taipei) and any("國民中學" in t for t in taipei)
        assert any("幼兒園" in t for t in taipei)
    loaded.read(check)


def test_courses_and_upcoming_list(loaded):
    def check(root):
        today = clock.now().date()
        courses = [c for o in _organisers(root) for c in o.values()]
        assert len(courses) >= 12
        assert {"published", "draft", "pending"} <= {c.state for c in courses}
        assert "十二年國教五堂課多元評量--自然領域案例與實作" in {c.title for c in courses}
        assert sorted(int(c.__name__) for c in courses) == sorted(c.code for c in courses)
        assert any(c.starts_on < today for c in courses if c.state == "published")
        upcoming = upcoming_courses(root, today)
        soon = [c for c in upcoming if c.starts_on <= today + timedelta(weeks=4)]
        assert len(soon) >= 5
        assert all(c.state == "published" and c.starts_on >= today for c in upcoming)
        assert [c.starts_on for c in upcoming] == sorted(c.starts_on for c in upcoming)
    loaded.read(check)


def _organisers(root):
    return [o for centre in root["centres"].values() for o in centre.values()]


def test_second_load_changes_nothing(loaded):
    def counts(root):
        return len(root["people"]), root.course_codes.value, len(_organisers(root))

    before, last = loaded.read(counts), loaded.last_transaction()
    with loaded.edit() as root:
        assert load_demo(root) is False
    assert loaded.last_transaction() == last        # no transaction was written
    assert loaded.read(counts) == before


def test_shared_items_of_each_kind_linked_to_courses(loaded):
    from inservice_portal.sharing import service as sharing

    def check(root):
        shared = {kind: sharing.newest_first(root, sharing.browse(root, kinds=(kind,)))
                  for kind in sharing.KIND_ORDER}
        assert all(len(items) >= 2 for items in shared.values()), shared
        handout = next(h for h in shared["handout"] if h.title.startswith("自然領域多元評量"))
        [attachment] = handout.attachments.values()
        assert attachment.content_type == "application/pdf"
        with attachment.blob.open("r") as f:
            assert f.read(5) == b"%PDF-"
        course = sharing.related_courses(handout)[0]
        linked = sharing.items_of_course(course)
        assert handout in linked["handout"]
        assert [lecturer.title for lecturer in linked["lecturer"]] == ["林靜宜"]
        drafts = sharing.browse(root, kinds=("handout",), states=("private",))
        assert len(drafts) == 1
        venue = shared["venue"][0]
        assert sharing.related_courses(venue)


def test_a_closed_course_wrote_its_records(loaded):
    def check(root):
        [closed] = [c for o in _organisers(root) for c in o.values()
                    if c.state == "closed" and c.title == "幼兒園緊急傷病處理與 CPR 實作"]
        for login in ("teacher-kg", "teacher-kg2"):
            [record] = [r for r in root["people"][login].records.values()
                        if r.course_code == closed.code]
            assert record.hours == 4
        assert [c.state for o in _organisers(root) for c in o.values()].count("roster_pending") == 1
    loaded.read(check)


def test_demo_registrations_fill_seats_and_the_waitlist(loaded):
    from inservice_portal.registration import service as registrations

    def look(root):
        courses = {c.title: c for c in find_resource(root, TPE_ES).values()}
        first = courses["十二年國教五堂課多元評量--自然領域案例與實作"]
        review = courses["國小數學領域差異化教學與學習扶助"]
        return ([(r.login, r.state, r.position) for r in registrations.all_of(first)],
                first.seats_left,
                [r.state for r in registrations.all_of(review)],
                [r.course.title for r in registrations.registrations_of(
                    root["people"]["teacher-es"])])

    first, left, review, mine = loaded.read(look)
    assert first == [("teacher-es", "accepted", None), ("teacher-es2", "accepted", None),
                     ("teacher-es3", "accepted", None), ("teacher-es4", "waitlisted", 1)]
    assert left == 0 and review == ["applied", "applied"] and len(mine) == 2


def test_pending_applications_wait_on_their_approvers(loaded):
    def check(root):
        from inservice_portal.accounts import licences, staff as staff_accounts

        school = find_resource(root, TPE_ES)
        assert [a.login for a in staff_accounts.applications(school)] == ["tpe-es-newcontact"]
        taipei = root["centres"]["taipei"]
        assert [a.login for a in staff_accounts.applications(taipei)] == ["tpe-jh-admin"]
        assert not root["people"]["tpe-jh-admin"].active
        [(teacher, licence)] = licences.pending(school)
        assert teacher.login == "teacher-es" and licence.title == "救生員證"
    loaded.read(check)


def test_every_demo_course_is_one_the_form_would_accept(loaded):
    """002 Art. 8 reviews complete courses: the demo's courses, in review, published or past,
    pass the course form's checks (courses/service.problems)."""
    from inservice_portal.catalog import Search
    from inservice_portal.courses.service import problems

    def incomplete(root):
        search = Search(root)
        courses = list(search.execute(search["content_type"].eq("course")).all())
        assert len(courses) == len(reference.load("demo")["courses"])
        return {c.title: problems(c) for c in courses if problems(c)}

    assert loaded.read(incomplete) == {}


def test_every_demo_teacher_has_records_over_two_school_years(loaded):
    """Issue 16 item 10: teacher-left's transcript, and the statistics, have something to
    show; a school year runs from August to July."""
    def school_year(day):
        return day.year - (1 if day.month < 8 else 0)

    def check(root):
        teachers = [a for a in root["people"].values() if a.kind == "teacher"]
        for teacher in teachers:
            years = {school_year(r.last_day) for r in (teacher.records or {}).values()}
            assert len(years) >= 2, teacher.login
    loaded.read(check)

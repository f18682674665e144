"""Cross-cutting security of the published app: CSRF on every POST view, no writes on GET,
deny by default, 409 after exhausted conflict retries, security headers, error pages and the
visibility of a draft course. Views are enumerated from the registry, so a new view is covered
(or makes these tests fail until it is)."""
from urllib.parse import parse_qs, urlsplit

import pytest
from pyramid.config.views import isexception
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from ZODB.POSException import ConflictError

from inservice_portal import clock, permissions
from inservice_portal.comms import survey
from inservice_portal.exchange import partners
from inservice_portal.resources.news import NewsItem
from inservice_portal.resources.newsletter import NewsletterIssue
from inservice_portal.resources.exchange import IExchangePlatform, IPartner
from inservice_portal.resources.interfaces import (IAccount, ICourse, IHandout, IMinistry,
                                                   IOrganiser, IRegionCentre, ISharedItem,
                                                   ISharingArea, ISharingKind, IStaff, ITeacher,
                                                   IUnit, IFaq, INewsItem, INewsRoom,
                                                   INewsletterIssue, INewsletterRoom, ISurvey,
                                                   ISurveys)

from ..conftest import (PASSWORD, add_course, add_organiser, add_shared, add_staff, add_teacher,
                        csrf_of)
from ..conftest import browser as client

SCHOOL = "/centres/taipei/353601"
PUBLISHED = f"{SCHOOL}/1"
DRAFT = f"{SCHOOL}/2"
HANDOUT = "/sharing/handouts/1"
CLOSED = f"{SCHOOL}/3"

# A URL that reaches each registered view, keyed (context interface or route name, view name).
# A view without an entry here fails test_every_view_has_a_sample: add one.
SAMPLES = {
    (IMinistry, ""): "/",
    (IMinistry, "accessibility"): "/accessibility",
    (IMinistry, "privacy"): "/privacy",
    (IMinistry, "forgot-login"): "/forgot-login",
    (IMinistry, "transcript-proof"): "/transcript-proof",
    (IMinistry, "verify"): "/verify",
    (IMinistry, "contact"): "/contact",
    (IMinistry, "account"): "/account",
    (IMinistry, "login"): "/login",
    (IMinistry, "logout"): "/logout",
    (IMinistry, "search"): "/search?q=%E7%A0%94%E7%BF%92&stage=elementary&open=1",
    (IMinistry, "login-otp"): "/login-otp",
    (IMinistry, "mfa"): "/mfa",
    (IMinistry, "mfa-disable"): "/mfa-disable",
    (IMinistry, "password"): "/password",
    (IMinistry, "password-reset"): "/password-reset",
    (IMinistry, "password-reset-confirm"): "/password-reset-confirm?token=x",
    (IMinistry, "audit"): "/audit",
    (IMinistry, "proxy-end"): "/proxy-end",
    (IRegionCentre, "audit"): "/centres/taipei/audit",
    (IRegionCentre, "proxy"): "/centres/taipei/proxy?unit=353601",
    (IRegionCentre, "proxy-start"): "/centres/taipei/proxy-start",
    (IAccount, "security"): "/people/t1/@@security",
    (IAccount, "disable"): "/people/t1/@@disable",
    (IAccount, "enable"): "/people/t1/@@enable",
    (IAccount, "reset-mfa"): "/people/t1/@@reset-mfa",
    (ITeacher, "national-id"): "/people/t1/@@national-id",
    (IMinistry, "signup"): "/signup",
    (IMinistry, "confirm-email"): "/confirm-email?login=t1&token=x",
    (IMinistry, "undo-email-change"): "/undo-email-change?login=t1&token=x",
    (IMinistry, "project-tags"): "/project-tags",
    (IMinistry, "apply-unit"): "/apply-unit",
    (IMinistry, "school-directory"): "/school-directory",
    (IAccount, "edit"): "/people/a-admin/@@edit",
    (IAccount, "resend-confirmation"): "/people/a-admin/resend-confirmation",
    (IMinistry, "apply-staff"): "/apply-staff",
    (IOrganiser, "staff"): f"{SCHOOL}/staff",
    (IOrganiser, "unit-staff"): f"{SCHOOL}/unit-staff",
    (IRegionCentre, "subunits"): "/centres/taipei/subunits",
    (IRegionCentre, "contact"): "/centres/taipei/contact",
    (IOrganiser, "teachers"): f"{SCHOOL}/teachers",
    (IOrganiser, "add-teacher"): f"{SCHOOL}/@@add-teacher",
    (IOrganiser, "contact"): f"{SCHOOL}/contact",
    (IOrganiser, "move"): f"{SCHOOL}/move",
    (IOrganiser, "licences"): f"{SCHOOL}/licences",
    (ITeacher, "licences"): "/people/t1/licences",
    (INewsRoom, ""): "/news/",
    (INewsRoom, "atom.xml"): "/news/atom.xml",
    (INewsRoom, "add"): "/news/add",
    (INewsRoom, "manage"): "/news/manage",
    (INewsItem, ""): "/news/1/",
    (INewsItem, "edit"): "/news/1/@@edit",
    (INewsItem, "workflow"): "/news/1/@@workflow",
    (INewsItem, "files"): "/news/1/@@files",
    (INewsItem, "download"): "/news/1/@@download/x",
    (INewsletterRoom, ""): "/newsletter/",
    (INewsletterRoom, "add"): "/newsletter/add",
    (INewsletterIssue, ""): "/newsletter/1/",
    (INewsletterIssue, "edit"): "/newsletter/1/@@edit",
    (INewsletterIssue, "test"): "/newsletter/1/@@test",
    (INewsletterIssue, "send"): "/newsletter/1/@@send",
    (INewsletterIssue, "resume"): "/newsletter/1/@@resume",
    (ITeacher, "newsletter"): "/people/t1/newsletter",
    (ICourse, "feedback"): f"{CLOSED}/@@feedback",
    (ICourse, "feedback-results"): f"{CLOSED}/@@feedback-results?questions=1",
    (ICourse, "feedback-upload"): f"{CLOSED}/@@feedback-upload",
    (ICourse, "feedback-file"): f"{CLOSED}/@@feedback-file/x",
    (ISurveys, ""): "/surveys/",
    (ISurvey, ""): "/surveys/2026/",
    (ISurvey, "results"): "/surveys/2026/results",
    (ISurvey, "results.svg"): "/surveys/2026/results.svg",
    (ISurvey, "results.xlsx"): "/surveys/2026/results.xlsx",
    (IFaq, ""): "/faq/",
    (IFaq, "edit"): "/faq/edit",
    (IFaq, "remove"): "/faq/remove",
    (IMinistry, "ask"): "/ask",
    (IMinistry, "ask-status"): "/ask-status?id=x&t=0",
    (IRegionCentre, "tickets"): "/centres/taipei/tickets",
    (ICourse, "message"): f"{PUBLISHED}/@@message",
    (IRegionCentre, "message"): "/centres/taipei/@@message",
    (IMinistry, "messages"): "/messages",
    (ITeacher, "subscriptions"): "/people/t1/subscriptions",
    (IStaff, "notifications"): "/people/a-admin/notifications",
    (IMinistry, "subscribe"): "/subscribe?county=%E8%87%BA%E5%8C%97%E5%B8%82",
    (IMinistry, "unsubscribe"): "/unsubscribe?kind=subscriptions&key=t1&t=0",
    (IRegionCentre, ""): "/centres/taipei",
    (IRegionCentre, "worklist"): "/centres/taipei/worklist",
    (IRegionCentre, "settings"): "/centres/taipei/settings",
    (IRegionCentre, "auto-approved"): "/centres/taipei/auto-approved",
    (IOrganiser, ""): SCHOOL,
    (IOrganiser, "courses"): f"{SCHOOL}/courses",
    (IOrganiser, "add-course"): f"{SCHOOL}/@@add-course",
    (ICourse, ""): PUBLISHED,
    (ICourse, "workflow"): f"{PUBLISHED}/workflow",
    (ICourse, "edit"): f"{DRAFT}/@@edit",
    (ICourse, "attachments"): f"{DRAFT}/@@attachments",
    (ICourse, "copy"): f"{PUBLISHED}/@@copy",
    (ICourse, "download"): f"{PUBLISHED}/@@download",
    (ICourse, "roster"): f"{PUBLISHED}/roster",
    (ICourse, "roster.xlsx"): f"{PUBLISHED}/roster.xlsx",
    (ICourse, "roster-upload"): f"{PUBLISHED}/roster-upload",
    (ICourse, "approve-hours"): f"{CLOSED}/approve-hours",
    (ICourse, "checkin-screen"): f"{PUBLISHED}/checkin-screen?session=0",
    (ICourse, "checkin-code"): f"{PUBLISHED}/checkin-code?session=0",
    (IMinistry, "checkin"): "/checkin?course=1&session=0&token=x",
    (ICourse, "my-status"): f"{PUBLISHED}/my-status",
    (IRegionCentre, "overdue-rosters"): "/centres/taipei/overdue-rosters",
    (IOrganiser, "overdue-rosters"): f"{SCHOOL}/overdue-rosters",
    (IRegionCentre, "todo"): "/centres/taipei/todo",
    (IOrganiser, "todo"): f"{SCHOOL}/todo",
    (IOrganiser, "teacher-records"): f"{SCHOOL}/teacher-records",
    (IOrganiser, "teacher-records.xlsx"): f"{SCHOOL}/teacher-records.xlsx",
    (ITeacher, "transcript"): "/people/t1/transcript",
    (ITeacher, "transcript.xlsx"): "/people/t1/transcript.xlsx",
    (ITeacher, "transcript.pdf"): "/people/t1/transcript.pdf",
    (IMinistry, "todo"): "/todo",
    (IMinistry, "transcript"): "/transcript",
    (IMinistry, "transcript.xlsx"): "/transcript.xlsx",
    (IMinistry, "transcript.pdf"): "/transcript.pdf",
    (IMinistry, "statistics"): "/statistics",
    (IMinistry, "statistics.xlsx"): "/statistics.xlsx",
    (IMinistry, "statistics.csv"): "/statistics.csv?table=counties",
    (IMinistry, "statistics.svg"): "/statistics.svg?table=counties",
    (IMinistry, "learning-needs"): "/learning-needs",
    (IMinistry, "learning-needs.xlsx"): "/learning-needs.xlsx",
    (IMinistry, "learning-needs.csv"): "/learning-needs.csv?table=scope",
    (IMinistry, "learning-needs.svg"): "/learning-needs.svg?table=scope",
    (IMinistry, "figures"): "/figures",
    (IMinistry, "figures.xlsx"): "/figures.xlsx",
    (IMinistry, "figures.csv"): "/figures.csv?table=counties",
    (IMinistry, "figures.svg"): "/figures.svg?table=counties",
    (IMinistry, "monthly-report"): "/monthly-report?month=2025-10",
    (IMinistry, "monthly-report.xlsx"): "/monthly-report.xlsx?month=2025-10",
    (IMinistry, "annual-report"): "/annual-report?year=113",
    (IMinistry, "annual-report.xlsx"): "/annual-report.xlsx?year=113",
    (IRegionCentre, "statistics"): "/centres/taipei/statistics",
    (IRegionCentre, "statistics.xlsx"): "/centres/taipei/statistics.xlsx",
    (IRegionCentre, "statistics.csv"): "/centres/taipei/statistics.csv?table=units",
    (IRegionCentre, "statistics.svg"): "/centres/taipei/statistics.svg?table=units",
    (IRegionCentre, "learning-needs"): "/centres/taipei/learning-needs",
    (IRegionCentre, "learning-needs.xlsx"): "/centres/taipei/learning-needs.xlsx",
    (IRegionCentre, "learning-needs.csv"): "/centres/taipei/learning-needs.csv?table=scope",
    (IRegionCentre, "learning-needs.svg"): "/centres/taipei/learning-needs.svg?table=scope",
    (IOrganiser, "statistics"): f"{SCHOOL}/statistics",
    (ICourse, "register"): f"{PUBLISHED}/@@register",
    (ICourse, "withdraw"): f"{PUBLISHED}/@@withdraw",
    (ICourse, "registrations"): f"{PUBLISHED}/@@registrations",
    (ICourse, "export"): f"{PUBLISHED}/@@export?kind=signin",
    (ICourse, "calendar.ics"): f"{PUBLISHED}/@@calendar.ics",
    (IMinistry, "my-registrations"): "/my-registrations",
    (IMinistry, "calendar-feed"): "/calendar-feed",
    (IMinistry, "favourites"): "/favourites",
    ("metrics", ""): "/metrics",
    ("api.tokens", ""): "/api/v1/tokens",
    ("api.units", ""): "/api/v1/units",
    ("api.token", ""): "/api/v1/tokens/current",
    ("api.me", ""): "/api/v1/me",
    ("api.centres", ""): "/api/v1/centres",
    ("api.statistics", ""): "/api/v1/statistics",
    ("api.statistics.national", ""): "/api/v1/statistics/national",
    ("api.statistics.national_needs", ""): "/api/v1/statistics/national/needs",
    ("api.statistics.centre", ""): "/api/v1/statistics/centres/taipei",
    ("api.statistics.centre_needs", ""): "/api/v1/statistics/centres/taipei/needs",
    ("api.statistics.unit", ""): "/api/v1/statistics/units/353601/teachers",
    ("api.organisers", ""): "/api/v1/organisers?centre=taipei",
    ("api.openapi", ""): "/api/v1/openapi.json",
    ("api.course_transitions", ""): "/api/v1/courses/1/transitions",
    ("api.review_pending", ""): "/api/v1/review/pending?centre=taipei",
    ("api.course", ""): "/api/v1/courses/1",
    ("api.organiser_courses", ""): "/api/v1/organisers/353601/courses",
    (ISharingArea, ""): "/sharing?q=%E7%A0%94%E7%BF%92",
    (ISharingKind, ""): "/sharing/handouts?stage=elementary",
    (ISharedItem, ""): HANDOUT,
    (ISharedItem, "edit"): f"{HANDOUT}/@@edit",
    (ISharedItem, "transition"): f"{HANDOUT}/@@transition",
    (IHandout, "files"): f"{HANDOUT}/@@files",
    (IHandout, "download"): f"{HANDOUT}/@@download",
    (IUnit, "share-handout"): f"{SCHOOL}/@@share-handout",
    (IUnit, "share-lecturer"): f"{SCHOOL}/@@share-lecturer",
    (IUnit, "share-venue"): f"{SCHOOL}/@@share-venue",
    (IUnit, "sharing"): f"{SCHOOL}/@@sharing",
    (IRegionCentre, "sharing-moderation"): "/centres/taipei/@@sharing-moderation",
    ("api.sharing", ""): "/api/v1/sharing/handouts?q=%E7%A0%94%E7%BF%92",
    ("api.sharing_item", ""): "/api/v1/sharing/handouts/1",
    ("api.course_search", ""): "/api/v1/courses?q=%E7%A0%94%E7%BF%92&county=%E8%87%BA%E5%8C%97%E5%B8%82",
    ("api.course_roster", ""): "/api/v1/courses/1/roster",
    ("api.me_transcript", ""): "/api/v1/me/transcript",
    ("api.course_registrations", ""): "/api/v1/courses/1/registrations",
    ("api.course_registration", ""): "/api/v1/courses/1/registrations/t1",
    ("api.registration_transitions", ""): "/api/v1/courses/1/registrations/t1/transitions",
    ("api.my_registrations", ""): "/api/v1/me/registrations",
    ("api.my_calendar", ""): "/api/v1/me/calendar.ics",
    ("api.my_calendar_feed", ""): "/api/v1/me/calendar-feed",
    (IExchangePlatform, ""): "/exchange",
    (IExchangePlatform, "register"): "/exchange/@@register",
    (IExchangePlatform, "format"): "/exchange/@@format",
    (IPartner, ""): "/exchange/tpe-city",
    (IPartner, "rotate"): "/exchange/tpe-city/@@rotate",
    (IPartner, "upload"): "/exchange/tpe-city/@@upload",
    (IPartner, "reopen"): "/exchange/tpe-city/@@reopen",
    (IPartner, "edit"): "/exchange/tpe-city/@@edit",
    (IPartner, "revoke"): "/exchange/tpe-city/@@revoke",
    (IRegionCentre, "exchange-status"): "/centres/taipei/exchange-status",
    (IRegionCentre, "imported-records"): "/centres/taipei/imported-records",
    ("api.exchange.months", ""): "/api/v1/exchange/months",
    ("api.exchange.teachers", ""): "/api/v1/exchange/teachers",
    ("api.exchange.confirmation", ""): "/api/v1/exchange/months/2025-10/confirmation",
    (IPartner, "report.xlsx"): "/exchange/tpe-city/@@report.xlsx?batch=x",
    (IPartner, "fix.xlsx"): "/exchange/tpe-city/@@fix.xlsx?batch=x",
    ("api.exchange.files", ""): "/api/v1/exchange/files",
    ("api.exchange.batches", ""): "/api/v1/exchange/batches",
    ("api.exchange.batch", ""): "/api/v1/exchange/batches/x",
    ("api.exchange.token", ""): "/api/v1/exchange/token",
    ("api.exchange.records", ""): "/api/v1/exchange/records",
    ("api.exchange.format", ""): "/api/v1/exchange/format.json",
    ("__static/", ""): "/static/portal.css",
    ("__deform_static/", ""): "/deform_static/css/form.css",
}
# Views allowed to skip the CSRF check (require_csrf=False). Adding one must be deliberate.
CSRF_EXEMPT = {
    ("api.tokens", ""),   # API log-in: JSON in, token out; reads and sets no cookie
    ("api.units", ""),    # 新增研習單位: an anonymous application, no credential of the caller
    ("api.exchange.token", ""),     # OAuth 2 client credentials: no cookie read or set
    ("api.exchange.records", ""),   # a partner's bearer token only: no cookie read
    ("api.exchange.files", ""),     # likewise
    ("api.exchange.batches", ""),   # likewise
    ("api.exchange.confirmation", ""),  # likewise
    ("api.exchange.teachers", ""),  # likewise
    (IMinistry, "unsubscribe"),     # RFC 8058 one-click from a mail client: the link's HMAC is
                                    # the proof, no cookie is read, and it only stops mail
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Pages that answer with an error or a redirect; they must not write either.
FAILURES = ["/no-such-page", f"{SCHOOL}/999", DRAFT, "/account", "/centres/nowhere/1"]


def app_views(config):
    """(introspectable, related) of every request view (exception views left out)."""
    for item in config.registry.introspector.get_category("views"):
        intr = item["introspectable"]
        if not (intr["exception_only"] or isexception(intr["context"])):
            yield intr, item["related"]


def key(intr):
    return (intr["route_name"] or intr["context"], intr["name"])


def allows(intr, method) -> bool:
    return intr["request_methods"] is None or method in intr["request_methods"]


def declared_permission(related):
    values = [r["value"] for r in related if r.category_name == "permissions"]
    return values[0] if values else None


@pytest.fixture
def people(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        far = add_organiser(root, "kaohsiung", "583601", "高雄市立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "c-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "ks-rev", root["centres"]["kaohsiung"], "centre_reviewer")
        add_staff(root, "moe", root, "ministry_admin")
        add_teacher(root, "t1", school)
        assert add_course(root, school, "公開研習").code == 1
        assert add_course(root, school, "草稿研習", state="draft").code == 2
        assert add_shared(root, "handout", school, "研習講義", stage="elementary").id == 1
        assert add_course(root, school, "已結案研習", state="closed").code == 3
        partners.register(root, "tpe-city", "臺北市教師在職進修系統", "database", ("臺北市",))
        news_item = NewsItem("/centres/taipei", "tp-rev", clock.now(), title="臺北市公告",
                             body="內容")
        root["news"].add(str(root["news"].ids.next()), news_item)
        root["newsletter"].add(str(root["newsletter"].numbers.next()),
                               NewsletterIssue("nk", clock.now(), title="春季號", body="內容"))
        today = clock.now().date()
        survey.open_survey(root["surveys"], 2026, today, today, "nk")


# --- the registry ----------------------------------------------------------------------------

def test_every_view_has_a_sample(app, config):
    missing = {key(i) for i, _ in app_views(config)} - set(SAMPLES)
    assert not missing, f"add a sample URL to SAMPLES for {missing}"


def test_every_view_declares_its_permission(app, config):
    undeclared = [key(i) for i, related in app_views(config) if declared_permission(related) is None]
    assert not undeclared


def test_default_permission_is_granted_to_nobody(app, config):
    [default] = config.registry.introspector.get_category("default permission")
    value = default["introspectable"]["value"]
    granted = set(permissions.functions()) | {permissions.VIEW, permissions.AUTHENTICATED}
    assert value and value not in granted and value != NO_PERMISSION_REQUIRED


def test_csrf_exemptions_are_exactly_the_expected(app, config):
    assert {key(i) for i, _ in app_views(config) if i["require_csrf"] is False} == CSRF_EXEMPT


# --- CSRF ------------------------------------------------------------------------------------

def test_every_unsafe_view_refuses_a_request_without_a_valid_token(app, config, people, site):
    """Every POST view (and PUT/PATCH/DELETE), logged in by cookie, without or with a forged
    token: 400, whatever the view would have done. Each view is tried by a school's admin, by
    the ministry's and by a centre's reviewer: one without the permission may get 403 first,
    but one of them must reach the CSRF check, and none may get through."""
    browsers = [client(app, "a-admin"), client(app, "moe"), client(app, "tp-rev")]
    checked = set()
    sessions = site.read(lambda root: len(root.login_sessions))
    for intr, _ in app_views(config):
        if key(intr) in CSRF_EXEMPT:
            continue
        for method in (m for m in UNSAFE if allows(intr, m)):
            url = SAMPLES[key(intr)]
            for token in (None, "forged"):
                statuses = []
                for browser in browsers:
                    response = _unsafe(browser, method, url, token)
                    statuses.append(response.status_int)
                    if response.status_int == 400:
                        _assert_csrf_message(response)
                assert set(statuses) <= {400, 403} and 400 in statuses, (method, url, token,
                                                                         statuses)
            checked.add((key(intr), method))
    assert {((IMinistry, "login"), "POST"), ((IMinistry, "logout"), "POST")} <= checked
    # The refused logout did not log anyone out.
    assert browsers[0].get("/account").status_int == 200
    assert site.read(lambda root: len(root.login_sessions)) == sessions


def _unsafe(browser, method, url, token):
    if method == "POST":
        return browser.post(url, {"csrf_token": token} if token else {}, status="*")
    headers = {"X-CSRF-Token": token} if token else {}
    return browser.request(url, method=method, headers=headers, expect_errors=True)


def _assert_csrf_message(response):
    if response.content_type == "text/html":
        assert "表單已過期" in response.text
    else:
        assert response.json["error"]["code"] == "bad_request"


def test_layout_logout_form_carries_a_working_token(app, people):
    browser = client(app, "t1")
    page = browser.get("/")
    form = next(f for f in page.forms.values() if f.action.endswith("/logout"))
    assert form["csrf_token"].value == csrf_of(page)
    assert form.submit().status_int == 303
    assert browser.get("/account").status_int == 303           # logged out


def test_login_form_carries_a_working_token(app, people):
    browser = client(app)
    form = browser.get("/login").forms["login-form"]
    assert form["csrf_token"].value
    form["login"], form["password"] = "t1", PASSWORD
    form["csrf_token"] = ""
    assert form.submit("submit", status="*").status_int == 400
    form = browser.get("/login").forms["login-form"]
    form["login"], form["password"] = "t1", PASSWORD
    assert form.submit("submit").status_int == 303


# --- no writes on GET ------------------------------------------------------------------------

def test_no_get_writes_to_the_database(app, config, db, people):
    gets = [SAMPLES[key(i)] for i, _ in app_views(config) if allows(i, "GET")]
    browsers = {"anonymous": client(app), "teacher": client(app, "t1"),
                "staff": client(app, "a-admin")}
    before = db.lastTransaction()
    seen = {}
    for who, browser in browsers.items():
        for url in gets + FAILURES:
            seen[who, url] = browser.get(url, status="*").status_int
    assert db.lastTransaction() == before
    # The samples reach a view (a 404 would mean a stale sample), and the failures fail.
    assert not [url for url in gets if seen["staff", url] == 404], seen
    assert seen["staff", "/"] == seen["staff", PUBLISHED] == seen["staff", "/account"] == 200
    assert seen["anonymous", "/account"] == 303 and seen["teacher", DRAFT] == 403
    assert seen["staff", "/no-such-page"] == 404


# --- deny by default -------------------------------------------------------------------------

@pytest.fixture
def undeclared_app(config, request):
    # Added before the app is made: a view that forgot its permission.
    config.add_view(lambda context, req: Response("secret"), context=IMinistry,
                    name="undeclared", request_method="GET")
    return request.getfixturevalue("app")


def test_a_view_without_permission_is_closed_even_to_the_ministry(undeclared_app, people):
    response = client(undeclared_app, "moe").get("/undeclared", status=403)
    assert "secret" not in response.text
    anonymous = client(undeclared_app).get("/undeclared", status=303)
    assert "/login?came_from=" in anonymous.location


# --- conflicts -------------------------------------------------------------------------------

@pytest.fixture
def conflicts(config, request):
    calls = {"always": 0, "once": 0}

    def always(context, req):
        calls["always"] += 1
        raise ConflictError()

    def once(context, req):
        calls["once"] += 1
        if calls["once"] == 1:
            raise ConflictError()
        return Response("done")

    for name, view in (("always", always), ("once", once)):
        config.add_view(view, context=IMinistry, name=name, permission=NO_PERMISSION_REQUIRED)
    return client(request.getfixturevalue("app")), calls


def test_exhausted_retries_answer_409_in_chinese(conflicts):
    browser, calls = conflicts
    response = browser.get("/always", status=409)
    assert calls["always"] == 3                      # retry.attempts = 3
    assert response.content_type == "text/html" and "請稍候再試一次" in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    calls["always"] = 0
    response = browser.get("/always", headers={"Accept": "application/json"}, status=409)
    assert calls["always"] == 3
    assert response.json["error"]["code"] == "conflict"
    assert "請稍候再試一次" in response.json["error"]["message"]


def test_one_conflict_then_success_answers_200(conflicts):
    browser, calls = conflicts
    assert browser.get("/once", status=200).text == "done"
    assert calls["once"] == 2


# --- headers and error pages -----------------------------------------------------------------

def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_security_headers_on_pages_and_errors(app, people):
    anonymous, teacher = client(app), client(app, "t1")
    for response in (anonymous.get("/"), anonymous.get("/login"), teacher.get("/account")):
        assert_security_headers(response)
        assert "no-store" in response.headers["Cache-Control"]
    for response in (anonymous.get("/nope", status=404), anonymous.get("/account", status=303),
                     teacher.get(DRAFT, status=403),
                     teacher.post("/logout", {"csrf_token": "x"}, status=400)):
        assert_security_headers(response)
        assert "no-store" in response.headers["Cache-Control"]


def test_403_and_404_pages_are_in_chinese(app, people):
    teacher = client(app, "t1")
    forbidden = teacher.get(DRAFT, status=403)
    assert "沒有權限" in forbidden.text and 'lang="zh-Hant-TW"' in forbidden.text
    assert "草稿研習" not in forbidden.text
    missing = client(app).get("/no/such/page", status=404)
    assert "找不到網頁" in missing.text and 'lang="zh-Hant-TW"' in missing.text
    as_json = client(app).get("/no/such/page", headers={"Accept": "application/json"},
                              status=404)
    assert as_json.json["error"]["code"] == "not_found"


def test_anonymous_is_sent_to_login_with_the_full_path(app, people):
    browser = client(app)
    response = browser.get("/account?tab=roles&x=1", status=303)
    target = urlsplit(response.location)
    assert target.path == "/login"
    assert parse_qs(target.query)["came_from"] == ["/account?tab=roles&x=1"]
    form = response.follow().forms["login-form"]
    form["login"], form["password"] = "t1", PASSWORD
    assert form.submit("submit").location == "http://localhost/account?tab=roles&x=1"


# --- draft visibility ------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [
    (None, 303),          # the public is asked to log in
    ("t1", 403),          # a teacher of the school
    ("b-admin", 403),     # another school's staff, same centre
    ("c-admin", 403),     # a school in another centre
    ("ks-rev", 403),      # another centre's reviewer
    ("a-admin", 200),     # its own school's staff
    ("tp-rev", 200),      # the reviewer of its centre
])
def test_draft_course_visibility(app, people, who, status):
    browser = client(app, who)
    assert browser.get(DRAFT, status="*").status_int == status
    assert browser.get(PUBLISHED).status_int == 200
    organiser_page = browser.get(SCHOOL).text
    assert "公開研習" in organiser_page
    assert ("草稿研習" in organiser_page) == (status == 200)


@pytest.mark.parametrize("secure, expected", [("true", "max-age=31536000; includeSubDomains"),
                                              ("false", None)])
def test_hsts_only_when_the_site_is_served_over_https(secure, expected):
    """Issue 22 item 7: Strict-Transport-Security where session.secure says HTTPS; a site
    served over plain HTTP (development) must not send it."""
    from types import SimpleNamespace

    from pyramid.response import Response
    from pyramid.testing import DummyRequest

    from inservice_portal.views.headers import security_headers_tween_factory

    tween = security_headers_tween_factory(lambda request: Response("x"),
                                           SimpleNamespace(settings={"session.secure": secure}))
    answer = tween(DummyRequest(path="/account"))
    assert answer.headers.get("Strict-Transport-Security") == expected
    assert answer.headers["Cache-Control"] == "no-store"

"""研習課程查詢: the /search page and GET /api/v1/courses — every filter alone and combined,
Chinese keywords, sorting, paging, only public courses, malformed parameters."""
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import transaction

from inservice_portal import clock, reference
from inservice_portal.courses import search as course_search
from inservice_portal.resources.course import Course
from inservice_portal.workflows import course as course_workflow

from ..conftest import add_organiser, complete

TODAY = clock.now().date()
SHOWCASE = "十二年國教五堂課多元評量--自然領域案例與實作"


def make_course(root, organiser, title, state="published", starts=30, **fields):
    code = root.course_codes.next()
    starts_on = TODAY + timedelta(days=starts)
    values = dict(stage="elementary", scope="1", level=1, hours=3, starts_on=starts_on,
                  ends_on=starts_on, registration_opens=starts_on - timedelta(days=5),
                  registration_closes=starts_on - timedelta(days=1), place="本校會議室",
                  classes=1, seats_per_class=30, audience_stages=("14-4",),
                  delivery_modes=("11-1",))
    values.update(fields)
    course = Course(code, title, state=state, **values)
    organiser.add(str(code), course)
    return code


@pytest.fixture
def courses(site):
    """Named codes of a small catalogue in two counties."""
    with site.edit() as root:
        tpe = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        khh = add_organiser(root, "kaohsiung", "583601", "高雄市立海洋國民中學")
        c = {
            "showcase": make_course(root, tpe, SHOWCASE, starts=10, tags=("素養導向",),
                                    delivery_modes=("11-3", "11-5")),
            "steam": make_course(root, tpe, "STEAM 跨域課程設計", starts=60, scope="2", level=2,
                                 hours=6, seats_per_class=20, classes=2),
            "ocean": make_course(root, khh, "海洋教育教學工作坊", starts=20, stage="junior_high",
                                 audience_stages=("14-3",), level=3, hours=12,
                                 delivery_modes=("11-6",), tags=("海洋教育",)),
            # open now: registration from 10 days ago to 2 days ahead
            "open": make_course(root, khh, "班級經營實務研習", starts=5, stage="junior_high",
                                registration_opens=TODAY - timedelta(days=10),
                                registration_closes=TODAY + timedelta(days=2), hours=1.5),
            # all three bigrams of 自然領域 but not the phrase
            "scattered": make_course(root, tpe, "教學領域與自然領", starts=40),
            "past": make_course(root, tpe, "去年的自然領域研習", state="closed", starts=-300),
            "cancelled": make_course(root, tpe, "取消的自然領域研習", state="cancelled"),
            "draft": make_course(root, tpe, "草稿自然領域研習", state="draft"),
            "pending": make_course(root, tpe, "待審自然領域研習", state="pending"),
            "returned": make_course(root, tpe, "退回自然領域研習", state="returned"),
        }
    return c


def codes(testapp, status=200, **params):
    body = testapp.get("/api/v1/courses", params, status=status).json
    return [item["code"] for item in body["items"]] if status == 200 else body


def found(testapp, **params):
    return set(codes(testapp, per_page=100, **params))


PUBLISHED = ("showcase", "steam", "ocean", "open", "scattered")


# -- which courses -------------------------------------------------------------------------------
def test_blank_search_lists_exactly_the_published_courses(testapp, courses):
    assert found(testapp) == {courses[k] for k in PUBLISHED}


def test_finished_courses_only_on_request_and_never_drafts_or_cancelled(testapp, courses):
    assert found(testapp, finished=1) == {courses[k] for k in PUBLISHED + ("past",)}
    for q in ("自然領域", "研習"):
        hits = found(testapp, q=q, finished=1)
        assert not hits & {courses[k] for k in ("draft", "pending", "returned", "cancelled")}
    page = testapp.get("/search", {"q": "自然領域", "finished": "1"}).text
    for word in ("草稿", "待審", "退回", "取消的"):
        assert word not in page


def test_a_transition_updates_the_catalogue(testapp, site, courses):
    with site.edit() as root:
        draft = complete(root["centres"]["taipei"]["353601"][str(courses["draft"])])
        course_workflow.transition(draft, None, "submit")
        course_workflow.transition(draft, None, "approve")
    assert courses["draft"] in found(testapp, q="草稿")
    with site.edit() as root:
        course = root["centres"]["taipei"]["353601"][str(courses["draft"])]
        course_workflow.transition(course, None, "cancel")
    assert courses["draft"] not in found(testapp, q="草稿")


def test_a_removed_course_leaves_the_catalogue(testapp, site, courses):
    with site.edit() as root:
        root["centres"]["taipei"]["353601"].remove(str(courses["steam"]))
    assert courses["steam"] not in found(testapp)


# -- each filter on its own ----------------------------------------------------------------------
@pytest.mark.parametrize("params, expected", [
    ({"county": "高雄市"}, {"ocean", "open"}),
    ({"centre": "taipei"}, {"showcase", "steam", "scattered"}),
    ({"organiser": "583601"}, {"ocean", "open"}),
    ({"stage": "junior_high"}, {"ocean", "open"}),
    ({"audience_stage": "14-3"}, {"ocean"}),
    ({"scope": "2"}, {"steam"}),
    ({"level": "3"}, {"ocean"}),
    ({"tag": "海洋教育"}, {"ocean"}),
    ({"delivery": "11-5"}, {"showcase"}),
    ({"open": "1"}, {"open"}),
    ({"hours_min": "6"}, {"steam", "ocean"}),
    ({"hours_max": "1.5"}, {"open"}),
    ({"hours_min": "2", "hours_max": "6"}, {"showcase", "steam", "scattered"}),
])
def test_each_filter(testapp, courses, params, expected):
    assert found(testapp, **params) == {courses[k] for k in expected}


def test_date_range_filter_is_inclusive(testapp, courses):
    day = (TODAY + timedelta(days=20)).isoformat()
    assert found(testapp, starts_from=day, starts_to=day) == {courses["ocean"]}
    assert found(testapp, starts_from=(TODAY + timedelta(days=41)).isoformat()) == {
        courses["steam"]}
    assert found(testapp, starts_to=(TODAY + timedelta(days=10)).isoformat()) == {
        courses["showcase"], courses["open"]}


def test_filters_combine(testapp, courses):
    assert found(testapp, county="高雄市", stage="junior_high", open="1") == {courses["open"]}
    assert found(testapp, county="臺北市", q="自然領域", tag="素養導向",
                 delivery="11-3") == {courses["showcase"]}
    assert found(testapp, county="臺北市", stage="junior_high") == set()
    assert found(testapp, q="海洋", county="高雄市", hours_min="10",
                 starts_to=(TODAY + timedelta(days=30)).isoformat()) == {courses["ocean"]}


# -- Chinese and Latin keywords ------------------------------------------------------------------
def test_the_showcase_title_is_found_by_its_field_name(testapp, courses):
    assert found(testapp, q="自然領域") == {courses["showcase"]}      # not "scattered"
    page = testapp.get("/search", {"q": "自然領域"})
    assert SHOWCASE in page.text and "共 1 筆" in page.text


def test_two_character_keyword_and_bigram_phrases(testapp, courses):
    # in a title, and in the organiser's name (高雄市立海洋國民中學)
    assert found(testapp, q="海洋") == {courses["ocean"], courses["open"]}
    assert found(testapp, q="領域") == {courses["showcase"], courses["scattered"]}
    assert found(testapp, q="評量 實作") == {courses["showcase"]}   # every term must match
    assert found(testapp, q="評量 海洋") == set()


def test_latin_words_are_whole_words_and_case_blind(testapp, courses):
    assert found(testapp, q="steam") == {courses["steam"]}
    assert found(testapp, q="ＳＴＥＡＭ") == {courses["steam"]}     # full-width (NFKC)
    assert found(testapp, q="stea") == set()


def test_one_character_and_code_keywords(testapp, courses):
    assert courses["ocean"] in found(testapp, q="洋")
    assert found(testapp, q=str(courses["steam"])) == {courses["steam"]}


def test_odd_keywords_are_plain_text(testapp, courses):
    for q in ['"', "AND", "NOT", "(", "*", "自然 OR", "a" * 100]:
        assert found(testapp, q=q) == set()          # not operators: no course has these words
        assert testapp.get("/search", {"q": q}).status_int == 200


# -- sorting and paging --------------------------------------------------------------------------
def test_sorting(testapp, courses):
    by_start = ["open", "showcase", "ocean", "scattered", "steam"]
    assert codes(testapp) == [courses[k] for k in reversed(by_start)]        # default
    assert codes(testapp, sort="starts_on") == [courses[k] for k in by_start]
    published = sorted(courses[k] for k in PUBLISHED)
    assert codes(testapp, sort="code") == published
    assert codes(testapp, sort="-code") == published[::-1]
    assert codes(testapp, sort="-hours")[:2] == [courses["ocean"], courses["steam"]]
    assert codes(testapp, sort="hours")[0] == courses["open"]


def test_paging(testapp, courses):
    body = testapp.get("/api/v1/courses", {"per_page": 2, "page": 2, "sort": "code"}).json
    assert body["total"] == 5 and body["page"] == 2 and body["per_page"] == 2
    assert [i["code"] for i in body["items"]] == sorted(courses[k] for k in PUBLISHED)[2:4]
    beyond = testapp.get("/api/v1/courses", {"page": 9}).json
    assert beyond["items"] == [] and beyond["total"] == 5
    assert testapp.get("/api/v1/courses", {"per_page": 100}).status_int == 200
    for bad in ({"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"}):
        body = codes(testapp, status=400, **bad)
        assert set(body["error"]["fields"]) <= {"page", "per_page"} and body["error"]["fields"]
    too_deep = codes(testapp, status=400, page=101, per_page=100)
    assert "page" in too_deep["error"]["fields"]


def test_list_item_fields(testapp, courses):
    item = testapp.get("/api/v1/courses", {"q": "STEAM"}).json["items"][0]
    assert item == {
        "code": courses["steam"], "title": "STEAM 跨域課程設計",
        "organiser": {"code": "353601", "name": "臺北市立測試國民小學"},
        "centre": "taipei", "county": "臺北市", "stage": "elementary", "scope": "2",
        "level": 2, "starts_on": (TODAY + timedelta(days=60)).isoformat(),
        "ends_on": (TODAY + timedelta(days=60)).isoformat(),
        "registration_opens": (TODAY + timedelta(days=55)).isoformat(),
        "registration_closes": (TODAY + timedelta(days=59)).isoformat(),
        "registration_opens_time": None, "registration_closes_time": None,
        "registration_open": False, "hours": 6.0, "place": "本校會議室", "seats_left": 40,
    }


# -- malformed parameters ------------------------------------------------------------------------
@pytest.mark.parametrize("params, field", [
    ({"starts_from": "2026-13-01"}, "starts_from"),
    ({"starts_to": "next week"}, "starts_to"),
    ({"starts_from": "2026-05-02", "starts_to": "2026-05-01"}, "starts_to"),
    ({"county": "台北"}, "county"),
    ({"centre": "nowhere"}, "centre"),
    ({"organiser": "../353601"}, "organiser"),
    ({"stage": "primary"}, "stage"),
    ({"audience_stage": "14-9"}, "audience_stage"),
    ({"scope": "5-1"}, "scope"),
    ({"level": "5"}, "level"),
    ({"delivery": "11-7"}, "delivery"),
    ({"open": "yes"}, "open"),
    ({"finished": "2"}, "finished"),
    ({"hours_min": "three"}, "hours_min"),
    ({"hours_min": "-1"}, "hours_min"),
    ({"hours_min": "NaN"}, "hours_min"),
    ({"hours_min": "6", "hours_max": "3"}, "hours_max"),
    ({"sort": "title"}, "sort"),
    ({"q": "字" * 101}, "q"),
    ({"tag": "標" * 51}, "tag"),
])
def test_api_refuses_malformed_parameters(testapp, courses, params, field):
    body = codes(testapp, status=400, **params)
    assert body["error"]["code"] == "malformed"
    assert field in body["error"]["fields"] and body["error"]["fields"][field]


def test_api_names_every_malformed_parameter_at_once(testapp, courses):
    body = codes(testapp, status=400, starts_from="x", county="y", per_page="500")
    assert set(body["error"]["fields"]) == {"starts_from", "county", "per_page"}


def test_page_shows_an_error_summary_for_a_malformed_date(testapp, courses):
    page = testapp.get("/search", {"starts_from": "2026-02-30", "county": "臺北市", "q": "自然"})
    assert page.status_int == 200
    summary = page.html.select_one(".error-summary")
    assert summary is not None and summary.get("role") == "alert"
    link = summary.select_one('a[href="#f-starts_from"]')
    assert link is not None and "開課日期（起）" in link.text
    field = page.html.select_one("#f-starts_from")
    assert field["value"] == "2026-02-30" and field["aria-invalid"] == "true"
    assert "f-starts_from-error" in field["aria-describedby"]
    assert page.html.select_one('#f-county option[selected]')["value"] == "臺北市"
    assert page.html.select_one("#f-q")["value"] == "自然"
    assert not page.html.select(".results li")                # no results for a bad query


def test_page_refuses_a_bad_page_number_politely(testapp, courses):
    page = testapp.get("/search", {"page": "-1"})
    assert page.status_int == 200 and "頁碼須為 1 以上的整數" in page.text


# -- the page ------------------------------------------------------------------------------------
def test_page_form_is_labelled_and_its_vocabularies_come_from_the_data(testapp, courses):
    page = testapp.get("/search")
    html = page.html
    for control in html.select("form.search-form select, form.search-form input"):
        assert html.select_one(f'label[for="{control["id"]}"]'), control
    assert len(html.select("form.search-form fieldset legend")) == 3
    counties = [o["value"] for o in html.select("#f-county option")][1:]
    assert counties == [c["county"] for c in reference.centres() if c["county"]]
    assert len(counties) == 22
    delivery = reference.load("course_form")["vocabularies"]["delivery_modes"]
    assert [o["value"] for o in html.select("#f-delivery option")][1:] == list(delivery)
    assert [o["value"] for o in html.select("#f-sort option")] == list(course_search.SORTS)
    assert html.select_one("form.search-form")["method"] == "get"


def test_results_show_the_result_fields(testapp, courses):
    page = testapp.get("/search", {"q": "STEAM"})
    line = page.html.select_one(".results li").text
    for text in (str(courses["steam"]), "STEAM 跨域課程設計", "臺北市立測試國民小學",
                 (TODAY + timedelta(days=60)).isoformat(), "6 小時", "本校會議室",
                 "剩餘名額 40"):
        assert text in line
    assert "報名中" in testapp.get("/search", {"open": "1"}).html.select_one(".results li").text


def test_page_links_keep_the_filters(testapp, site, courses):
    with site.edit() as root:
        tpe = root["centres"]["taipei"]["353601"]
        for i in range(25):
            make_course(root, tpe, f"自然科學研習第{i}場", starts=100 + i)
    page = testapp.get("/search", {"q": "自然", "county": "臺北市", "sort": "code"})
    assert "共 27 筆" in page.text
    next_link = page.html.select_one('.pager a[rel="next"]')["href"]
    query = parse_qs(urlsplit(next_link).query)
    assert query == {"q": ["自然"], "county": ["臺北市"], "sort": ["code"], "page": ["2"]}
    second = testapp.get(next_link)
    assert len(second.html.select(".results li")) == 7 and "第 2 / 2 頁" in second.text
    assert second.html.select_one('#f-sort option[selected]')["value"] == "code"


def test_search_writes_nothing(testapp, site, courses):
    before = site.last_transaction()
    testapp.get("/search", {"q": "自然領域", "open": "1"})
    testapp.get("/api/v1/courses", {"q": "自然領域"})
    assert site.last_transaction() == before


def test_evolve_step_2_brings_an_old_catalog_up_to_date(testapp, site, courses):
    from hypatia.field import FieldIndex
    from hypatia.text import TextIndex

    from inservice_portal import evolve
    from inservice_portal.catalog import COMPACT_KEYWORD_INDEXES, Attr, SearchableText
    from inservice_portal.catalog.text import make_lexicon

    new = ["county", "registration_opens", "registration_closes", "scope", "sub_item", "level",
           "hours", *COMPACT_KEYWORD_INDEXES]
    with site.edit() as root:               # the catalog as evolve step 1 left it
        for name in new:
            del root.catalog[name]
        root.catalog["code"] = FieldIndex(Attr("code"))
        root.catalog["text"] = TextIndex(SearchableText(), lexicon=make_lexicon())
        root.evolve_version = 1
    with site.edit() as root:
        assert [number for number, _, _ in evolve.pending(root)][0] == 2
        for number, _, step in evolve.pending(root):
            step(root)
            root.evolve_version = number
    assert found(testapp, county="高雄市", q="海洋", tag="海洋教育") == {courses["ocean"]}
    assert found(testapp, q="自然領域") == {courses["showcase"]}


def test_a_published_course_without_an_opening_date_is_open_as_registering_says(
        testapp, site, courses):
    """Registering reads a blank item 16 as open since publication (rules/eligibility.py): so
    do the 報名中 filter and badge. Every course still has an index value (subtraction)."""
    from inservice_portal.catalog import OpeningDate, queue

    with site.edit() as root:
        organiser = root["centres"]["taipei"]["353601"]
        undated = make_course(root, organiser, "未定報名日期的研習", starts=3,
                              registration_opens=None,
                              registration_closes=TODAY + timedelta(days=1))
        queue.flush(root)                 # the indexer's work, in this transaction
        docid = root.objectmap.docid_for(organiser[str(undated)])
        assert root.catalog["registration_opens"]._rev_index[docid] == OpeningDate.ALWAYS
    assert found(testapp, open="1") == {courses["open"], undated}
    listed = testapp.get("/api/v1/courses", {"q": "未定報名日期"}).json["items"]
    assert listed[0]["registration_open"] is True


# Issue 16 item 5: the window at its edges, in Taipei time; the filter and the badge agree.
EDGE_DAY = date(2099, 5, 10)
EDGE_COURSES = {   # name: (item 16, item 17, first day)
    "opens_today": (EDGE_DAY, EDGE_DAY + timedelta(days=10), EDGE_DAY + timedelta(days=15)),
    "until_the_day_before": (EDGE_DAY - timedelta(days=9), None, EDGE_DAY + timedelta(days=1)),
    "closes_today": (EDGE_DAY - timedelta(days=9), EDGE_DAY, EDGE_DAY + timedelta(days=5)),
    "begins_today": (EDGE_DAY - timedelta(days=9), None, EDGE_DAY),
}


@pytest.mark.parametrize("moment, expected", [
    (datetime(2099, 5, 9, 23, 59), {"until_the_day_before", "closes_today", "begins_today"}),
    (datetime(2099, 5, 10, 0, 0), {"opens_today", "until_the_day_before", "closes_today"}),
    (datetime(2099, 5, 10, 23, 59), {"opens_today", "until_the_day_before", "closes_today"}),
    (datetime(2099, 5, 11, 0, 0), {"opens_today"}),
])
def test_open_for_registration_at_the_edges_of_the_window(testapp, site, monkeypatch, moment,
                                                         expected):
    codes_of = {}
    with site.edit() as root:
        organiser = add_organiser(root, "taipei", "353609", "臺北市立邊界國民小學")
        for name, (opens, closes, first) in EDGE_COURSES.items():
            code = root.course_codes.next()
            organiser.add(str(code), Course(
                code, f"邊界 {name}", state="published", stage="elementary", scope="1", level=1,
                hours=3, starts_on=first, ends_on=first, registration_opens=opens,
                registration_closes=closes, place="本校", classes=1, seats_per_class=30))
            codes_of[code] = name
    monkeypatch.setattr(clock, "now", lambda: moment.replace(tzinfo=clock.TAIPEI))
    filtered = {codes_of[c] for c in found(testapp, open="1", q="邊界")}
    items = testapp.get("/api/v1/courses", {"q": "邊界", "per_page": 100}).json["items"]
    badged = {codes_of[i["code"]] for i in items if i["registration_open"]}
    assert filtered == badged == expected


def test_evolve_24_indexes_the_window_as_registering_reads_it(testapp, site, monkeypatch):
    from inservice_portal import evolve
    from inservice_portal.catalog import DateOrdinal, reindex_all

    with site.edit() as root:               # the index as it was: a blank item 17 not indexed
        organiser = add_organiser(root, "taipei", "353609", "臺北市立邊界國民小學")
        code = root.course_codes.next()
        organiser.add(str(code), Course(
            code, "邊界 至前一日", state="published", stage="elementary", scope="1", level=1,
            hours=3, starts_on=EDGE_DAY, ends_on=EDGE_DAY, place="本校", classes=1,
            registration_opens=EDGE_DAY - timedelta(days=5), registration_closes=None))
    with site.edit() as root:
        root.catalog["registration_closes"].discriminator = DateOrdinal("registration_closes")
        reindex_all(root, ["registration_closes"])
        root.evolve_version = 23
        course = root["centres"]["taipei"]["353609"][str(code)]
        closing = root.catalog["registration_closes"]._rev_index
        assert root.objectmap.docid_for(course) not in closing
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    monkeypatch.setattr(clock, "now", lambda: datetime(2099, 5, 8, 12, tzinfo=clock.TAIPEI))
    assert found(testapp, open="1", q="邊界") == {code}


def test_evolve_step_8_makes_the_catalog_smaller_and_keeps_its_answers(testapp, site, courses):
    from hypatia.keyword import KeywordIndex

    from inservice_portal import evolve
    from inservice_portal.catalog import (
        CompactKeywordIndex, LinkKeys, NeverRecorded, NoDocumentWeights, Search, link_key)

    with site.edit() as root:               # the catalog as evolve step 7 left it
        catalog = root.catalog
        for name in ("places", "lecturer_names"):
            catalog[name] = KeywordIndex(LinkKeys(name))
        for name in ("places", "sub_item", "content_type"):
            catalog[name]._not_indexed = catalog[name].family.IF.TreeSet([1, 2])
        catalog["text"].index._docweight = catalog["text"].index.family.IF.BTree({1: 3})
        root.evolve_version = 7
    with site.edit() as root:
        assert [number for number, _, _ in evolve.pending(root)][0] == 8
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
    with site.edit() as root:
        catalog = root.catalog
        assert isinstance(catalog["places"], CompactKeywordIndex)
        assert isinstance(catalog["sub_item"]._not_indexed, NeverRecorded)
        assert list(catalog["content_type"]._not_indexed) == [1, 2]   # state/type keep theirs
        assert isinstance(catalog["text"].index._docweight, NoDocumentWeights)
        search = Search(root)
        # the venue index was filled again from the courses: the sharing area still links them
        held = search["places"].eq(link_key("本校會議室"))
        assert {c.code for c in search.execute(held).all()} >= {courses["showcase"]}
        # a document without a value is no longer recorded anywhere
        catalog["sub_item"].index_doc(424242, object())
        assert 424242 not in catalog["sub_item"]._not_indexed
    assert found(testapp, q="自然領域") == {courses["showcase"]}


def test_evolve_step_10_keeps_the_courses_of_each_year_together(testapp, site, courses):
    from hypatia.field import FieldIndex

    from inservice_portal import evolve
    from inservice_portal.catalog import YearIndex, reindex_all

    with site.edit() as root:               # starts_on as a plain FieldIndex (before step 10)
        root.catalog["starts_on"] = FieldIndex(root.catalog["starts_on"].discriminator)
        reindex_all(root)
        root.evolve_version = 9
    with site.edit() as root:
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
        assert isinstance(root.catalog["starts_on"], YearIndex)
    starts = {"showcase": 10, "steam": 60, "ocean": 20, "open": 5, "scattered": 40}
    for year in (TODAY.year, TODAY.year + 1):
        expected = {courses[c] for c, days in starts.items()
                    if (TODAY + timedelta(days=days)).year == year}
        assert found(testapp, starts_from=f"{year}-01-01", starts_to=f"{year}-12-31") == expected


def test_evolve_step_11_gives_each_catalogued_object_its_docid(testapp, site, courses):
    from BTrees.OOBTree import OOBTree

    from inservice_portal import evolve
    from inservice_portal.catalog import DOCID, find_course, index_object

    with site.edit() as root:               # the objectmap as step 10 left it
        objectmap = root.objectmap
        objectmap.path_to_id = OOBTree({path: docid for docid, path in objectmap.id_to_path.items()})
        showcase = find_course(root, courses["showcase"])
        docid = getattr(showcase, DOCID)
        delattr(showcase, DOCID)
        root.evolve_version = 10
    with site.edit() as root:
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
        assert "path_to_id" not in root.objectmap.__dict__
        showcase = find_course(root, courses["showcase"])
        assert getattr(showcase, DOCID) == docid
        assert root.objectmap.docid_for(showcase) == docid
    with site.edit() as root:               # an edit reindexes the same document
        showcase = find_course(root, courses["showcase"])
        showcase.title = "鯨豚生態研習"
        index_object(showcase)
        assert root.objectmap.docid_for(showcase) == docid
    assert found(testapp, q="鯨豚") == {courses["showcase"]}
    assert found(testapp, q="自然領域") == set()


def test_removing_an_uncatalogued_copy_leaves_the_original_indexed(testapp, site, courses):
    """A copy of a course object (not through the copy page, which makes a new one) carries
    the original's docid until it is catalogued."""
    import copy

    from inservice_portal.catalog import DOCID, find_course, unindex_object

    with site.edit() as root:
        showcase = find_course(root, courses["showcase"])
        twin = copy.copy(showcase)
        twin.__parent__, twin.__name__ = showcase.__parent__, "twin"
        assert getattr(twin, DOCID) == getattr(showcase, DOCID)
        assert root.objectmap.docid_for(twin) is None
        unindex_object(twin)
        assert root.objectmap.docid_for(showcase) == getattr(showcase, DOCID)
    assert found(testapp, q="自然領域") == {courses["showcase"]}


class FloatHours:
    """The hours index's values before evolve step 12 (stored in an index: importable)."""

    def __call__(self, obj, default):
        value = getattr(obj, "approved_hours", None)
        return float(value) if value else default


def test_evolve_step_12_rebuilds_the_text_and_hours_indexes(testapp, site, courses):
    from hypatia.field import FieldIndex
    from hypatia.text import TextIndex

    from inservice_portal import evolve
    from inservice_portal.catalog import Hours, SearchableText, reindex_all
    from inservice_portal.catalog.text import BOUNDARY, make_lexicon

    with site.edit() as root:
        root.catalog["hours"] = FieldIndex(FloatHours())
        root.catalog["text"] = TextIndex(SearchableText(), lexicon=make_lexicon())
        reindex_all(root, ["hours", "text"])
        assert 12.0 in root.catalog["hours"]._fwd_index
        root.evolve_version = 11
    with site.edit() as root:
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
        catalog = root.catalog
        assert type(catalog["hours"].discriminator) is Hours
        assert {type(hours) for hours in catalog["hours"]._fwd_index} == {int, float}   # 1.5
        boundary = catalog["text"].lexicon.get_wid(BOUNDARY)
        assert catalog["text"].index.boundary_wid == boundary
        assert boundary not in catalog["text"].index._wordinfo
    assert found(testapp, hours_min="2", hours_max="6") == {
        courses["showcase"], courses["steam"], courses["scattered"]}
    assert found(testapp, q="自然領域") == {courses["showcase"]}
    # one character: inside a run (域), and last of its run (教學領域與自然領)
    assert found(testapp, q="域") == {courses[c] for c in ("showcase", "steam", "scattered")}
    assert found(testapp, q="領") == {courses["showcase"], courses["scattered"]}


class TestDemoCatalogue:
    @pytest.fixture
    def settings(self, base_settings, tmp_path):
        # A FileStorage with blobs: the demo's shared handouts carry files (memory:// has none).
        return dict(base_settings, **{
            "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})

    def test_the_demo_catalogue_has_courses_open_for_registration(self, testapp, site):
        from inservice_portal.scripts.demo import load_demo

        with site.edit() as root:
            load_demo(root)
        body = testapp.get("/api/v1/courses", {"open": "1", "q": "自然領域"}).json
        assert [i["title"] for i in body["items"]] == [SHOWCASE]
        assert body["items"][0]["registration_open"] is True
        # every published course starting within 30 days (demo.yaml course_defaults window)
        assert testapp.get("/api/v1/courses", {"open": "1"}).json["total"] == 8

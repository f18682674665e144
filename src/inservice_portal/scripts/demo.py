"""A demo school year (``inservice-portal CONFIG_URI demo``): organisers under four centres,
staff of every level, teachers of every stage and courses around today. Content: data/demo.yaml.

Every account's password is ``Demo-2026!``; every staff account is enrolled in MFA with the
TOTP secret of data/demo.yaml (published, demo only). National ID numbers are generated here: a run of
zeros and a serial, with a valid check digit (so forms that check it accept them), and obviously
not a real person's.
"""
import html
import io
from datetime import time, timedelta

from pyramid.traversal import find_resource, resource_path

from .. import clock, printing, reference
from ..accounts import licences, mfa, staff as staff_accounts
from ..attendance import records, roster
from ..catalog import Search, queue
from ..courses import attachments, taxonomy
from ..courses.project_tags import ProjectTags
from ..registration import service as registrations
from ..resources.accounts import Staff, Teacher
from ..resources.course import Course, Session
from ..resources.events import ObjectModified, notify
from ..resources.organiser import Organiser
from ..rules import national_id
from ..sharing import service as sharing
from ..statistics.rebuild import rebuild as rebuild_statistics

MARKER = "demo_loaded_at"      # set on the root: the demo loads once, even if later edited away

# The 內政部 check-digit rule lives in rules/national_id.py.
id_check_digit = national_id.check_digit


def valid_national_id(value: str) -> bool:
    """Letter, 1 or 2 (sex), eight digits, and a weighted sum divisible by 10."""
    if (len(value) != 10 or value[0] not in national_id.LETTERS or value[1] not in "12"
            or not value[1:].isdigit()):
        return False
    return national_id.weighted_sum(value) % 10 == 0


def demo_national_id(letter: str, sex: int, serial: int) -> str:
    first9 = f"{letter}{sex}0000{serial:03d}"
    return first9 + id_check_digit(first9)


def load_demo(root) -> bool:
    """Build the demo into ``root``; False (and no change) if it was loaded before.

    The registry must be current (objects are indexed by the catalog's subscribers on add).
    """
    if getattr(root, MARKER, None) is not None:
        return False
    data = reference.load("demo")
    password = data["password"]
    today = clock.now().date()

    organisers = {}
    for alias, o in data["organisers"].items():
        centre = root["centres"][o["centre"]]
        organisers[alias] = centre.add(o["code"], Organiser(
            o["code"], o["name"], o["kind"], county=o.get("county", centre.county),
            address=o["address"], phone=o["phone"], email=o["email"]))
        organisers[alias].school_type = o.get("school_type")

    def unit(ref):
        return organisers[ref] if ref in organisers else find_resource(root, ref)

    people = root["people"]
    for s in data["staff"]:
        where = unit(s["unit"])
        account = Staff(s["login"], s["name"], f"{s['login']}@example.org",
                        unit=resource_path(where), staff_type=s["role"], phone=s["phone"])
        account.email_confirmed = True        # (demo addresses: reset links work)
        account.set_password(password)
        mfa.enrol_known_secret(account, data["totp_secret"])    # staff must have MFA
        people.add(s["login"], account)
        where.grant(s["login"], s["role"])

    for serial, t in enumerate(data["teachers"], start=1):
        school = organisers[t["school"]] if t["school"] else None
        letter = data["id_letters"].get(school.county if school else None, "A")
        account = Teacher(t["login"], t["name"], f"{t['login']}@example.org",
                          national_id=demo_national_id(letter, t["sex"], serial),
                          school=resource_path(school) if school else None, stage=t["stage"],
                          job_title=t["job_title"], subjects=t["subjects"])
        account.email_confirmed = True
        account.set_password(password)
        people.add(t["login"], account)

    for a in data.get("staff_applications", ()):
        staff_accounts.file_application(unit(a["unit"]), a["login"], password, a["name"],
                                        f"{a['login']}@example.org", a["phone"], a["role"])
    for a in data.get("licence_applications", ()):
        licences.apply(people[a["teacher"]], a["title"], a["issuer"], a["number"],
                       today + timedelta(days=a["issued_on"]))

    root.project_tags = ProjectTags(data["project_tags"], by="moe-admin")
    for name in data["retired_project_tags"]:
        root.project_tags.retire(name)

    for c in data["courses"]:
        starts = today + timedelta(days=c["start"])
        code = root.course_codes.next()
        window = {}
        if "registration" in c:      # days from today, so that 報名中 stays true in a demo
            opens, closes = c["registration"]
            window = {"registration_opens": today + timedelta(days=opens),
                      "registration_closes": today + timedelta(days=closes)}
        sessions = [Session(starts, *(time.fromisoformat(t) for t in span.split("-")))
                    for span in c.get("sessions", ())]
        organiser = organisers[c["organiser"]]
        fields = complete_fields(data, c, organiser, starts, sessions, window)
        course = Course(code, c["title"], state=c["state"], **fields)
        organiser.add(str(code), course)
        if course.state != c["state"]:
            # A workflow subscriber may have put the new course in its initial state: the demo
            # skips the review steps, so set the wanted state and reindex.
            course.state = c["state"]
            notify(ObjectModified(course))
        if c.get("roster"):
            marks = c["roster"] if c["roster"] != "everyone" else {
                t["login"]: ["present"] * len(course.sessions) for t in data["teachers"]}
            _demo_roster(course, marks)

    load_sharing(root, data.get("sharing", {}), organisers)
    load_comms(root, data)
    rebuild_statistics(root)        # the demo sets states directly, past the subscribers
    _register(root, data.get("registrations", ()))
    setattr(root, MARKER, clock.now())
    return True


def complete_fields(data, c, organiser, starts, sessions, window) -> dict:
    """A demo course's fields, every item the form asks for filled (course_defaults), so that
    a course in review or published is one the form would accept."""
    days = c.get("days", 1)
    stage = c.get("fields", {}).get("stage") or data["stages"][c["organiser"]]
    fields = dict(data["course_defaults"], stage=stage,
                  audience_stages=reference.load("course_form")["stage_audiences"][stage],
                  starts_on=starts, ends_on=starts + timedelta(days=days - 1),
                  place=c["place"], hours=c["hours"],
                  registration_opens=starts - timedelta(days=30),
                  registration_closes=starts - timedelta(days=1),
                  sessions=sessions or _sessions(starts, days, c["hours"]),
                  contacts=[{"name": "研習承辦人", "phone": organiser.phone,
                             "email": organiser.email}])
    fields["sub_item"] = next(iter(taxonomy.sub_items(stage, fields["scope"])), ("",))[0] or None
    fields.update(window)
    fields.update(c.get("fields", {}))
    return fields


def _sessions(first, days, hours) -> list:
    """Sessions worth ``hours`` over ``days`` (rules/hours.py): one a day up to four hours,
    else a morning of three and the rest in the afternoon."""
    minutes = round(hours * 60 / days)
    spans = ([(time(9), minutes)] if minutes <= 240
             else [(time(9), 180), (time(13), minutes - 180)])
    return [Session(first + timedelta(days=d), start,
                    time(start.hour + length // 60, length % 60))
            for d in range(days) for start, length in spans]


def demo_pdf(item, unit_title: str) -> bytes:
    """A handout's stand-in file: an A4 PDF in Chinese (printing/), naming what it is."""
    fields = {"title": item.title, "unit": unit_title, "description": item.description}
    body = {k: html.escape(v or "") for k, v in fields.items()}
    return printing.pdf(
        '<!DOCTYPE html><html lang="zh-Hant-TW"><head><meta charset="utf-8">'
        f'<title>{body["title"]}</title></head><body><h1>{body["title"]}</h1>'
        f'<dl><dt>分享單位</dt><dd>{body["unit"]}</dd><dt>內容說明</dt>'
        f'<dd>{body["description"]}</dd></dl>'
        "<p>本檔為全國教師在職進修資訊網示範資料，內容僅供展示資源分享區的功能。</p></body></html>")


def load_sharing(root, data: dict, organisers: dict):
    """資源分享區: the demo's shared items (data/demo.yaml ``sharing``), linked to its courses."""
    queue.flush(root)                   # the courses just added, searchable in this transaction
    search = Search(root)
    by_title = {c.title: c for c in search.execute(search["content_type"].eq("course")).all()}
    added = {}                          # (kind, title) → the item, to publish it at the end

    def course(title):
        return by_title[title]

    def add(kind, entry, **fields):
        item = sharing.add_item(root, kind, organisers[entry["unit"]], "demo", **fields)
        added[kind, entry["title"]] = item
        return item

    common = ("title", "description", "tags")
    for h in data.get("handouts", ()):
        item = add("handout", h, course_code=course(h["course"]).code, stage=h["stage"],
                   scope=h["scope"], sub_item=h.get("sub_item"), licence=h["licence"],
                   **{k: h[k] for k in common})
        checked = attachments.check(io.BytesIO(demo_pdf(item, organisers[h["unit"]].title)),
                                    h["file"])
        attachments.store(item, checked, "demo", clock.now())
    for entry in data.get("lecturers", ()):
        add("lecturer", entry, **{k: entry[k] for k in common + (
            "affiliation", "expertise_stages", "expertise_scopes", "expertise", "consent")},
            phone=entry.get("phone", ""), email=entry.get("email", ""))
        for title in entry.get("taught", ()):
            taught = course(title)
            taught.update(lecturers=list(taught.lecturers) + [
                {"name": entry["title"], "kind": "8-1" if "大學" in entry["affiliation"]
                 else "8-2"}])
            notify(ObjectModified(taught))
    for v in data.get("venues", ()):
        add("venue", v, address=v["address"], county=v["county"], capacity=v["capacity"],
            facilities=v["facilities"], course_codes=[course(t).code for t in v["courses"]],
            **{k: v[k] for k in common})
    for kind, entries in data.items():
        for entry in entries:
            if entry["state"] != "private":
                item = added[kind[:-1], entry["title"]]
                item.state = entry["state"]
                notify(ObjectModified(item))


def load_comms(root, data: dict):
    """最新消息 (published) and 問答集."""
    from ..comms import faq, news
    from ..resources.news import NewsItem, ensure_news_room

    room = ensure_news_room(root)
    now = clock.now()
    for n in data.get("news", ()):
        path = f"/centres/{n['publisher']}" if n["publisher"] else "/"
        item = NewsItem(path, "demo", now, title=n["title"], body=n["body"],
                        pinned=n.get("pinned", False))
        room.add(str(room.ids.next()), item, send_events=False)
        item.state, item.published_at = "published", now     # (past the workflow, as above)
        news.refile(room, item)
    box = faq.ensure_faq(root)
    for order, (category, question, answer) in enumerate(data.get("faq", ())):
        faq.save(box, {"category": category, "question": question, "answer": answer,
                       "order": order})


def _demo_roster(course, marks: dict):
    """A saved roster (研習名單); a closed course's records written as confirming would."""
    roster.save(course, [roster.Row(login, login, attendance, "registration")
                         for login, attendance in marks.items()], "demo")
    if course.state == "closed":
        records.write_course(course)
def _register(root, rows):
    """Demo registrations through the service, so seats and the waitlist are the real ones."""
    queue.flush(root)
    search = Search(root)
    for row in rows:
        course = search.execute(search["content_type"].eq("course")).all()
        course = next(c for c in course if c.title == row["course"])
        for login in row["teachers"]:
            registrations.register(None, course, root["people"][login])

"""A demo school year (``inservice-portal CONFIG_URI demo``): organisers under four centres,
staff of every level, teachers of every stage and courses around today. Content: data/demo.yaml.

Every account's password is ``Demo-2026!``. National ID numbers are generated here: a run of
zeros and a serial, with a valid check digit (so forms that check it accept them), and obviously
not a real person's.
"""
from datetime import timedelta

from pyramid.traversal import find_resource, resource_path

from . import clock, licences, reference, staff_accounts
from .resources.accounts import Staff, Teacher
from .resources.course import Course
from .resources.events import ObjectModified, notify
from .resources.organiser import Organiser

MARKER = "demo_loaded_at"      # set on the root: the demo loads once, even if later edited away

# The number a national ID's first letter stands for (內政部 國民身分證統一編號 rule).
ID_LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                      (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25,
                       26, 27, 28, 29, 32, 30, 31, 33)))
ID_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)   # letter's two digits, then the nine digits


def _id_sum(body: str) -> int:
    digits = divmod(ID_LETTERS[body[0]], 10) + tuple(int(d) for d in body[1:])
    return sum(d * w for d, w in zip(digits, ID_WEIGHTS))


def id_check_digit(first9: str) -> str:
    """The tenth character of a national ID whose first nine are ``first9`` (e.g. A12345678)."""
    return str(-_id_sum(first9) % 10)


def valid_national_id(value: str) -> bool:
    """Letter, 1 or 2 (sex), eight digits, and a weighted sum divisible by 10."""
    if (len(value) != 10 or value[0] not in ID_LETTERS or value[1] not in "12"
            or not value[1:].isdigit()):
        return False
    return _id_sum(value) % 10 == 0


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

    def unit(ref):
        return organisers[ref] if ref in organisers else find_resource(root, ref)

    people = root["people"]
    for s in data["staff"]:
        where = unit(s["unit"])
        account = Staff(s["login"], s["name"], f"{s['login']}@example.org",
                        unit=resource_path(where), staff_type=s["role"], phone=s["phone"])
        account.set_password(password)
        people.add(s["login"], account)
        where.grant(s["login"], s["role"])

    for serial, t in enumerate(data["teachers"], start=1):
        school = organisers[t["school"]] if t["school"] else None
        letter = data["id_letters"].get(school.county if school else None, "A")
        account = Teacher(t["login"], t["name"], f"{t['login']}@example.org",
                          national_id=demo_national_id(letter, t["sex"], serial),
                          school=resource_path(school) if school else None, stage=t["stage"],
                          job_title=t["job_title"], subjects=t["subjects"])
        account.set_password(password)
        people.add(t["login"], account)

    for a in data.get("staff_applications", ()):
        staff_accounts.file_application(unit(a["unit"]), a["login"], password, a["name"],
                                        f"{a['login']}@example.org", a["phone"], a["role"])
    for a in data.get("licence_applications", ()):
        licences.apply(people[a["teacher"]], a["title"], a["issuer"], a["number"],
                       today + timedelta(days=a["issued_on"]))

    for c in data["courses"]:
        starts = today + timedelta(days=c["start"])
        code = root.course_codes.next()
        course = Course(code, c["title"], starts_on=starts,
                        ends_on=starts + timedelta(days=c.get("days", 1) - 1), place=c["place"],
                        hours=c["hours"], state=c["state"], **c.get("fields", {}))
        organisers[c["organiser"]].add(str(code), course)
        if course.state != c["state"]:
            # A workflow subscriber may have put the new course in its initial state: the demo
            # skips the review steps, so set the wanted state and reindex.
            course.state = c["state"]
            notify(ObjectModified(course))

    setattr(root, MARKER, clock.now())
    return True

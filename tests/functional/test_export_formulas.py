"""XLSX formula injection (issue 22 item 5): a title or a name typed as a formula is written
as text in every export (sign-in sheets, registrations, participants, the roster template,
the transcript and the school's teacher records), never as a formula Excel would run."""
from datetime import date, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from inservice_portal import clock
from inservice_portal.attendance.records import records_of
from inservice_portal.resources.course import Session
from inservice_portal.resources.records import LOCAL, TrainingRecord

from ..conftest import add_course, add_organiser, add_staff, add_teacher, csrf_of
from .test_security import client

TITLE = '=HYPERLINK("http://evil.example/","點我")'
NAME = "=1+1"
SCHOOL = "/centres/taipei/353601"


@pytest.fixture
def world(site):
    day = clock.now().date() - timedelta(days=2)
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "admin", school, "principal_admin")
        teacher = add_teacher(root, "t1", school, name=NAME)
        course = add_course(root, school, TITLE, starts_on=date(2099, 3, 2))
        course.update(sessions=[Session(date(2099, 3, 2), time(9), time(12))])
        ended = add_course(root, school, TITLE, starts_on=day)
        ended.update(sessions=[Session(day, time(9), time(12))])
        records_of(teacher, create=True)[(LOCAL, "9")] = TrainingRecord(
            "t1", LOCAL, "9", title=TITLE, course_code=9, organiser="+SUM(A1)",
            hours=Decimal(3), days=((day, Decimal(3)),))
        return course.code, ended.code


def formulas(body: bytes) -> list:
    book = load_workbook(BytesIO(body))
    return [(cell.coordinate, cell.value) for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def texts(body: bytes) -> set:
    book = load_workbook(BytesIO(body))
    return {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}


def test_no_export_carries_a_formula(app, world):
    code, ended = world
    teacher = client(app, "t1")
    page = teacher.get(f"{SCHOOL}/{code}")
    teacher.post(f"{SCHOOL}/{code}/@@register", {"csrf_token": csrf_of(page)}, status=303)
    staff = client(app, "admin")
    bodies = {kind: staff.get(f"{SCHOOL}/{code}/@@export", {"kind": kind}).body
              for kind in ("signin", "signin_blank", "registrations", "participants")}
    bodies["roster"] = staff.get(f"{SCHOOL}/{ended}/roster.xlsx").body
    bodies["transcript"] = teacher.get("/transcript.xlsx").body
    bodies["school transcript"] = staff.get("/people/t1/transcript.xlsx").body
    bodies["teacher records"] = staff.get(f"{SCHOOL}/teacher-records.xlsx").body
    for kind, body in bodies.items():
        assert formulas(body) == [], kind
    assert NAME in texts(bodies["registrations"]) and TITLE in texts(bodies["transcript"])
    assert NAME in texts(bodies["teacher records"])

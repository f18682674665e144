"""研習課程登錄: the writes of a course's form, shared by the pages and the API. Each takes a
validated CourseSchema appstruct (or copies a course) and knows nothing of HTTP; the course
workflow (workflows/api.py) moves it on from there (送出審核 and the rest), and refuses to
send a course for review that the form would refuse (``problems``: 002 Art. 8 reviews
complete courses only).
"""
import copy as copying

import colander
from pyramid.traversal import find_root

from .. import clock
from ..resources.course import Course
from ..resources.events import ObjectModified, notify
from ..schemas.course import CourseSchema, from_course, kept_fields, to_fields
from ..workflows.course import ICompleteness


def create(organiser, appstruct, by: str, registry, kept=False) -> Course:
    """A new draft under ``organiser``, made by the login ``by``. ``kept``: an incomplete
    draft (暫存草稿), ``appstruct`` holding the items that parsed."""
    code = find_root(organiser).course_codes.next()
    course = Course(code, **(kept_fields(appstruct) if kept else to_fields(appstruct)))
    _stamp(course, by)
    organiser.add(str(code), course, registry=registry)
    return course


def save(course, appstruct, registry, kept=False):
    course.update(**(kept_fields(appstruct, course) if kept else to_fields(appstruct)))
    notify(ObjectModified(course), registry)   # the catalog reindexes


def copy(course, by: str, registry) -> Course:
    """A new draft with every form field of ``course`` (not its registrations, history or
    attachments), under a new code, beside it."""
    code = find_root(course).course_codes.next()
    new = Course(code, state="draft", **copying.deepcopy(course.fields()))
    new.copied_from = course.code
    _stamp(new, by)
    course.__parent__.add(str(code), new, registry=registry)
    return new


def _stamp(course, by: str):
    course.created_by = by
    course.created_at = clock.now()


def problems(course) -> dict:
    """What the course form would refuse in ``course`` as it is stored: field → 「item」message,
    in the form's order; empty for a complete course."""
    schema = CourseSchema().bind(request=None, context=course.__parent__, course=course,
                                 stage=course.stage, suggested=None)
    try:
        schema.deserialize(schema.serialize(from_course(course)))
    except colander.Invalid as error:
        titles = {node.name: node.title for node in schema.children}
        return {path: message if "「" in message
                else f"「{titles.get(path.split('.')[0], path)}」{message}"
                for path, message in error.asdict().items()}
    return {}


def includeme(config):
    config.registry.registerUtility(problems, ICompleteness)

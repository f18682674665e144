"""A teacher who moves to another county takes the records along: partners of the new
county read them (the feed enters each again under it; the old county's entries go), and
the review list follows to the new county's centre."""
from pyramid.traversal import find_root

from ..resources.events import IObjectModified
from ..resources.interfaces import ITeacher
from ..statistics.measures import teacher_place
from . import feed, review


def on_modified(event):
    teacher = event.object
    records = getattr(teacher, "records", None)
    if not ITeacher.providedBy(teacher) or not records:
        return
    root = find_root(teacher)
    if "exchange" not in root:
        return
    place = teacher_place(teacher)
    if feed.county_of(feed.feed_of(root), teacher.login, records) == place[0]:
        return                                   # not a move between counties
    for key in records.keys():
        feed.note(teacher, key, place)
    review.forget(root, teacher.login)
    review.refresh(root, [(teacher, place)])


def includeme(config):
    config.add_subscriber(on_modified, IObjectModified)

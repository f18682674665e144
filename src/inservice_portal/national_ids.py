"""Finding a teacher by national ID (身分證統一編號) without walking /people.

``root.national_ids`` maps an ID to a login; it is kept by event subscribers when a teacher is
added, modified or removed, created with a new root and built for older sites by evolve
step 6. It is a hint: the caller checks that the account found still holds that ID.
"""
from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_root

from .resources.events import IObjectAdded, IObjectModified, IObjectWillBeRemoved
from .resources.interfaces import ITeacher


def ensure_index(root):
    if getattr(root, "national_ids", None) is None:
        root.national_ids = OOBTree()
    return root.national_ids


def build(root):
    """Evolve step 6: index every teacher of an existing site."""
    index = ensure_index(root)
    for login, account in root["people"].items():
        value = getattr(account, "national_id", None)
        if ITeacher.providedBy(account) and value:
            index[value.upper()] = login


def login_of(root, national_id: str):
    index = getattr(root, "national_ids", None)
    return index.get(national_id.upper()) if index is not None and national_id else None


def _index_of(event):
    if not ITeacher.providedBy(event.object):
        return None
    root = find_root(event.object)
    return getattr(root, "national_ids", None)


def on_added(event):
    index = _index_of(event)
    value = getattr(event.object, "national_id", None)
    if index is not None and value and index.get(value.upper()) != event.object.login:
        index[value.upper()] = event.object.login


def on_removed(event):
    index = _index_of(event)
    value = getattr(event.object, "national_id", None)
    if index is not None and value and index.get(value.upper()) == event.object.login:
        del index[value.upper()]


def includeme(config):
    config.add_subscriber(on_added, IObjectAdded)
    config.add_subscriber(on_added, IObjectModified)
    config.add_subscriber(on_removed, IObjectWillBeRemoved)

"""Catalog upkeep by one indexer (catalog/queue.py): writers only note objects in their
connection's inbox; the indexer reconciles them with the catalog after the commit — where
they now stand, moved, copied or gone — and catches up at start-up on what a process that
died left noted. A search in the writer's own transaction sees its change after ``flush``."""
import copy
import logging

import pytest

from inservice_portal import evolve
from inservice_portal.catalog import DOCID, Search, queue

from ..conftest import add_course, add_organiser


def titles(site, text):
    def find(root):
        search = Search(root)
        return sorted((c.title, c.__parent__.__name__)
                      for c in search.execute(search["text"].contains(text)).all())
    return site.read(find)


@pytest.fixture
def schools(site):
    with site.edit() as root:
        add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")


def test_a_change_is_searchable_once_committed_and_in_its_transaction_after_flush(app, site,
                                                                                 schools):
    with site.edit() as root:
        add_course(root, root["centres"]["taipei"]["353601"], "海洋教育研習")
        search = Search(root)
        assert list(search.execute(search["text"].contains("海洋")).all()) == []   # noted
        queue.flush(root)
        assert len(list(search.execute(search["text"].contains("海洋")).all())) == 1
    assert titles(site, "海洋") == [("海洋教育研習", "353601")]


def test_what_a_dead_process_noted_is_indexed_when_an_indexer_starts(app, site, db, schools,
                                                                    monkeypatch):
    monkeypatch.delitem(queue.Indexer.writers(), db)             # as if it died after the commit
    with site.edit() as root:
        add_course(root, root["centres"]["taipei"]["353601"], "海洋教育研習")
    assert titles(site, "海洋") == []
    indexer = queue.Indexer(db)
    indexer.start(interval=60)                           # what main() does at start-up
    indexer.stop()
    assert titles(site, "海洋") == [("海洋教育研習", "353601")]


def test_a_moved_course_keeps_its_docid_a_copy_gets_its_own_a_removed_one_goes(app, site,
                                                                              schools):
    with site.edit() as root:
        course = add_course(root, root["centres"]["taipei"]["353601"], "海洋教育研習")
    with site.edit() as root:
        first, second = (root["centres"]["taipei"][code] for code in ("353601", "353602"))
        course = first.remove(next(iter(first.keys())))
        docid = getattr(course, DOCID)
        second.add("moved", course)
    assert titles(site, "海洋") == [("海洋教育研習", "353602")]
    assert site.read(lambda root: getattr(root["centres"]["taipei"]["353602"]["moved"], DOCID)
                     ) == docid
    with site.edit() as root:
        second = root["centres"]["taipei"]["353602"]
        twin = copy.copy(second["moved"])
        twin.code = root.course_codes.next()             # as the copy page gives it
        second.add("twin", twin)
        assert getattr(twin, DOCID) != docid
    assert titles(site, "海洋") == [("海洋教育研習", "353602")] * 2
    with site.edit() as root:
        root["centres"]["taipei"]["353602"].remove("moved")
    assert titles(site, "海洋") == [("海洋教育研習", "353602")]
    assert site.read(lambda root: root.objectmap.path_for(docid)) is None


def test_an_object_that_cannot_be_indexed_does_not_hold_up_the_others(app, site, schools,
                                                                     monkeypatch, caplog):
    real = queue.reconcile

    def fails_for_one(root, obj, path):
        if obj.title == "壞掉的研習":
            raise ValueError("cannot index")
        return real(root, obj, path)
    monkeypatch.setattr(queue, "reconcile", fails_for_one)
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        add_course(root, school, "壞掉的研習")
        add_course(root, school, "海洋教育研習")
    assert titles(site, "海洋") == [("海洋教育研習", "353601")]
    assert any("could not reconcile" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)
    assert site.read(lambda root: sum(inbox.count - root.index_queue.done.get(key, 0)
                                      for key, inbox in root.index_queue.inboxes.items())) == 0


def test_evolve_step_15_gives_an_older_root_its_queue(app, site, schools):
    with site.edit() as root:
        del root.index_queue
        root.evolve_version = 14
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    with site.edit() as root:
        add_course(root, root["centres"]["taipei"]["353601"], "海洋教育研習")
    assert titles(site, "海洋") == [("海洋教育研習", "353601")]

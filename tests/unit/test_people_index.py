"""The national-ID index on /people (a BTree, not a scan) and evolve step 7 that builds it."""
from pyramid.config import Configurator
from pyramid.threadlocal import manager

from inservice_portal import evolve
from inservice_portal.bootstrap import make_root
from inservice_portal.resources.accounts import Staff, Teacher


def with_registry(fn):
    config = Configurator()
    config.include("inservice_portal.catalog")
    manager.push({"registry": config.registry, "request": None})
    try:
        return fn()
    finally:
        manager.pop()


def test_adding_and_removing_teachers_keeps_the_index():
    def run():
        root = make_root()
        people = root["people"]
        people.add("t1", Teacher("t1", "甲", national_id="A123456789"))
        people.add("t2", Teacher("t2", "乙", national_id="A123456789"))   # a duplicate fixture
        people.add("s1", Staff("s1", "丙"))
        assert people.login_for_national_id("A123456789") == "t1"          # the first holder
        people.remove("t2")
        assert people.login_for_national_id("A123456789") == "t1"
        people.remove("t1")
        assert people.login_for_national_id("A123456789") is None
        assert list(people.national_ids) == []
    with_registry(run)


def test_step_7_indexes_existing_teachers_and_catalogues_them():
    def run():
        root = make_root()
        people = root["people"]
        people.add("t1", Teacher("t1", "甲", national_id="A123456789", school="/centres/x/1"))
        people.national_ids = None                      # a database from before the index
        del root.catalog["school"]                     # … and from before the school index
        setattr(root, evolve.VERSION_KEY, 1)

        class TM:
            def get(self):
                return self

            def note(self, text):
                pass

            def commit(self):
                pass

        evolve.run(root, tm=TM(), log=lambda line: None)
        assert people.login_for_national_id("A123456789") == "t1"
        assert list(root.catalog["school"].eq("/centres/x/1").execute()) != []
        assert getattr(root, evolve.VERSION_KEY) == 7
    with_registry(run)

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
        [step] = [step for number, _, step in evolve.STEPS if number == 7]
        step(root)
        assert people.login_for_national_id("A123456789") == "t1"
        assert list(root.catalog["school"].eq("/centres/x/1").execute()) != []
    with_registry(run)


def test_two_concurrent_sign_ups_with_one_id_cannot_both_commit(tmp_path):
    """Different logins merge (BTree conflict resolution); the same ID in the index does not:
    the second commit conflicts, and its retry finds the ID taken (teacher_accounts)."""
    import pytest
    import transaction
    from ZODB import DB
    from ZODB.FileStorage import FileStorage
    from ZODB.POSException import ConflictError

    from inservice_portal.accounts import teachers as teacher_accounts

    db = DB(FileStorage(str(tmp_path / "Data.fs")))
    try:
        with db.transaction() as conn:
            conn.root()["app"] = make_root()
        tms = [transaction.TransactionManager() for _ in range(2)]
        conns = [db.open(transaction_manager=tm) for tm in tms]
        roots = [conn.root()["app"] for conn in conns]
        for n, root in enumerate(roots):
            tms[n].begin()
            len(root["people"].national_ids)               # both read before either writes
        teacher_accounts.create_teacher(roots[0], "first", "甲", "", "A123456789")
        teacher_accounts.create_teacher(roots[1], "second", "乙", "", "A123456789")
        tms[0].commit()
        with pytest.raises(ConflictError):
            tms[1].commit()
        tms[1].abort()
        tms[1].begin()
        assert roots[1]["people"].login_for_national_id("A123456789") == "first"
        with pytest.raises(teacher_accounts.DuplicateNationalId):
            teacher_accounts.create_teacher(roots[1], "second", "乙", "", "A123456789")
        # Two different IDs at once both commit.
        tms[0].begin()
        tms[1].abort()
        tms[1].begin()
        teacher_accounts.create_teacher(roots[0], "third", "丙", "", "B123456780")
        teacher_accounts.create_teacher(roots[1], "fourth", "丁", "", "F131104093")
        tms[0].commit()
        tms[1].commit()
        for conn in conns:
            conn.close()
        with db.transaction() as conn:
            assert sorted(conn.root()["app"]["people"].national_ids.values()) == [
                "first", "fourth", "third"]
    finally:
        db.close()

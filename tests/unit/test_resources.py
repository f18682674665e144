"""Resources and the account machinery: folders, events, counters, local roles, login sessions,
API tokens, passwords, lockout, masking."""
from datetime import timedelta

import pytest
import transaction
from pyramid.config import Configurator
from pyramid.testing import DummyRequest
from ZODB import DB
from ZODB.MappingStorage import MappingStorage
from ZODB.POSException import ConflictError

from inservice_portal import clock
from inservice_portal.accounts import login_sessions, passwords, tokens
from inservice_portal.accounts.authentication import FAILURE_MESSAGE, LoginFailed, authenticate
from inservice_portal.bootstrap import make_root
from inservice_portal.rules.national_id import mask_national_id
from inservice_portal.resources.accounts import Staff, Teacher
from inservice_portal.resources.counters import Counter
from inservice_portal.resources.events import IObjectAdded, IObjectWillBeRemoved
from inservice_portal.resources.folder import Folder, FolderKeyError, check_name
from inservice_portal.resources.organiser import Organiser


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Production argon2 costs ~0.2 s a hash; the behaviour under test does not need it."""
    monkeypatch.setattr(passwords, "_hasher", passwords._hasher)
    monkeypatch.setattr(passwords, "_DUMMY", passwords._DUMMY)
    passwords.configure({"argon2.time_cost": 1, "argon2.memory_cost": 1024,
                         "argon2.parallelism": 1})


@pytest.fixture
def frozen(monkeypatch):
    """A settable clock: ``frozen.at(delta)`` moves it to start + delta."""
    start = clock.now()

    class Clock:
        def at(self, delta=timedelta()):
            monkeypatch.setattr(clock, "now", lambda: start + delta)

    c = Clock()
    c.at()
    return c


# --- Folder ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", ".", "..", "@@view", "a/b", " a", "a ", "\ta", None, 1])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError):
        check_name(name)
    with pytest.raises(ValueError):
        Folder().add(name, Folder(), send_events=False)


@pytest.mark.parametrize("name", ["114601", "nknu", "研習", "a.b", "a b"])
def test_plain_names_are_kept(name):
    assert check_name(name) == name


def test_add_get_remove_and_len():
    folder = Folder()
    assert len(folder) == 0 and bool(folder)          # empty but not falsy
    child = folder.add("a", Folder(), send_events=False)
    folder.add("b", Folder(), send_events=False)
    assert child.__name__ == "a" and child.__parent__ is folder
    assert folder["a"] is child and folder.get("zz") is None and "a" in folder
    assert list(folder) == ["a", "b"] and len(folder) == 2
    with pytest.raises(FolderKeyError):
        folder.add("a", Folder(), send_events=False)
    assert len(folder) == 2
    assert folder.remove("a", send_events=False) is child
    assert "a" not in folder and len(folder) == 1
    with pytest.raises(KeyError):
        folder.remove("a", send_events=False)
    assert len(folder) == 1


def test_events_are_fired_to_subscribers():
    config = Configurator()
    seen = []
    config.add_subscriber(lambda e: seen.append(("added", e.name, e.parent, e.object)),
                          IObjectAdded)

    def removing(event):
        # Fired before removal: the object is still in place, lineage intact.
        seen.append(("removing", event.name, event.name in event.parent, event.object.__parent__))

    config.add_subscriber(removing, IObjectWillBeRemoved)
    config.commit()
    folder, child = Folder(), Folder()
    folder.add("x", child, registry=config.registry)
    folder.remove("x", registry=config.registry)
    folder.add("quiet", Folder(), send_events=False, registry=config.registry)
    folder.remove("quiet", send_events=False, registry=config.registry)
    assert seen == [("added", "x", folder, child), ("removing", "x", True, folder)]


# --- Counter ---------------------------------------------------------------------------------

def test_counter_counts_from_its_start():
    counter = Counter(41)
    assert [counter.next(), counter.next()] == [42, 43] and counter.value == 43


def test_concurrent_counter_increments_conflict_rather_than_merge():
    # Two transactions that both took "the next code" must not both commit.
    db = DB(MappingStorage())
    tm1, tm2 = transaction.TransactionManager(), transaction.TransactionManager()
    c1, c2 = db.open(transaction_manager=tm1), db.open(transaction_manager=tm2)
    c1.root()["counter"] = Counter()
    tm1.commit()
    tm2.begin()
    assert c1.root()["counter"].next() == 1
    assert c2.root()["counter"].next() == 1
    tm1.commit()
    with pytest.raises(ConflictError):
        tm2.commit()
    tm2.abort()
    db.close()


# --- Units and local roles -------------------------------------------------------------------

def test_grant_refuses_roles_the_unit_kind_cannot_hold():
    root = make_root()
    taipei = root["centres"]["taipei"]
    school = taipei.add("100001", Organiser("100001", "甲校", "k12_school"), send_events=False)
    for unit, wrong in [(root, "principal_admin"), (root, "centre_reviewer"),
                        (taipei, "principal_admin"), (taipei, "national_centre"),
                        (root["centres"]["nknu"], "centre_reviewer"),
                        (school, "centre_reviewer"), (school, "ministry_admin"),
                        (school, "teacher"), (school, "nonsense")]:
        with pytest.raises(ValueError):
            unit.grant("x", wrong)
        assert unit.roles_of("x") == ()


def test_grant_and_revoke_local_roles():
    root = make_root()
    school = root["centres"]["taipei"].add("100001", Organiser("100001", "甲校", "k12_school"),
                                           send_events=False)
    school.grant("x", "operator")
    school.grant("x", "contact")
    school.grant("x", "contact")
    assert school.roles_of("x") == ("contact", "operator")
    school.revoke("x", "operator")
    assert school.roles_of("x") == ("contact",)
    school.revoke("x", "contact")
    assert school.roles_of("x") == () and "x" not in school.__local_roles__
    root.grant("moe", "ministry_admin")
    assert root.roles_of("moe") == ("ministry_admin",)


# --- Login sessions --------------------------------------------------------------------------

def test_login_session_lives_twelve_hours(frozen):
    root = make_root()
    request = DummyRequest()
    request.session["stale"] = "pre-login value"
    sid = login_sessions.start(root, request, Staff("s1", "甲"))
    assert request.session == {login_sessions.SESSION_KEY: sid,
                               "_csrft_": request.session["_csrft_"]}   # fixation: cleared
    assert login_sessions.login_of(root, sid) == "s1"
    frozen.at(login_sessions.ABSOLUTE_TIMEOUT - timedelta(seconds=1))
    assert login_sessions.login_of(root, sid) == "s1"
    frozen.at(login_sessions.ABSOLUTE_TIMEOUT)
    assert login_sessions.login_of(root, sid) is None
    assert login_sessions.login_of(root, None) is None
    assert login_sessions.login_of(root, "forged") is None


def test_each_login_gets_a_fresh_session_id_and_csrf_token():
    root = make_root()
    request = DummyRequest()
    calls = []
    request.session.new_csrf_token = lambda: calls.append("new")   # DummySession's is constant
    first = login_sessions.start(root, request, Staff("s1", "甲"))
    second = login_sessions.start(root, DummyRequest(), Staff("s1", "甲"))
    assert first != second and len(first) >= 40 and calls == ["new"]


def test_logout_and_end_all(frozen):
    root = make_root()
    requests = [DummyRequest() for _ in range(3)]
    a1 = login_sessions.start(root, requests[0], Staff("a", "甲"))
    a2 = login_sessions.start(root, requests[1], Staff("a", "甲"))
    b = login_sessions.start(root, requests[2], Staff("b", "乙"))
    login_sessions.end(root, requests[0])
    assert login_sessions.login_of(root, a1) is None and login_sessions.SESSION_KEY not in \
        requests[0].session
    assert login_sessions.login_of(root, a2) == "a"
    login_sessions.end_all(root, "a")
    assert login_sessions.login_of(root, a2) is None
    assert login_sessions.login_of(root, b) == "b"
    login_sessions.end(root, DummyRequest())          # no session: nothing to do, no error
    assert list(root.login_sessions) == [b]


# --- API tokens ------------------------------------------------------------------------------

def test_tokens_expire_and_are_stored_only_as_digests(frozen):
    root = make_root()
    token, record = tokens.issue(root, "a", ttl=timedelta(hours=1))
    assert tokens.login_of(root, token) == "a"
    assert token not in root.api_tokens and all(token not in k for k in root.api_tokens)
    frozen.at(timedelta(minutes=59, seconds=59))
    assert tokens.login_of(root, token) == "a"
    frozen.at(timedelta(hours=1))
    assert tokens.login_of(root, token) is None
    assert tokens.login_of(root, None) is None and tokens.login_of(root, "") is None
    assert tokens.login_of(root, "not-a-token") is None


def test_tokens_are_revocable():
    root = make_root()
    t1, _ = tokens.issue(root, "a")
    t2, _ = tokens.issue(root, "a")
    t3, _ = tokens.issue(root, "b")
    assert len({t1, t2, t3}) == 3
    assert tokens.revoke(root, t1) is True and tokens.revoke(root, t1) is False
    assert tokens.login_of(root, t1) is None and tokens.login_of(root, t2) == "a"
    tokens.revoke_all(root, "a")
    assert tokens.login_of(root, t2) is None and tokens.login_of(root, t3) == "b"


# --- Passwords -------------------------------------------------------------------------------

def test_passwords_are_argon2id_and_verify():
    account = Teacher("t", "林")
    account.set_password("correct horse")
    assert account.password_hash.startswith("$argon2id$")
    assert "correct horse" not in account.password_hash
    assert passwords.verify(account.password_hash, "correct horse")
    assert not passwords.verify(account.password_hash, "Correct horse")
    assert not passwords.verify(None, "not a password")         # the dummy hash's password
    assert not passwords.verify("garbage", "correct horse")
    other = Teacher("u", "王")
    other.set_password("correct horse")
    assert other.password_hash != account.password_hash        # salted


# --- Authentication and lockout --------------------------------------------------------------

@pytest.fixture
def root_with_teacher():
    root = make_root()
    teacher = Teacher("t1", "林")
    teacher.set_password("right")
    root["people"].add("t1", teacher, send_events=False)
    return root


def fails(root, login, password) -> bool:
    with pytest.raises(LoginFailed) as info:
        authenticate(root, login, password)
    assert info.value.message == FAILURE_MESSAGE    # every failure says the same
    return True


def test_four_failures_do_not_lock(root_with_teacher, frozen):
    for _ in range(4):
        fails(root_with_teacher, "t1", "wrong")
    assert not root_with_teacher["people"]["t1"].is_locked(clock.now())
    assert authenticate(root_with_teacher, " t1 ", "right").login == "t1"
    assert root_with_teacher["people"]["t1"].failed_logins == 0


def test_fifth_failure_locks_for_fifteen_minutes(root_with_teacher, frozen):
    for _ in range(5):
        fails(root_with_teacher, "t1", "wrong")
    fails(root_with_teacher, "t1", "right")                 # locked: the right password fails
    frozen.at(timedelta(minutes=14, seconds=59))
    fails(root_with_teacher, "t1", "right")
    frozen.at(timedelta(minutes=15))
    assert authenticate(root_with_teacher, "t1", "right").login == "t1"


def test_unknown_and_inactive_accounts_fail_alike(root_with_teacher):
    fails(root_with_teacher, "nobody", "right")
    fails(root_with_teacher, "", "right")
    root_with_teacher["people"]["t1"].active = False
    fails(root_with_teacher, "t1", "right")


# --- Masking ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value,masked", [("A123456789", "A12345****"), ("12345", "1****"),
                                          ("1234", "****"), ("", ""), (None, "")])
def test_national_id_masking(value, masked):
    assert mask_national_id(value) == masked

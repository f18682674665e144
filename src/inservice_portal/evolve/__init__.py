"""Numbered schema-evolution steps (after Substance D's evolve manager).

A new root records the latest step as its baseline; an old database runs every later step in
order, each in its own transaction, with ``inservice-portal evolve``.
"""
import transaction


def _catalog_indexes(root):
    """Steps 1, 2, 10 and 12 change the catalog: replace, add and fill its indexes."""
    from ..catalog import bring_up_to_date

    bring_up_to_date(root)


def _sharing_area(root):
    from ..resources.sharing import ensure_sharing_area

    ensure_sharing_area(root)
    _catalog_indexes(root)


def _course_registrations(root):
    """Give every course stored before registrations existed its empty container."""
    from ..catalog import Search

    search = Search(root)
    for course in search.execute(search["content_type"].eq("course")).all():
        if getattr(course, "registrations", None) is None:
            course.add_registrations()


def _account_security(root):
    """Roots made before step 5 lack the reset-token store; the audit log lives in its own
    database (audit/), created here for sites that have never been started since."""
    from BTrees.OOBTree import OOBTree

    from ..audit import log_of

    if getattr(root, "password_resets", None) is None:
        root.password_resets = OOBTree()
    log_of(root)


def _people_indexes(root):
    """The national-ID index on /people, and teachers in the catalog (by school)."""
    from BTrees.OOBTree import OOBTree

    from ..catalog import add_missing_indexes, index_object
    from ..resources.interfaces import ITeacher

    add_missing_indexes(root.catalog)
    people = root["people"]
    if people.national_ids is None:
        people.national_ids = OOBTree()
    for login, account in people.items():
        if ITeacher.providedBy(account):
            if account.national_id:
                people.national_ids.setdefault(account.national_id, login)
            index_object(account)


def _smaller_catalog(root):
    """The sharing area's link indexes keep their keywords inline (CompactKeywordIndex, made
    anew); no index records its documents without a value any more, nor the text index its
    word counts (catalog.drop_unread_records); a course without an opening date is indexed
    as never opening (catalog.OpeningDate)."""
    from ..catalog import bring_up_to_date

    bring_up_to_date(root, also=["registration_opens"])


def _small_audit_buckets(root):
    from ..audit import log_of, use_small_buckets

    use_small_buckets(log_of(root))


def _docids_on_objects(root):
    """Each catalogued object keeps its own docid (catalog.ObjectMap); the objectmap's map from
    path to docid goes."""
    from ..catalog import DOCID, each_catalogued

    for docid, obj in each_catalogued(root):
        setattr(obj, DOCID, docid)
    if "path_to_id" in root.objectmap.__dict__:
        del root.objectmap.path_to_id


def _smaller_text_and_hours(root):
    """The text index made anew with the splitter that ends a CJK run with a boundary word
    instead of its last character (catalog/text.py), and the hours index with whole hours as
    ints (catalog.Hours; 3 == 3.0, so reindexing alone would keep the floats); both filled
    from the catalogued objects."""
    for name in ("text", "hours"):
        if name in root.catalog:
            del root.catalog[name]
    _catalog_indexes(root)


def _audit_inboxes(root):
    """Writers append to their connection's inbox; the sealer alone writes the chain."""
    from ..audit import log_of

    log = log_of(root)
    if log.inboxes is None:
        log.add_inboxes()


def _sharded_logins(root):
    """Login sessions and API tokens spread over many small trees (resources/shards.py)."""
    from ..resources.shards import ShardedMap

    for name in ("login_sessions", "api_tokens"):
        if not isinstance(getattr(root, name), ShardedMap):
            setattr(root, name, ShardedMap(getattr(root, name).items()))


def _index_queue(root):
    """Catalog upkeep by one indexer: the writers note objects in inboxes (catalog/queue.py)."""
    from ..catalog.queue import queue_of

    queue_of(root)


def _moved_classes(root):
    """Records naming a module that moved into a feature package (moved.MOVED), written
    again under its new path, in the main database and the audit log's."""
    from ..audit import DB_NAME
    from .moved import rewrite

    rewrite(root._p_jar)
    rewrite(root._p_jar.get_connection(DB_NAME))


def _staff_workflow(root):
    """Staff accounts follow workflows/staff_account.py: one disabled before it existed (not
    active, yet "active") becomes "disabled", and history entries of the old form
    (``action``) take the one form every workflow writes."""
    _each_staff_account(root, _staff_account)


def _confirmed_staff_addresses(root):
    """Reset links go only to a confirmed address (accounts/password_reset.py). A staff
    account's address in use was given on its application and its approval was mailed there:
    it counts as confirmed (an application still waiting has not been approved: it confirms by
    its link). Teachers keep what their confirmation link set."""
    def confirm(account):
        if account.state in ("active", "disabled"):
            account.email_confirmed = True

    _each_staff_account(root, confirm)


def _each_staff_account(root, change):
    from ..resources.interfaces import IStaff

    for count, account in enumerate(root["people"].values(), 1):
        if IStaff.providedBy(account):
            change(account)
        if count % 10_000 == 0:
            transaction.savepoint(optimistic=True)
            root._p_jar.cacheGC()


def _staff_account(account):
    if account.state == "active" and not account.active:
        account.state = "disabled"
    history = account.history or ()
    if any("action" in entry for entry in history):
        account.history = type(history)(
            {"transition": e.get("action"), "from": None, "to": None, "by": e.get("by"),
             "at": e.get("at"), "reasons": [], "comment": e.get("comment", "")}
            if "action" in e else e for e in history)


def _two_weeks_ahead(root):
    """Courses are entered two weeks ahead (001, 2022; rules/deadlines.py). A centre still at
    the week that was every centre's default gets the two weeks; one that chose another
    number keeps it. (A centre that wants to keep the week sets 7 again.)"""
    from ..rules.deadlines import DEFAULT_SUBMIT_DAYS

    for centre in root["centres"].values():
        if getattr(centre, "submit_days", 7) == 7:
            centre.submit_days = DEFAULT_SUBMIT_DAYS


def _roster_within_a_month(root):
    """Rosters are due within a month of the course (001; rules/deadlines.py). A centre still
    at the old default of 7 days gets the month; one that chose another number keeps it."""
    for centre in root["centres"].values():
        if getattr(centre, "roster_days", 7) == 7:
            centre.roster_days = None


def _registration_window_index(root):
    """報名中 in search reads the window as registering does: no opening date is open since
    publication, no closing date closes the day before the course (catalog/discriminators.py)."""
    from ..catalog.discriminators import INDEXES
    from ..catalog.upkeep import reindex_all

    names = ("registration_opens", "registration_closes")
    for name in names:
        root.catalog[name].discriminator = INDEXES[name]
    reindex_all(root, names)


def _email_logins(root):
    """忘記帳號 looks logins up by address (accounts/email_lookup.py): note every account's."""
    from ..accounts import email_lookup

    email_lookup.rebuild(root)


def _transcript_proofs(root):
    """研習時數證明 are kept under their codes (attendance/transcript_proofs.py)."""
    from BTrees.OOBTree import OOBTree

    if root.transcript_proofs is None:
        root.transcript_proofs = OOBTree()


def _statistics(root):
    """統計: the counters, computed from the data once (statistics/rebuild.py), and the
    queue of changes that one writer folds into them (statistics/queue.py)."""
    from BTrees.OOBTree import OOBTree
    from ..statistics.queue import queue_of
    from ..statistics.rebuild import rebuild

    if root.statistics is None:
        root.statistics = OOBTree()
    queue_of(root)
    rebuild(root)


def _statistics_recounted(root):
    """New measures (statistics/measures.py: demand, closings, records) counted from the
    data; the measures already kept are checked on the way (rebuild corrects any drift)."""
    from ..statistics.rebuild import rebuild
    rebuild(root)


def _teachers_by_stage(root):
    """Teachers' hours and bands keyed by stage too, and the teachers serving now counted:
    the two cubes of the old shape go (their dimensions changed) and are counted again."""
    from ..statistics.queue import flush
    from ..statistics.rebuild import rebuild
    flush(root)                       # changes of the old shape go into the old cubes
    for name in ("teacher_hours", "teacher_bands"):
        root.statistics.pop(name, None)
    rebuild(root)


def _exchange_platform(root):
    """資訊傳報平臺: the folder of partner systems and their tokens."""
    from ..exchange.partners import ensure_platform
    ensure_platform(root)


def _jobs(root):
    """背景工作: the jobs' states and progress (jobs/runner.py)."""
    from ..jobs.runner import ensure_jobs
    ensure_jobs(root)


def _exchange_feed(root):
    """回撈: the change feed, holding every training record kept so far (a partner's first
    read from cursor 0 gets them all)."""
    from ..catalog import Search
    from ..exchange import feed

    import transaction

    found = feed.feed_of(root)
    search = Search(root)
    for done, teacher in enumerate(search.execute(search["content_type"].eq("teacher")).all()):
        for key in list(getattr(teacher, "records", None) or ()):
            feed.append(found, teacher.login, key, feed.entry_of(teacher, key))
        if done % 5000 == 4999:                   # a nation's records: memory stays flat
            transaction.savepoint(True)
            root._p_jar.cacheGC()


def _exchange_review(root):
    """匯入紀錄審查: the list of imported records over the hours caps, per county."""
    from BTrees.OOBTree import OOBTree
    if root["exchange"].review is None:
        root["exchange"].review = OOBTree()


def _project_tags(root):
    """專案屬性標籤 become the ministry's list (courses/project_tags.py): the tags courses
    carry today start it, all active; the ministry retires what it does not keep."""
    from ..catalog import Search
    from ..courses.project_tags import ProjectTags

    if getattr(root, "project_tags", None) is not None:
        return
    search = Search(root)
    used = [tag for tag in search["tags"]._fwd_index.keys()
            if search.execute(search["content_type"].eq("course")
                              & search["tags"].any([tag])).first() is not None]
    root.project_tags = ProjectTags(used)


def _published_on(root):
    """comms/: the news room and the subscriptions are made; 研習資訊訂閱 mails the courses
    published since the last digest, so each public course gets the day it was approved
    (from its history), and the catalog a ``published_on``."""
    from datetime import date

    from ..catalog import Search
    from ..catalog.upkeep import bring_up_to_date
    from ..courses.search import CATALOGUE_STATES, FINISHED_STATES

    from .. import comms

    comms.ensure(root)
    search = Search(root)
    query = search["content_type"].eq("course") & search["state"].any(
        list(CATALOGUE_STATES + FINISHED_STATES + ("cancelled",)))
    for done, course in enumerate(search.execute(query).all(), 1):
        approved = [e["at"] for e in course.history or () if e.get("transition") == "approve"]
        if approved and course.published_on is None:
            at = approved[-1]
            course.published_on = at.date() if hasattr(at, "date") else date.fromisoformat(
                str(at)[:10])
        if done % 10_000 == 0:                    # a million courses: memory stays flat
            transaction.savepoint(optimistic=True)
            root._p_jar.cacheGC()
    bring_up_to_date(root)


# (number, description, function(root)). Append; never renumber or remove.
STEPS: list[tuple[int, str, object]] = [
    (1, "catalog: stage, auto_approved and review-flag indexes", _catalog_indexes),
    (2, "catalog: search indexes (county, registration window, scope, sub-item, level, hours, "
        "audiences, delivery modes, tags); the course code as a unique index", _catalog_indexes),
    (3, "courses: the registrations container (線上報名)", _course_registrations),
    (4, "資源分享區: the /sharing container and its catalog indexes", _sharing_area),
    (5, "accounts: password reset tokens; the audit log database", _account_security),
    (7, "people: national-ID index; teachers catalogued by school", _people_indexes),
    (8, "catalog: link indexes inline; no records of documents without a value",
     _smaller_catalog),
    (9, "audit: entries in small buckets (each append rewrites the last one)",
     _small_audit_buckets),
    (10, "catalog: starts_on keeps each year's courses in one set (YearIndex.adopt)",
     _catalog_indexes),
    (11, "catalog: each catalogued object keeps its docid; the path → docid map goes",
     _docids_on_objects),
    (12, "catalog: the text index keeps no one-character word per CJK run; whole hours as ints",
     _smaller_text_and_hours),
    (13, "audit: an inbox per connection, sealed into the chain by one sealer; signed heads",
     _audit_inboxes),
    (14, "accounts: login sessions and API tokens over 256 small trees (logins at once)",
     _sharded_logins),
    (15, "catalog: writers note objects, one indexer keeps the catalog (edits at once)",
     _index_queue),
    (16, "catalog: the CJK text index's classes stored under catalog.text", _moved_classes),
    (17, "accounts: login sessions, tokens, reset links and licences stored under accounts/",
     _moved_classes),
    (18, "catalog: its classes stored under objectmap, discriminators and indexes",
     _moved_classes),
    (19, "accounts: staff accounts follow a workflow (disabled ones say so); one history form",
     _staff_workflow),
    (20, "accounts: staff addresses in use count as confirmed (reset links need one)",
     _confirmed_staff_addresses),
    (21, "centres: courses are entered two weeks ahead where the week was the default",
     _two_weeks_ahead),
    (22, "courses: 專案屬性標籤 are the ministry's list, started from the tags in use",
     _project_tags),
    (23, "centres: rosters are due within a month where 7 days was the default",
     _roster_within_a_month),
    (24, "catalog: the registration window indexed as registering reads it",
     _registration_window_index),
    (25, "accounts: logins found by their e-mail address (忘記帳號)", _email_logins),
    (26, "transcripts: the store of issued 研習時數證明", _transcript_proofs),
    (27, "statistics: counters of courses and registrations, computed from the data",
     _statistics),
    (28, "inboxes of the single writers stored under concurrency.single_writer",
     _moved_classes),
    (29, "statistics: learning needs, rosters closed and records by source, counted",
     _statistics_recounted),
    (30, "statistics: teachers by stage, and those serving now (the band of 0 hours)",
     _teachers_by_stage),
    (31, "exchange: the platform of partner systems (資訊傳報平臺)", _exchange_platform),
    (32, "jobs: background work with its state and progress", _jobs),
    (33, "exchange: the change feed of training records (回撈), with the records kept so far",
     _exchange_feed),
    (34, "exchange: the list of imported records over the hours caps, for review",
     _exchange_review),
    (35, "comms: 最新消息, 研習資訊訂閱, and the day each course was published, indexed",
     _published_on),
]
VERSION_KEY = "evolve_version"


def latest() -> int:
    return STEPS[-1][0] if STEPS else 0


def mark_baseline(root):
    setattr(root, VERSION_KEY, latest())


def pending(root) -> list[tuple[int, str, object]]:
    done = getattr(root, VERSION_KEY, 0)
    return [step for step in STEPS if step[0] > done]


def run(root, tm=transaction.manager, log=print):
    for number, description, step in pending(root):
        step(root)
        setattr(root, VERSION_KEY, number)
        tm.get().note(f"evolve {number}: {description}")
        tm.commit()
        log(f"evolve step {number} done: {description}")

"""The root of the tree: 教育部."""
from BTrees.OOBTree import OOBTree
from zope.interface import implementer

from .counters import Counter
from .folder import Folder
from .interfaces import IMinistry, IPeople
from .shards import ShardedMap
from .units import Unit

APP_ROOT = "inservice_portal"    # the Ministry's key in the ZODB root


@implementer(IPeople)
class People(Folder):
    """``/people/<login>``: every account, teachers and staff alike.

    ``national_ids`` maps a teacher's national ID number to the login holding it, so that
    sign-up and 教師資料登錄 look an ID up instead of scanning a quarter of a million accounts.
    It follows adds and removals here; teacher_accounts.py refuses a second account for an ID
    (the index keeps the first holder, should a fixture or an import have made two).
    """

    title = "帳號"
    national_ids = None

    def __init__(self):
        super().__init__()
        self.national_ids = OOBTree()

    def login_for_national_id(self, national_id: str):
        return (self.national_ids or {}).get(national_id)

    def add(self, name, obj, send_events=True, registry=None):
        obj = super().add(name, obj, send_events=send_events, registry=registry)
        national_id = getattr(obj, "national_id", None)
        if national_id:
            if self.national_ids is None:
                self.national_ids = OOBTree()
            self.national_ids.setdefault(national_id, name)
        return obj

    __setitem__ = add

    def remove(self, name, send_events=True, registry=None):
        obj = super().remove(name, send_events=send_events, registry=registry)
        national_id = getattr(obj, "national_id", None)
        if national_id and self.national_ids is not None \
                and self.national_ids.get(national_id) == name:
            del self.national_ids[national_id]
        return obj

    __delitem__ = remove


class Centres(Folder):
    title = "分區管理中心"

    @property
    def __acl__(self):
        return []  # inherits the root's


@implementer(IMinistry)
class Ministry(Unit):
    """教育部: holds the centres, the accounts, login sessions and API tokens."""

    unit_kind = "ministry"
    title = "教育部"
    password_resets = None      # on roots older than evolve step 5
    project_tags = None         # courses/project_tags.py (evolve step 22)
    email_logins = None         # accounts/email_lookup.py (evolve step 25)
    transcript_proofs = None    # attendance/transcript_proofs.py (evolve step 26)
    statistics = None           # statistics/: measure → its counters (evolve step 27)
    statistics_queue = None     # statistics/queue.py: the changes waiting to be folded in
    jobs = None                 # jobs/runner.py: background work by id (evolve step 32)
    statistics_releases = None  # statistics/releases.py: reports frozen on their release day
    subscriptions = None        # comms/subscriptions.py: 研習資訊訂閱 by id (evolve step 35)
    digest_days = None          # comms/digests.py: the days whose digests went
    messages = None             # comms/messages.py: 線上短訊 by id (evolve step 35) …
    inboxes = None              # … and each account's inbox, by login
    feedback_open = None        # comms/feedback.py: questionnaires to remind, by day invited
    tickets = None              # comms/contact.py: 意見交流 by id …
    ticket_index = None         # … and (centre, sent at, id) for each centre's list

    def __init__(self):
        super().__init__()
        self.course_codes = Counter()
        self.login_sessions = ShardedMap()   # session id → LoginSession
        self.api_tokens = ShardedMap()       # sha256(token) → ApiToken
        self.password_resets = OOBTree()  # sha256(token) → PasswordReset (password_reset.py)
        self.email_logins = OOBTree()     # address → logins (忘記帳號)
        self.transcript_proofs = OOBTree()   # code → a signed transcript summary
        self.statistics = OOBTree()          # measure → Cube (statistics/)
        self.add("centres", Centres(), send_events=False)
        self.add("people", People(), send_events=False)

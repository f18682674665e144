"""資訊傳報平臺: ``/exchange/<partner code>``, the partner systems that exchange training
records with the portal (DESIGN.md §10). A partner's credentials and tokens are kept as
digests only; the records it sends land in the teachers' own ``records``, keyed by
``(partner code, its record id)``.
"""
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.authorization import Allow
from zope.interface import Interface, implementer

from ..concurrency.single_writer import Inboxes
from ..permissions import EXCHANGE_MANAGE, role_principal
from .folder import Folder
from .shards import ShardedMap


class IExchangePlatform(Interface):
    """The platform: its partners, and the tokens they were issued."""


class IPartner(Interface):
    """One partner system (傳報單位)."""


@implementer(IExchangePlatform)
class ExchangePlatform(Folder):
    title = "資訊傳報平臺"
    # 傳報平臺管理 is the national centre's (000 捌, 001 參二(二)) and the ministry's.
    __acl__ = [(Allow, "group:national_centre", EXCHANGE_MANAGE),
               (Allow, role_principal("ministry_admin"), EXCHANGE_MANAGE)]

    feed = None                           # Feed (evolve step 33)
    review = None                         # exchange/review.py (evolve step 34)

    def __init__(self):
        super().__init__()
        self.tokens = ShardedMap()        # token digest → PartnerToken (many partners at once)
        self.feed = Feed()
        self.review = OOBTree()           # (county, login, source, id) → imported over the caps


@implementer(IPartner)
class Partner(Persistent):
    """A partner system: its mode (後端傳報 / 資料庫對傳), the counties whose teachers it
    may write and read (none: every county, as the national platforms), its contact (傳報
    承辦人), and its client secrets (argon2 digests, each with the time it stops working
    once a newer one was issued)."""

    active = True
    callback_url = None               # where a batch's outcome is posted (exchange/callbacks.py)
    retrieves = False                 # reads its teachers' records back (回撈, exchange/feed.py)
    syncs_teachers = False            # keeps its teachers' schools (exchange/teacher_sync.py)

    def __init__(self, code, title, mode, counties=(), contact=None):
        self.code = code
        self.title = title
        self.mode = mode
        self.counties = tuple(counties)
        self.contact = dict(contact or {})
        self.secrets = ()                 # ((argon2 digest, issued, until or None), …)
        self.batches = OOBTree()          # batch key → Batch
        self.holders = OOBTree()          # source_record_id → the login whose record it is
        self.refused = OOBTree()          # batch key → the Batch last refused under it
        self.confirmed = OOBTree()        # "YYYY-MM" → {"at", "by"}: months it confirmed

    def may_reach(self, county: str) -> bool:
        return not self.counties or county in self.counties


class PartnerToken(Persistent):
    def __init__(self, partner, issued, expires_at, scope=""):
        self.partner = partner
        self.issued = issued
        self.expires_at = expires_at
        self.scope = scope


class Batch(Persistent):
    """One batch a partner sent (a file or an API call), by the partner's batch key: what
    it held, what was imported, and the report of its rows (the rows that failed)."""

    rejected_rows = ()                    # ((row number, {field: raw value}), …)

    def __init__(self, key, received, via, rows, imported, problems, added=0):
        self.key = key
        self.received = received
        self.via = via                    # "api" | "upload"
        self.rows = rows
        self.imported = imported          # rows written (new or replacing)
        self.added = added                # of which new records
        self.problems = tuple(problems)   # ({"row", "field", "title", "message"}, …)


class Feed(Persistent):
    """回撈's change feed (exchange/feed.py): number → the record as it was changed, the
    numbers by the teacher's county, each record's latest number, and the writers' inboxes."""

    last = 0

    def __init__(self):
        self.entries = LOBTree()
        self.by_county = OOBTree()        # county → LOBTree of numbers
        self.latest = OOBTree()           # (login, source, source_record_id) → number
        self.inboxes = Inboxes()

    def county(self, name: str) -> LOBTree:
        found = self.by_county.get(name)
        if found is None:
            found = self.by_county[name] = LOBTree()
        return found

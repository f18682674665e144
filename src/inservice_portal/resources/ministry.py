"""The root of the tree: 教育部."""
from BTrees.OOBTree import OOBTree
from zope.interface import implementer

from .counters import Counter
from .folder import Folder
from .interfaces import IMinistry, IPeople
from .units import Unit


@implementer(IPeople)
class People(Folder):
    """``/people/<login>``: every account, teachers and staff alike."""

    title = "帳號"


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

    def __init__(self):
        super().__init__()
        self.course_codes = Counter()
        self.login_sessions = OOBTree()   # session id → LoginSession
        self.api_tokens = OOBTree()       # sha256(token) → ApiToken
        self.password_resets = OOBTree()  # sha256(token) → PasswordReset (password_reset.py)
        self.add("centres", Centres(), send_events=False)
        self.add("people", People(), send_events=False)

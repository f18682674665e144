"""Accounts: 教師個人帳號 (Teacher) and 業務帳號 (Staff), stored under /people/<login>."""
from datetime import timedelta

from persistent import Persistent
from pyramid.authorization import Allow, Deny, Everyone
from zope.interface import implementer

from .. import clock, permissions
from ..accounts import passwords
from .interfaces import IAccount, IStaff, ITeacher

MAX_FAILURES = 5                      # 資通系統防護基準: lock after 5 failed attempts …
LOCKOUT = timedelta(minutes=15)       # … for at least 15 minutes
HISTORY = 3                           # passwords remembered (the current one included)


@implementer(IAccount)
class Account(Persistent):
    __name__ = None
    __parent__ = None
    kind = None
    # Class defaults, so that accounts stored before these existed read sensibly (mfa.py).
    otp_secret = None             # base32 TOTP secret once enrolled
    otp_last_step = 0             # the last TOTP time step accepted: a code is never used twice
    recovery_hashes = ()          # SHA-256 of the unused recovery codes
    password_history = ()         # argon2 hashes of the last passwords, newest first
    disabled_at = None
    disabled_by = None
    email_confirmed = False       # set by the one-time link (email_confirmation.py)
    pending_email = None          # a new address until it is confirmed (email_change.py)
    email_undo = None             # the old address and its undo link's digest, for a week

    def __init__(self, login: str, name: str, email: str = ""):
        self.login = login
        self.name = name
        self.email = email
        self.password_hash = None
        self.active = True
        self.failed_logins = 0
        self.locked_until = None
        self.created = clock.now()

    @property
    def __acl__(self):
        me = f"user:{self.login}"
        return [(Allow, me, (permissions.VIEW, "self.edit", "self.password")),
                (Allow, permissions.role_principal("ministry_admin"), permissions.VIEW),
                (Deny, Everyone, permissions.VIEW)]

    def set_password(self, password: str):
        self.password_hash = passwords.hash_password(password)
        # Kept for the staff rule "none of the last 3 passwords" (password_policy.py).
        self.password_history = ((self.password_hash,) + tuple(self.password_history))[:HISTORY]

    def rehash(self, password: str, hashed: str | None = None):
        """The same password under new argon2 parameters: not a new entry in the history.
        ``hashed``: its new hash, computed before the transaction."""
        self.password_hash = hashed or passwords.hash_password(password)
        self.password_history = (self.password_hash,) + tuple(self.password_history)[1:]

    def is_locked(self, now) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def record_failure(self, now):
        self.failed_logins += 1
        if self.failed_logins >= MAX_FAILURES:
            self.locked_until = now + LOCKOUT
            self.failed_logins = 0

    def record_success(self):
        if self.failed_logins or self.locked_until:
            self.failed_logins = 0
            self.locked_until = None

    def global_roles(self) -> tuple[str, ...]:
        """Roles that do not depend on where in the tree one stands."""
        return ()


@implementer(ITeacher)
class Teacher(Account):
    kind = "teacher"
    content_type = "teacher"          # catalogued: a school's teachers are a catalog query
    employment = "employed"           # a key of vocabularies.employment_statuses
    consents = None                   # {agreement code: when accepted}, at sign-up
    licences = None                   # OOBTree id → Licence (專長證照登錄申請)

    def __init__(self, login, name, email="", national_id="", school=None, stage=None,
                 job_title=None, subjects=()):
        super().__init__(login, name, email)
        self.national_id = national_id
        self.school = school          # path of the Organiser, or None when not employed
        self.stage = stage            # a key of vocabularies.school_stages
        self.job_title = job_title    # audience title code 15-x (000 附件十 item 15)
        self.subjects = tuple(subjects)

    @property
    def employed(self) -> bool:
        """A teacher with no current school may only read the transcript (004, amended Art. 5)."""
        return self.school is not None

    def global_roles(self):
        return ("teacher",)


@implementer(IStaff)
class Staff(Account):
    kind = "staff"
    workflow_type = "staff"     # workflows/staff_account.py: applied, active, disabled …
    state = "active"            # (an account made by an operator or a script starts active)
    history = None

    def __init__(self, login, name, email="", unit=None, staff_type=None, phone=""):
        super().__init__(login, name, email)
        self.unit = unit              # path of the unit the account works for
        self.staff_type = staff_type  # principal_admin | contact | operator, or a centre role
        self.phone = phone

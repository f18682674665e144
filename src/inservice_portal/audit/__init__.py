"""The audit log (稽核紀錄): who did what, when, from where, to which object.

Recorded: every workflow transition (a subscriber to ``IObjectTransitioned``, so every workflow
is covered as it is added), account events (login success and failure, password change and
reset, MFA enrolment and reset, disabling, proxy mode) and each export or full display of a
national ID. National ID numbers are never written in full: every value is masked on the way in.

Where it is stored, and why: in a **second named ZODB database** (``zodbconn.uri.audit``, the
``audit`` database of the same multi-database), not in the content tree.
- An undo of content is an undo of a transaction of the *main* storage; the audit entries live
  in another storage, so no content undo can take them back (tests/functional/test_audit.py).
- An entry is written in the same (two-phase) transaction as the action it records: there is no
  action without its entry, and no entry for an action that was rolled back. A file or SQLite
  log written beside the transaction could not promise both.
- It follows the main storage's deployment: a FileStorage of its own next to Data.fs in
  development, a second RelStorage database when several processes on several machines share the
  site — where a local file or SQLite log would split into one log per machine.
No object that every writer writes (concurrent logins of different people must not collide):
a transaction adds its entry to the **inbox** of its own audit connection (``Inbox``; a
connection serves one transaction at a time), never to the chain. The chain is built
afterwards by one **sealer** (sealer.py: right after each audited commit, and on an
interval), which takes the inboxes' new entries in time order, numbers and chains them, keeps
the browsing indexes, and signs the head now and then. An entry that a dying process left
unsealed is durable in its inbox and sealed when any process next seals (at start-up too).

Tamper evidence: each sealed entry's SHA-256 covers its fields and the previous entry's hash (a
hash chain), and **signed heads** (an HMAC of the sequence number and hash, as transparency
logs sign their tree heads) pin the chain at intervals, so that rebuilding the whole chain or
cutting its end is caught too. ``verify`` recomputes the chain and checks the heads: an edited,
removed, inserted or re-ordered entry breaks it; entries not yet sealed are counted apart.
Entries are only ever appended; ``prune`` removes the oldest entries past the retention period
(at least 180 days, ``audit.retention_days``) and keeps the last removed hash as the chain's new
anchor.
"""
import hashlib
import hmac
import json
import re
import weakref
from datetime import date, datetime, timedelta

from BTrees.LOBTree import LOBTree
from BTrees.LOBTree import LOTreeSet, multiunion
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.threadlocal import get_current_request
from pyramid.traversal import lineage, resource_path
import transaction
from BTrees.LOBTree import intersection

from .. import clock
from ..rules.national_id import mask_national_id
from ..schemas.written import read_date
# InboxMap too: logs made before it moved to single_writer store it under this module.
from ..concurrency.single_writer import InboxMap, inbox_key, wake_after_commit  # noqa: F401
from ..workflows.api import IObjectTransitioned, state_title, title_of

DB_NAME = "audit"
LOG_KEY = "audit_log"
GENESIS = "0" * 64
MIN_RETENTION_DAYS = 180
HEAD_INTERVAL = timedelta(minutes=1)     # a signed head at most this often while sealing
NATIONAL_ID = re.compile(r"[A-Z][A-D12]\d{8}")

# Action code → the zh_TW label shown on the browse page.
ACTIONS = {
    "login.success": "登入成功",
    "login.failure": "登入失敗",
    "logout": "登出",
    "password.change": "變更密碼",
    "password.reset_request": "申請重設密碼",
    "password.reset": "重設密碼",
    "mfa.enrol": "啟用兩步驟驗證",
    "mfa.reset": "重設兩步驟驗證",
    "account.disable": "停用帳號",
    "account.enable": "恢復啟用帳號",
    "staff.apply": "申請業務帳號",
    "staff.switch": "切換業務帳號類別",
    "email.change_request": "申請變更電子郵件信箱",
    "email.change": "變更電子郵件信箱（已確認）",
    "email.change_undone": "取消電子郵件信箱變更",
    "unit.apply": "新增研習單位申請",
    "unit.move": "移轉研習單位",
    "school_directory.apply": "套用學校代碼清單",
    "project_tag.add": "新增或重新啟用專案屬性標籤",
    "project_tag.retire": "停用專案屬性標籤",
    "proxy.start": "開始代理",
    "proxy.end": "結束代理",
    "national_id.display": "顯示完整身分證統一編號",
    "export": "匯出資料",
    "login.reminder": "寄送帳號查詢（忘記帳號）",
    "records.list": "查詢本校教師研習記錄",
    "records.view": "查閱教師個人研習紀錄",
    "transcript.proof": "產生研習時數證明（驗證碼）",
    "exchange.partner": "新增傳報單位",
    "exchange.rotate": "更換傳報單位金鑰",
    "exchange.revoke": "停用傳報單位的舊金鑰與權杖",
    "exchange.partner_edit": "修改傳報單位",
    "exchange.token": "傳報單位取得存取權杖",
    "exchange.token_failure": "傳報單位取得存取權杖失敗",
    "exchange.import": "資訊傳報匯入",
    "exchange.retrieve": "資訊傳報回撈",
    "exchange.confirm": "傳報單位確認當月資料",
    "exchange.review": "審查匯入的研習紀錄（超過時數上限）",
    "exchange.teacher_sync": "傳報單位同步教師資料",
    "exchange.reopen": "重新開放已確認月份（行文修正）",
    "subscription.add": "新增研習資訊訂閱",
    "subscription.remove": "刪除研習資訊訂閱",
    "subscription.unsubscribe": "由通知信取消訂閱",
    "notifications.settings": "變更通知設定",
    "newsletter.subscribe": "訂閱電子報",
    "newsletter.unsubscribe": "取消訂閱電子報",
    "newsletter.test": "寄送電子報測試信",
    "message.send": "寄送線上短訊",
    "feedback.paper": "上傳紙本回饋問卷結果",
}
# Detail key → its zh_TW name on the browse page; values that are codes, by key.
DETAILS = {"method": "登入方式", "step": "步驟", "via": "經由", "export": "匯出", "year": "年度",
           "reasons": "原因", "comment": "說明", "reason": "原因", "tag": "標籤", "by": "操作者",
           "purpose": "目的", "unit": "單位", "centre": "區域管理中心", "clause": "依據",
           "staff_type": "帳號類別", "code": "驗證碼", "month": "月份", "batch": "批次",
           "partner": "傳報單位", "record": "來源紀錄編號", "rows": "筆數",
           "imported": "匯入", "rejected": "未通過", "changed": "異動", "unmatched": "無法對應",
           "since": "游標", "count": "筆數", "criteria": "條件", "kind": "項目",
           "digests": "每日摘要"}
# Labels of the login methods and steps, not passwords (bandit B105 accepted on two lines).
DETAIL_VALUES = {"method": {"password": "密碼",  # nosec B105
                            "totp": "密碼＋驗證碼", "recovery_code": "密碼＋復原碼",
                            "mfa_enrolment": "啟用兩步驟驗證"},
                 "step": {"password": "密碼", "second_factor": "驗證碼"},  # nosec B105
                 "via": {"api": "API", "upload": "上傳檔案"}}


WORKFLOWS = {"course": "研習課程", "registration": "線上報名", "sharing": "資源分享",
             "staff": "業務帳號", "news": "最新消息", "newsletter": "電子報",
             "ticket": "意見交流"}


def workflow_of(action: str) -> str | None:
    return action.split(".", 2)[1] if action.startswith("workflow.") else None


def label(action: str) -> str:
    if action.startswith("workflow."):
        _, kind, name = action.split(".", 2)
        return f"{WORKFLOWS.get(kind, '流程')}：{title_of(kind, name)}"
    return ACTIONS.get(action, action)


class EntryTree(LOBTree):
    """seq → entry in small buckets. Entries are appended in order, so each append rewrites
    the last bucket: small buckets keep what every audited commit writes small."""

    max_leaf_size = 8
    max_internal_size = 64


class Inbox(Persistent):
    """One audit connection's entries, sealed or not: only that connection's transactions write
    here, one at a time. Sealed entries stay until ``prune``."""

    def __init__(self):
        self.count = 0
        self.entries = LOBTree()          # 1, 2, … → the entry's fields (masked, unchained)

    def add(self, fields: dict) -> int:
        self.count += 1
        self.entries[self.count] = fields
        return self.count


class AuditLog(Persistent):
    """The sealed chain by sequence number (1, 2, …), its signed heads and small indexes for
    browsing, all written by the sealer alone; and the inboxes the writers append to."""

    inboxes = None                        # before evolve step 13
    sealed = None
    heads = None

    def __init__(self):
        self.entries = EntryTree()        # seq → entry (a dict, never changed after append)
        self.last_seq = 0
        self.last_hash = GENESIS
        self.anchor_seq = 0               # entries up to here were pruned …
        self.anchor_hash = GENESIS        # … and this was the hash of the last one
        self.by_actor = OOBTree()         # login → seqs (as actor or as the account acted for)
        self.by_object = OOBTree()        # object path → seqs
        self.by_centre = OOBTree()        # centre code → seqs
        self.by_day = OOBTree()           # "YYYY-MM-DD" → seqs
        self.add_inboxes()

    def add_inboxes(self):
        self.inboxes = InboxMap()         # key → Inbox
        self.sealed = OOBTree()           # inbox key → how many of its entries are sealed
        self.heads = LOBTree()            # seq → signed head {seq, hash, at, sig}


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(fields: dict) -> str:
    """The hash of an entry: every field but ``hash`` itself (``prev`` included)."""
    return hashlib.sha256(canonical({k: v for k, v in fields.items() if k != "hash"})).hexdigest()


def mask(value):
    """Any national ID inside ``value`` (strings, lists, dicts) masked."""
    if isinstance(value, str):
        return NATIONAL_ID.sub(lambda m: mask_national_id(m.group(0)), value)
    if isinstance(value, dict):
        return {str(k): mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value))


# --- where the log lives -------------------------------------------------------------------

def use_small_buckets(log: AuditLog) -> bool:
    """Move a log made before ``EntryTree`` into one (evolve step 9); True if it moved."""
    if isinstance(log.entries, EntryTree):
        return False
    log.entries = EntryTree(log.entries)
    return True


# audit database → the object that seals its inboxes (sealer.install): woken after each
# commit that added an entry. A database without one (a bare test database) is sealed only
# when someone calls the sealer.
SEALERS = weakref.WeakKeyDictionary()
INBOX_ATTR = "_inservice_audit_inbox"


def ensure_log(audit_root) -> AuditLog:
    """The log in the audit database's root mapping, created on first use."""
    log = audit_root.get(LOG_KEY)
    if log is None:
        log = audit_root[LOG_KEY] = AuditLog()
    return log


def log_of(obj, create=True) -> AuditLog:
    """The log, reached from any persistent object of the main database (its connection's
    sibling ``audit`` connection joins the same transaction). ``create=False`` for readers:
    an empty, unsaved log rather than a write on a GET."""
    audit_root = obj._p_jar.get_connection(DB_NAME).root()
    if not create and LOG_KEY not in audit_root:
        return AuditLog()
    return ensure_log(audit_root)


def ensure_database(databases: dict):
    """Create the log in the audit database at start-up, in a transaction of its own."""
    db = databases[DB_NAME]
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        if LOG_KEY not in conn.root():
            ensure_log(conn.root())
            tm.get().note("audit: create the log")
            tm.commit()
        else:
            tm.abort()
    finally:
        conn.close()


# --- scope: which centre an entry is about ---------------------------------------------------

def centre_of_path(path: str | None) -> str | None:
    parts = (path or "").strip("/").split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "centres" else None


def centre_of(obj) -> str | None:
    """The region centre an object belongs to: from its path, or for an account from its unit
    (staff) or school (teacher). None: national (the ministry's alone)."""
    if obj is None:
        return None
    home = getattr(obj, "unit", None) or getattr(obj, "school", None)
    if getattr(obj, "kind", None) in ("teacher", "staff"):
        return centre_of_path(home)
    return centre_of_path(resource_path(obj))


def object_path(obj) -> str | None:
    if obj is None:
        return None
    if getattr(obj, "kind", None) in ("teacher", "staff") and obj.__parent__ is None:
        return f"/people/{obj.login}"
    return resource_path(obj)


def object_title(obj) -> str:
    if obj is None:
        return ""
    return str(getattr(obj, "title", None) or getattr(obj, "name", None) or "")


# --- writing ---------------------------------------------------------------------------------

def client_ip(request) -> str:
    return (getattr(request, "client_addr", None) or "") if request is not None else ""


def who(request) -> tuple[str, str | None]:
    """(the person at the keyboard, the account acted for in proxy mode or None)."""
    if request is None:
        return "system", None
    real = getattr(request, "real_account", None)
    acting = getattr(request, "account", None)
    if real is None:
        return "anonymous", None
    on_behalf = acting.login if acting is not None and acting.login != real.login else None
    return real.login, on_behalf


def append(log: AuditLog, fields: dict) -> dict:
    """Chain and store one entry; returns it."""
    seq = log.last_seq + 1
    entry = dict(mask(fields), seq=seq, prev=log.last_hash)
    entry["hash"] = entry_hash(entry)
    log.entries[seq] = entry
    log.last_seq, log.last_hash = seq, entry["hash"]
    keys = [(log.by_actor, entry["actor"]), (log.by_actor, entry.get("on_behalf")),
            (log.by_object, entry.get("object")), (log.by_centre, entry.get("centre")),
            (log.by_day, entry["at"][:10])]
    for index, key in keys:
        if key:
            index.setdefault(key, LOTreeSet()).add(seq)
    return entry


def record(action: str, obj=None, *, request=None, root=None, actor=None, on_behalf=None,
           detail=None, centre=None, at=None) -> dict:
    """Append an entry about ``obj`` (a resource, an account, or None). ``root`` (or ``obj``)
    reaches the database; ``request`` gives who and from where unless ``actor`` is given."""
    request = request if request is not None else get_current_request()
    # A new object has no connection until it is saved: its nearest stored ancestor has one.
    anchor = next((o for o in (lineage(obj) if obj is not None else ())
                   if getattr(o, "_p_jar", None) is not None), root)
    if anchor is None and request is not None:
        anchor = request.root
    if actor is None:
        actor, on_behalf = who(request)
    fields = {
        "at": (at or clock.now()).isoformat(),
        "actor": actor,
        "on_behalf": on_behalf,
        "ip": client_ip(request),
        "action": action,
        "object": object_path(obj),
        "title": object_title(obj),
        "centre": centre if centre is not None else centre_of(obj),
        "detail": detail or {},
    }
    return submit(anchor._p_jar.get_connection(DB_NAME), fields)


def submit(conn, fields: dict) -> dict:
    """Add an entry to ``conn``'s inbox, in the caller's transaction; the sealer chains it
    once that has committed. Returns the entry (masked, not yet numbered)."""
    log = ensure_log(conn.root())
    if log.inboxes is None:               # a log older than evolve step 13
        log.add_inboxes()
    key = inbox_key(conn, INBOX_ATTR)
    inbox = log.inboxes.get(key)
    if inbox is None:
        inbox = log.inboxes[key] = Inbox()
    entry = mask(fields)
    inbox.add(entry)
    sealer = SEALERS.get(conn.db())
    if sealer is not None:
        wake_after_commit(conn.transaction_manager.get(), sealer)
    return entry


# --- sealing: the inboxes' new entries into the chain ---------------------------------------

def _behind(log: AuditLog):
    """(key, inbox, how many of its entries are sealed) for each inbox with unsealed ones."""
    for key, inbox in (log.inboxes.items() if log.inboxes is not None else ()):
        done = log.sealed.get(key, 0)
        if inbox.count > done:
            yield key, inbox, done


def unsealed_count(log: AuditLog) -> int:
    return sum(inbox.count - done for _, inbox, done in _behind(log))


def seal(log: AuditLog, signing_key: bytes | None = None, now=None, force_head=False):
    """Chain every unsealed entry, in time order; then sign the head if the last signed one is
    older than HEAD_INTERVAL (or ``force_head``). Returns (entries sealed, the new head or
    None). The sealer alone calls this: it writes the chain's head."""
    pending = []
    for key, inbox, done in list(_behind(log)):
        pending.extend((fields["at"], key, n, fields) for n, fields in inbox.entries.items(done + 1))
        log.sealed[key] = inbox.count
    for _, _, _, fields in sorted(pending, key=lambda item: item[:3]):
        append(log, fields)
    return len(pending), sign_head(log, signing_key, now or clock.now(), force_head)


def signature(signing_key: bytes, head: dict) -> str:
    message = f"{head['seq']}:{head['hash']}:{head['at']}".encode()
    return hmac.new(signing_key, message, hashlib.sha256).hexdigest()


def key_id(signing_key: bytes) -> str:
    """Which key signed a head, without giving it away: "signed with another key" (a process
    started with another secret) is then told apart from a forged signature."""
    return hashlib.sha256(b"key id|" + signing_key).hexdigest()[:12]


def sign_head(log: AuditLog, signing_key, now, force=False) -> dict | None:
    if not signing_key or log.heads is None or log.last_seq == log.anchor_seq:
        return None                       # no key, a log before evolve step 13, or empty
    last = log.heads[log.heads.maxKey()] if log.heads else None
    if last is not None and last["seq"] == log.last_seq:
        return None
    if last is not None and not force and (
            now - datetime.fromisoformat(last["at"]) < HEAD_INTERVAL):
        return None
    head = {"seq": log.last_seq, "hash": log.last_hash, "at": now.isoformat(),
            "kid": key_id(signing_key)}
    head["sig"] = signature(signing_key, head)
    log.heads[head["seq"]] = head
    return head


def signing_key(settings) -> bytes:
    """``audit.signing_key``, else one derived from the session secret (never stored in the
    database it signs)."""
    given = settings.get("audit.signing_key")
    if given:
        return given.encode()
    return hmac.new(settings["session.secret"].encode(), b"inservice-portal audit heads",
                    hashlib.sha256).digest()


# --- checking --------------------------------------------------------------------------------

def verify(log: AuditLog, signing_key: bytes | None = None) -> list[str]:
    """Every break of the chain or of a signed head, as readable problems (empty: intact).
    Entries still in the inboxes are not problems: ``unsealed_count`` tells them apart."""
    problems = []
    previous, expected_seq = log.anchor_hash, log.anchor_seq + 1
    for seq, entry in log.entries.items():
        if seq != expected_seq:
            problems.append(f"entry {expected_seq}–{seq - 1} missing")
        if entry.get("seq") != seq:
            problems.append(f"entry {seq}: stored under another number ({entry.get('seq')})")
        if entry.get("prev") != previous:
            problems.append(f"entry {seq}: does not follow the entry before it")
        if entry_hash(entry) != entry.get("hash"):
            problems.append(f"entry {seq}: content altered (hash mismatch)")
        previous, expected_seq = entry.get("hash"), seq + 1
    if expected_seq - 1 != log.last_seq or previous != log.last_hash:
        problems.append(f"the chain ends at {expected_seq - 1}, the log's head says "
                        f"{log.last_seq}: entries at the end were removed or added")
    return problems + _check_heads(log, signing_key)


def _check_heads(log: AuditLog, signing_key) -> list[str]:
    problems = []
    for seq, head in (log.heads.items(log.anchor_seq + 1) if log.heads else ()):
        entry = log.entries.get(seq)
        if entry is None or entry.get("hash") != head.get("hash"):
            problems.append(f"signed head {seq}: the chain no longer holds the entry it signed")
        if not signing_key:
            continue
        if head.get("kid", key_id(signing_key)) != key_id(signing_key):
            problems.append(f"signed head {seq}: signed with another key (key id "
                            f"{head['kid']}, this one is {key_id(signing_key)})")
        elif not hmac.compare_digest(signature(signing_key, head), head.get("sig", "")):
            problems.append(f"signed head {seq}: the signature does not match")
    return problems


# --- retention -------------------------------------------------------------------------------

def retention_days(settings) -> int:
    """``audit.retention_days``, never less than the 180 days the rules ask for."""
    return max(MIN_RETENTION_DAYS, int(settings.get("audit.retention_days", MIN_RETENTION_DAYS)))


def prune(log: AuditLog, days: int, now=None) -> int:
    """Remove entries older than ``days`` (≥ 180) from the start of the chain; their last hash
    becomes the anchor, so the rest still verifies. Returns how many were removed."""
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"audit entries are kept at least {MIN_RETENTION_DAYS} days")
    cutoff = ((now or clock.now()) - timedelta(days=days)).isoformat()
    removed = 0
    for seq in list(log.entries.keys()):
        entry = log.entries[seq]
        if entry["at"] >= cutoff:
            break
        log.anchor_seq, log.anchor_hash = seq, entry["hash"]
        del log.entries[seq]
        for index, key in ((log.by_actor, entry["actor"]), (log.by_actor, entry.get("on_behalf")),
                           (log.by_object, entry.get("object")),
                           (log.by_centre, entry.get("centre")), (log.by_day, entry["at"][:10])):
            if key and key in index:
                index[key].discard(seq)
                if not index[key]:
                    del index[key]
        removed += 1
    _prune_inboxes(log, cutoff)
    for seq in list(log.heads.keys(None, log.anchor_seq)) if log.heads else ():
        del log.heads[seq]
    return removed


def _prune_inboxes(log: AuditLog, cutoff: str):
    """Sealed inbox entries past the cutoff go; an inbox left empty goes too, after a last
    write to it (``count``): a connection appending to it at this moment then conflicts and
    retries into a new inbox, instead of writing into one no longer reachable."""
    for key, inbox in list(log.inboxes.items()) if log.inboxes is not None else ():
        done = log.sealed.get(key, 0)
        for n in list(inbox.entries.keys(None, done)):
            if inbox.entries[n]["at"] >= cutoff:
                break
            del inbox.entries[n]
        if not inbox.entries and inbox.count == done:
            inbox.count = -1
            del log.inboxes[key]
            log.sealed.pop(key, None)


# --- browsing --------------------------------------------------------------------------------

def _days(log, since: date | None, until: date | None):
    low = since.isoformat() if since else None
    high = until.isoformat() if until else None
    return multiunion(list(log.by_day.values(low, high)))


def search(log: AuditLog, actor=None, obj=None, centre=None, since=None, until=None,
           under=None):
    """Sequence numbers matching every given filter, newest first. ``under``: a unit's path,
    for the entries about it and the objects below it (its courses, its shared items)."""
    sets = []
    if actor:
        sets.append(log.by_actor.get(actor, LOTreeSet()))
    if obj:
        sets.append(log.by_object.get(obj, LOTreeSet()))
    if under:
        below = [seqs for path, seqs in log.by_object.items(min=under, max=under + "/\uffff")
                 if path == under or path.startswith(under + "/")]
        sets.append(multiunion(below) if below else LOTreeSet())
    if centre:
        sets.append(log.by_centre.get(centre, LOTreeSet()))
    if since or until:
        sets.append(_days(log, since, until))
    if not sets:
        return list(reversed(log.entries.keys()))

    result = sets[0]
    for other in sets[1:]:
        result = intersection(result, other)
    return list(reversed(list(result)))


def parse_day(value: str | None) -> date | None:
    try:
        return read_date(value) if value else None
    except ValueError:
        return None


def includeme(config):
    config.add_subscriber(on_transition, IObjectTransitioned)


def on_transition(event):
    """Every workflow transition, whatever the workflow (course, registration, roster …)."""
    entry = event.entry
    request = get_current_request()
    actor, on_behalf = who(request) if request is not None and getattr(
        request, "real_account", None) is not None else (entry.get("by") or "system", None)
    kind = getattr(event.object, "workflow_type", None) or type(event.object).__name__.lower()
    record(f"workflow.{kind}.{entry.get('transition')}", event.object, request=request,
           actor=actor, on_behalf=on_behalf,
           detail={"from": entry.get("from"), "to": entry.get("to"),
                   "comment": entry.get("comment") or "",
                   "reasons": list(entry.get("reasons") or ())})

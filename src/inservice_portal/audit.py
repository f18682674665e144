"""The audit log (稽核紀錄): who did what, when, from where, to which object.

Recorded: every workflow transition (a subscriber to ``IObjectTransitioned``, so every workflow
is covered as it is added), account events (login success and failure, password change and
reset, MFA enrolment and reset, disabling, proxy mode) and each export or full display of a
national ID. National ID numbers are never written in full: every value is masked on the way in.

Where it is stored, and why: in a **second named ZODB database** (``zodbconn.uri.audit``, the
``audit`` database of the same multi-database; DESIGN.md §9), not in the content tree.
- An undo of content is an undo of a transaction of the *main* storage; the audit entries live
  in another storage, so no content undo can take them back (tests/functional/test_audit.py).
- An entry is written in the same (two-phase) transaction as the action it records: there is no
  action without its entry, and no entry for an action that was rolled back. A file or SQLite
  log written beside the transaction could not promise both.
- It follows the main storage's deployment: a FileStorage of its own next to Data.fs in
  development, a second RelStorage database when several processes on several machines share the
  site — where a local file or SQLite log would split into one log per machine.
The price: every audited transaction appends to one chain, so two at once conflict and one is
retried (pyramid_retry); audited actions are a small share of the traffic.

Tamper evidence: each entry's SHA-256 covers its fields and the previous entry's hash (a hash
chain). ``verify`` recomputes the chain: an edited, removed or re-ordered entry breaks it. Entries
are only ever appended; ``prune`` removes the oldest entries past the retention period (at least
180 days, ``audit.retention_days``) and keeps the last removed hash as the chain's new anchor.
"""
import hashlib
import json
import re
from datetime import date, datetime, timedelta

from BTrees.LOBTree import LOBTree
from BTrees.LOBTree import LOTreeSet, multiunion
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.threadlocal import get_current_request
from pyramid.traversal import lineage, resource_path

from . import clock
from .masking import mask_national_id

DB_NAME = "audit"
LOG_KEY = "audit_log"
GENESIS = "0" * 64
MIN_RETENTION_DAYS = 180
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
    "proxy.start": "開始代理",
    "proxy.end": "結束代理",
    "national_id.display": "顯示完整身分證統一編號",
    "export": "匯出資料",
}


def label(action: str) -> str:
    if action.startswith("workflow."):
        return f"流程：{action.split('.', 2)[-1]}"
    return ACTIONS.get(action, action)


class EntryTree(LOBTree):
    """seq → entry in small buckets. Entries are appended in order, so each append rewrites
    the last bucket: with the default buckets (60 entries of ~300 bytes) every audited commit
    pickled and wrote ~19 KB, a third of a registration's time (bench/registration_rush.py)."""

    max_leaf_size = 8
    max_internal_size = 64


class AuditLog(Persistent):
    """Entries by sequence number (1, 2, …), plus small indexes for browsing."""

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
    import transaction

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
    return append(log_of(anchor), fields)


# --- checking --------------------------------------------------------------------------------

def verify(log: AuditLog) -> list[str]:
    """Every break of the chain, as readable problems (empty: intact)."""
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
    return removed


# --- browsing --------------------------------------------------------------------------------

def _days(log, since: date | None, until: date | None):
    low = since.isoformat() if since else None
    high = until.isoformat() if until else None
    return multiunion(list(log.by_day.values(low, high)))


def search(log: AuditLog, actor=None, obj=None, centre=None, since=None, until=None):
    """Sequence numbers matching every given filter, newest first."""
    sets = []
    if actor:
        sets.append(log.by_actor.get(actor, LOTreeSet()))
    if obj:
        sets.append(log.by_object.get(obj, LOTreeSet()))
    if centre:
        sets.append(log.by_centre.get(centre, LOTreeSet()))
    if since or until:
        sets.append(_days(log, since, until))
    if not sets:
        return list(reversed(log.entries.keys()))
    from BTrees.LOBTree import intersection

    result = sets[0]
    for other in sets[1:]:
        result = intersection(result, other)
    return list(reversed(list(result)))


def parse_day(value: str | None) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


def includeme(config):
    from .workflows.api import IObjectTransitioned

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

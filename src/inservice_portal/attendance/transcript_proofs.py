"""研習時數證明: a printed transcript that anyone can check (issue 16).

When a teacher asks for it (a POST: printing alone writes nothing), the summary the paper
shows (name, masked ID, school, period, courses and hours, the day) is kept under a random
short code and signed with a key derived from the site's secret. The public page /verify
shows what was issued under a code and whether its signature holds: a figure changed on the
paper no longer matches the page, and one changed in the database no longer matches its
signature.
"""
import hashlib
import hmac
import json
import secrets

from pyramid.traversal import find_root

from .. import clock
from ..rules.national_id import mask_national_id
from ..resources.units import unit_at
from . import records

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"      # no 0/O or 1/I to misread


INTACT, ALTERED, OTHER_KEY = "intact", "altered", "other_key"


def signing_key(settings) -> bytes:
    """``transcript.signing_key``, else one derived from the session secret. Proofs outlive
    a secret's rotation: give the key its own setting before rotating the session secret
    (a proof signed with another key is reported as such, not as altered)."""
    given = settings.get("transcript.signing_key")
    if given:
        return given.encode()
    return hmac.new(settings["session.secret"].encode(), b"inservice-portal transcript proofs",
                    hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"kid" + key).hexdigest()[:12]


def _signature(key: bytes, code: str, summary: dict) -> str:
    message = json.dumps([code, summary], ensure_ascii=False, sort_keys=True).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))     # 50 bits
    return f"{raw[:5]}-{raw[5:]}"


def normal(code: str) -> str:
    plain = "".join(c for c in (code or "").upper() if c in ALPHABET)
    return f"{plain[:5]}-{plain[5:]}" if len(plain) == 10 else ""


def summary_of(teacher, year: int | None, years=None) -> dict:
    """``years``: the transcript of that period, where the caller has it already."""
    years = records.transcript(teacher, year) if years is None else years
    school = unit_at(find_root(teacher), getattr(teacher, "school", None))
    return {"name": teacher.name, "national_id": mask_national_id(teacher.national_id or ""),
            "school": school.title if school is not None else "",
            "period": f"{year} 年" if year else "全部年度",
            "courses": sum(len(y["lines"]) for y in years),
            "hours": str(sum((y["counted"] for y in years), 0)),
            "issued_on": clock.now().date().isoformat()}


def issue(teacher, year: int | None, key: bytes) -> str:
    """Keep the summary of the teacher's transcript (of ``year``, or all years) under a new
    code; answer the code."""
    proofs = find_root(teacher).transcript_proofs
    code = new_code()
    while code in proofs:
        code = new_code()
    summary = summary_of(teacher, year)
    proofs[code] = {"summary": summary, "login": teacher.login, "kid": key_id(key),
                    "sig": _signature(key, code, summary)}
    return code


def check(root, code: str, key: bytes) -> tuple[dict | None, str | None]:
    """(the summary issued under ``code`` or None, INTACT / ALTERED / OTHER_KEY)."""
    proofs = root.transcript_proofs
    found = proofs.get(normal(code)) if proofs is not None else None
    if found is None:
        return None, None
    if found.get("kid") != key_id(key):
        return found["summary"], OTHER_KEY
    intact = hmac.compare_digest(found["sig"], _signature(key, normal(code), found["summary"]))
    return found["summary"], INTACT if intact else ALTERED

"""傳報匯入: a batch of training records from a partner, checked row by row and imported
all or nothing (or, when the partner asks, only its valid rows). A record is keyed by
``(partner code, source_record_id)`` in the teacher's records: a resend replaces it, never
adds a second; a batch key already received answers its first report again."""
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from .. import audit, clock, statistics
from ..jobs import job, runner
from ..jobs.runner import jobs_of
from ..accounts.teachers import teacher_by_national_id
from ..attendance.records import records_of
from ..resources.exchange import Batch
from ..resources.records import TrainingRecord
from ..rules import hours as hours_rule
from ..statistics.measures import teacher_place
from . import callbacks, confirmation, duplicates, feed, review
from . import format as fmt


PROGRESS_EVERY = 500
SAVEPOINT_EVERY = 20_000
MAX_SPREAD = 366                  # a record spans at most a year of days


@dataclass(frozen=True)
class Problem:
    row: int                 # the row's number in the file, or its place in the batch (from 1)
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field,
                "title": getattr(fmt.FIELDS.get(self.field), "title", self.field),
                "message": self.message}


@dataclass(frozen=True)
class Row:
    number: int
    teacher: object
    values: dict
    place: tuple                 # the teacher's (county, school): looked up once


def read(number: int, raw: dict) -> tuple[dict, list[Problem]]:
    """The values of one row, each read by its field's parser, and what is wrong with them."""
    values, problems = {}, []
    for name in sorted(set(raw) - set(fmt.FIELDS)):
        problems.append(Problem(number, name, "不是傳報格式的欄位。"))
    for field in fmt.RECORD_FIELDS:
        try:
            values[field.name] = fmt.parse(field, raw.get(field.name))
        except fmt.Invalid as why:
            problems.append(Problem(number, field.name, str(why)))
    first, last = values.get("first_day"), values.get("last_day")
    if first and last and last < first:
        problems.append(Problem(number, "last_day", "研習迄日不可早於起日。"))
    if last and last > clock.now().date():
        problems.append(Problem(number, "last_day", "研習尚未結束：迄日不可晚於今天。"))
    return values, problems


def check(root, partner, numbered, progress=None) -> tuple[list[Row], list[Problem]]:
    """The rows that pass (with their teacher) and the problems of those that do not, of
    ``numbered``: (row number, {field: raw value}) pairs; ``progress`` (a job's) is told
    every PROGRESS_EVERY rows."""
    passed, problems, seen, places = [], [], {}, {}
    for done, (number, raw) in enumerate(numbered):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(numbered), "檢查紀錄")
        if not isinstance(raw, dict):
            problems.append(Problem(number, "", "每筆紀錄應為一組欄位與值。"))
            continue
        values, found = read(number, raw)
        key = values.get("source_record_id")
        if key and key in seen:
            found.append(Problem(number, "source_record_id",
                                 f"與第 {seen[key]} 筆的來源紀錄編號相同。"))
        seen.setdefault(key, number)
        teacher = place = None
        if not found:
            teacher, place, why = _teacher(root, partner, values["national_id"], places)
            if why:
                found.append(Problem(number, "national_id", why))
        if not found:
            month = _locked_month(root, partner, values)
            if month:
                found.append(Problem(number, "last_day", confirmation.LOCKED.format(month=month)))
        problems += found
        if not found:
            passed.append(Row(number, teacher, values, place))
    return passed, problems


# One answer whether the ID has no account or its teacher is outside the partner's counties:
# a partner learns nothing of teachers it may not write for.
NOT_REACHABLE = "本網沒有此身分證統一編號、可由本傳報單位傳報的教師帳號（請確認編號，或該教師的服務縣市）。"


def _teacher(root, partner, national_id, places: dict):
    """(teacher, its place, None) or (None, None, why); ``places`` keeps each school's place
    for the batch (a file holds many teachers of one school)."""
    teacher = teacher_by_national_id(root, national_id)
    if teacher is None:
        return None, None, NOT_REACHABLE
    place = places.get(teacher.school)
    if place is None:
        place = places[teacher.school] = teacher_place(teacher)
    if not partner.may_reach(place[0]):
        return None, None, NOT_REACHABLE
    return teacher, place, None


def _locked_month(root, partner, values) -> str | None:
    """The confirmed month the row would change: its own, or that of the record it replaces."""
    days = [values["last_day"]]
    login = partner.holders.get(values["source_record_id"])
    holder = root["people"].get(login) if login else None
    held = (getattr(holder, "records", None) or {}).get((partner.code, values["source_record_id"]))
    if held is not None:
        days.append(held.last_day)
    return next((confirmation.month_of(d) for d in days if confirmation.locked(partner, d)), None)


def spread(first, last, hours) -> tuple:
    """((day, hours), …) of a record given by its first and last day and its hours: spread
    over the days in half hours, earlier days first (the day and week caps of Art. 10 (2)
    read them), the first and last day always among them."""
    count = min((last - first).days + 1, MAX_SPREAD)
    halves, extra = divmod(int(hours / hours_rule.STEP), count)
    days = [first + timedelta(days=n) for n in range(count - 1)] + [last]
    share = [(halves + (n < extra)) * hours_rule.STEP for n in range(count)]
    return tuple((day, h) for n, (day, h) in enumerate(zip(days, share))
                 if h or n in (0, count - 1))


def write(partner, row: Row) -> bool:
    """Write one checked row into its teacher's records; True when it was new."""
    v = row.values
    days = spread(v["first_day"], v["last_day"], v["hours"])
    fields = dict(title=v["title"], course_code=v["course_code"], organiser=v["organiser"],
                  hours=v["hours"], days=days, credit_class=v["credit_class"],
                  written_at=clock.now())
    key = (partner.code, v["source_record_id"])
    _leave_former_holder(partner, row.teacher, key)
    records = records_of(row.teacher, create=True)
    record = records.get(key)
    with statistics.tracking_record(row.teacher, key, row.place):
        if record is None:
            records[key] = TrainingRecord(row.teacher.login, partner.code,
                                          v["source_record_id"], **fields)
        elif any(getattr(record, name) != fields[name] for name in COMPARED):
            record.rewrite(**fields)
        else:
            return False                  # unchanged: nothing for the feed
        duplicates.flag(row.teacher, records[key])
    duplicates.release(row.teacher, key)          # those that repeated it, if it changed
    partner.holders[v["source_record_id"]] = row.teacher.login
    feed.note(row.teacher, key, row.place)
    return record is None


COMPARED = ("title", "course_code", "organiser", "hours", "days", "credit_class")


def _leave_former_holder(partner, teacher, key):
    """A record resent for another teacher (its national ID corrected) leaves the first."""
    login = partner.holders.get(key[1])
    former = teacher.__parent__.get(login) if login and login != teacher.login else None
    records = getattr(former, "records", None)
    if records is not None and key in records:
        with statistics.tracking_record(former, key):
            del records[key]
        duplicates.release(former, key)
        feed.note(former, key)


def import_batch(root, partner, key: str, numbered: list, import_valid=False,
                 via="api", progress=None) -> tuple[Batch, bool]:
    """(the batch's report, whether it is new), of ``numbered`` rows (see check). Nothing is
    written when a row fails, unless ``import_valid``; a batch key received before answers
    that batch again. The failing rows are kept with the report, to be sent back to fix."""
    if key in partner.batches:
        return partner.batches[key], False
    passed, problems = check(root, partner, numbered, progress)
    if progress is not None:              # a month confirmed while a job checked the rows
        for row, month in [(r, _locked_month(root, partner, r.values)) for r in passed]:
            if month:
                passed.remove(row)
                problems.append(Problem(row.number, "last_day",
                                        confirmation.LOCKED.format(month=month)))
    written = passed if import_valid or not problems else []
    if progress is not None:
        progress(len(numbered), len(numbered), "寫入研習紀錄")
    added = 0
    for done, row in enumerate(written, 1):
        added += write(partner, row)
        if done % SAVEPOINT_EVERY == 0:           # a large batch: memory stays flat
            _savepoint(root)
    review.refresh(root, {row.teacher.login: (row.teacher, row.place) for row in written}.values())
    rows, failing = len(numbered), {p.row for p in problems}
    batch = Batch(key, clock.now(), via, rows, len(written),
                  [p.as_dict() for p in problems], added)
    batch.rejected_rows = tuple((n, dict(raw)) for n, raw in numbered
                                if n in failing and isinstance(raw, dict))
    _forget_old_rows(partner)
    if written or not problems:
        partner.batches[key] = batch
        partner.refused.pop(key, None)
    else:                                 # refused: sent again corrected, it runs again
        partner.refused[key] = batch
    audit.record("exchange.import", partner, root=root, actor=f"partner:{partner.code}",
                 detail={"batch": key, "via": via, "rows": rows,
                         "imported": len(written), "rejected": len(failing)})
    return batch, True


KEEP_ROWS = timedelta(days=90)     # the rows to fix (full national IDs) are kept this long


def _forget_old_rows(partner) -> None:
    """The failing rows of batches older than KEEP_ROWS go; their reports stay."""
    cutoff = clock.now() - KEEP_ROWS
    for batch in [*partner.batches.values(), *partner.refused.values()]:
        if batch.rejected_rows and batch.received < cutoff:
            batch.rejected_rows = ()


def _savepoint(root):
    """Move what the batch wrote so far out of memory (into the savepoint's temporary file),
    still all in one transaction."""
    conn = root._p_jar
    if conn is not None:
        conn.transaction_manager.get().savepoint(optimistic=True)
        conn.cacheGC()


def file_key(data: bytes) -> str:
    """A file's batch key: its content's digest (the same file sent twice is one batch)."""
    return "file-" + hashlib.sha256(data).hexdigest()[:24]


def batch_of(partner, key: str):
    """The batch received (or refused) under ``key``, or None."""
    return partner.batches.get(key) or partner.refused.get(key)


@job("exchange.import")
def import_job(root, progress, partner: str, key: str, numbered: list, import_valid: bool,
               via: str) -> dict:
    """A batch imported in the background (POST /api/v1/exchange/batches)."""
    found = root["exchange"][partner]
    batch, _ = import_batch(root, found, key, numbered, import_valid, via, progress)
    result = {"batch_key": batch.key, "rows": batch.rows, "imported": batch.imported,
              "rejected": len({p["row"] for p in batch.problems})}
    callbacks.after_commit(root._p_jar.transaction_manager.get(),
                           getattr(found, "callback_url", None), {"partner": partner, **result})
    return result


# -- in the background: a batch or a large file, as a job (jobs/) ----------------------------
QUEUED_FROM = 1000                 # a file with more rows than this is imported as a job


def job_id(partner, key: str) -> str:
    return f"exchange:{partner.code}:{key}"


def job_of(root, partner, key: str):
    return jobs_of(root).get(job_id(partner, key))


def queue(root, settings, partner, key: str, numbered: list, import_valid: bool, via: str):
    """The job importing this batch: the one already there, unless that one failed, was
    refused for its rows, or was left behind by a process that died; else a new one."""
    found = job_of(root, partner, key)
    if found is None or _may_run_again(partner, found, settings):
        found = runner.submit(root, settings, "exchange.import", f"partner:{partner.code}", {
            "partner": partner.code, "key": key, "numbered": numbered,
            "import_valid": import_valid, "via": via}, id=job_id(partner, key))
    return found


def _may_run_again(partner, found, settings) -> bool:
    if found.state in ("queued", "running"):
        return runner.abandoned(found, settings)
    return found.state == "failed" or found.result["batch_key"] not in partner.batches

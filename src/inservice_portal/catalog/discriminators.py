"""Discriminators: what each index reads of an object. They are stored inside the indexes, so
they must pickle: small classes, not closures."""
import re
import sys
import unicodedata
from datetime import date

from ..courses.review_flags import flag_codes
from ..resources.interfaces import ICourse
from ..rules.eligibility import closing_day


_SHARED: dict = {}
SHARED_LIMIT = 200_000       # distinct tuples kept (venue lists are free text): bounded memory


def canonical(value):
    """One object per distinct value (strings interned, tuples shared). pickle's memo works by
    identity: a bucket holding "臺北市" for forty documents then stores it once and refers to it
    39 times, where a value read afresh from each object was stored 40 times over."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, tuple):
        value = tuple(canonical(v) for v in value)
        if len(_SHARED) >= SHARED_LIMIT:
            _SHARED.clear()
        return _SHARED.setdefault(value, value)
    return value




class Attr:
    def __init__(self, name):
        self.name = name

    def __call__(self, obj, default):
        return canonical(getattr(obj, self.name, default))


class DateOrdinal(Attr):
    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return value.toordinal() if value is not None else default


class OpeningDate(Attr):
    """A course's first day of registration; one without as open since its publication
    (rules/eligibility.py; the state clause keeps drafts out), so that every course has a value
    and "opened by today" may be answered by taking the courses that open later away
    (query_plan's ``complete``). Objects without the attribute: no value."""

    ALWAYS = date.min.toordinal()

    def __call__(self, obj, default):
        if not hasattr(obj, self.name):
            return default
        value = getattr(obj, self.name)
        return value.toordinal() if value is not None else self.ALWAYS


class ClosingDate(Attr):
    """A course's last day of registration as the eligibility rule reads it: item 17, else the
    day before the course begins (「至研習開始前一日止」), else never closing."""

    NEVER = date.max.toordinal()

    def __call__(self, obj, default):
        if not hasattr(obj, self.name):
            return default
        last = closing_day(getattr(obj, self.name), obj.first_day)
        return last.toordinal() if last is not None else self.NEVER


class Value(Attr):
    """An attribute whose ``None`` (a field not filled in yet) is left out of the index."""

    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return default if value is None else canonical(value)


class OnlyTrue(Attr):
    """A flag indexed only where it is set: queried with ``eq(True)``, and a million
    ``False`` entries would only take room."""

    def __call__(self, obj, default):
        return True if getattr(obj, self.name, False) else default


class Keywords(Attr):
    """A tuple attribute (audiences, delivery modes, tags) for a KeywordIndex."""

    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return canonical(list(value)) if value else default


class Hours:
    """The hours a full attendee is credited (credits × 18 for credit classes): a whole number
    as an int, which pickles in 2 bytes where a float takes 9."""

    def __call__(self, obj, default):
        value = getattr(obj, "approved_hours", None)
        if not value:
            return default
        value = float(value)
        return int(value) if value.is_integer() else value


class County:
    """The county (縣市): for a course its organiser's (where it is held), for a shared item
    its own (venues have one)."""

    def __call__(self, obj, default):
        holder = obj.__parent__ if ICourse.providedBy(obj) else obj
        return canonical(getattr(holder, "county", None)) or default


class SearchableText:
    """What the full-text index reads: ``obj.searchable_text()`` where a type defines it."""

    def __call__(self, obj, default):
        method = getattr(obj, "searchable_text", None)
        return method() if method is not None else default


class ReviewFlagCodes:
    """The codes of the reviewer's flags (review_flags.py), for filtering the worklist."""

    def __call__(self, obj, default):
        return flag_codes(obj) if hasattr(obj, "sessions") else default


class LineageCode:
    """The code of the course's organiser (up=1) or centre (up=2)."""

    def __init__(self, up):
        self.up = up

    def __call__(self, obj, default):
        node = obj
        for _ in range(self.up):
            node = getattr(node, "__parent__", None)
        return canonical(getattr(node, "code", default))


def link_key(text: str) -> str:
    """A name or place as the sharing area matches it: NFKC, without any white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


class LinkKeys:
    """What links a course and a shared item without anyone entering the link: the names of
    a course's lecturers (item 8) or its places (item 20 and the sessions' venues), and a
    recommended lecturer's name or a venue's name and address (``lecturer_names``/``places``)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, obj, default):
        if getattr(obj, "content_type", None) == "course":
            if self.name == "lecturer_names":
                values = [lecturer.get("name", "") for lecturer in obj.lecturers]
            else:
                values = [obj.place] + [session.venue for session in obj.sessions]
        else:
            values = getattr(obj, self.name, ())
        keys = sorted({link_key(v) for v in values} - {""})
        return canonical(keys) or default


INDEXES = {
    "content_type": Attr("content_type"),
    "state": Attr("state"),
    "starts_on": DateOrdinal("starts_on"),
    "ends_on": DateOrdinal("ends_on"),
    "code": Attr("code"),
    "organiser": LineageCode(1),
    "centre": LineageCode(2),
    "stage": Attr("stage"),
    "auto_approved": OnlyTrue("auto_approved"),
    # the sharing area (shared items only; courses have none of these attributes)
    "sharing_id": Attr("sharing_id"),
    "owner": Attr("owner"),
    "owner_centre": Attr("owner_centre"),
    # 研習課程查詢 (evolve step 2); a venue's own county for the sharing area
    "county": County(),
    "registration_opens": OpeningDate("registration_opens"),
    "registration_closes": ClosingDate("registration_closes"),
    "scope": Value("scope"),
    "sub_item": Value("sub_item"),
    "level": Value("level"),
    "hours": Hours(),
    "school": Attr("school"),          # a teacher's current school (its path), or None
    "published_on": DateOrdinal("published_on"),   # 研習資訊訂閱 (evolve step 35)
}
KEYWORD_INDEXES = {
    "flags": ReviewFlagCodes(),
    # the sharing area (``tags``: COMPACT_KEYWORD_INDEXES)
    "stages": Attr("stages"),
    "scopes": Attr("scopes"),
    "related_courses": Attr("related_courses"),
}
COMPACT_KEYWORD_INDEXES = {      # 研習課程查詢 (evolve step 2); every course has these
    # the sharing area's links, which index every course too (evolve step 8)
    "lecturer_names": LinkKeys("lecturer_names"),
    "places": LinkKeys("places"),
    "audience_stages": Keywords("audience_stages"),
    "audience_titles": Keywords("audience_titles"),
    "delivery_modes": Keywords("delivery_modes"),
    "tags": Keywords("tags"),
}



"""The course vocabularies and their labels, read from the package's data files: the course
form's coded choices (附件十), the school stages of the taxonomy (附件十一), the centres and
their counties. One place for the form, the search, the sharing area, exports and the API;
nothing here imports resources/.

Codes map to labels; ``*_choices`` give (value, "code label") pairs as 附件十 prints its boxes.
附件十 numbers scopes and levels 5-1… and 7-1…, the API and 附件十一 call them "1"….
"""
from functools import cache

from . import reference
from .courses import taxonomy

FORM = reference.load("course_form")
ITEMS, VOCAB = FORM["items"], FORM["vocabularies"]
ADMISSION = reference.load("course_admission")
STAGE_LABELS = reference.vocabulary("school_stages")
# a course field → the vocabulary its codes come from
VOCABULARY_OF = {
    "class_type": "class_types", "nature": "organising_modes", "delivery_modes": "delivery_modes",
    "time_slots": "time_slots", "audience_stages": "audience_stages",
    "audience_titles": "audience_titles", "funding": "funding_sources", "fee": "fees",
    "feedback": "feedback", "kind": "lecturer_types",
}


def label(vocabulary: str, code) -> str:
    """A code's label in one of the form's vocabularies ("" for an unknown code)."""
    return VOCAB[vocabulary].get(code, "")


def choices(vocabulary: str) -> list[tuple[str, str]]:
    return [(code, f"{code} {text}") for code, text in VOCAB[vocabulary].items()]


def _numbered(vocabulary: str) -> list[tuple[str, str]]:
    return [(code.split("-", 1)[1], f"{code} {text}") for code, text in VOCAB[vocabulary].items()]


def scope_choices():
    return _numbered("scopes")


def level_choices():
    return _numbered("levels")


def scope_labels() -> dict[str, str]:
    """Scope value → "5-1 label"."""
    return dict(scope_choices())


def stage_choices():
    return list(stages().items())


# -- value → label maps, read once per process (every search checks its parameters) --------
@cache
def counties() -> list[str]:
    return [c["county"] for c in reference.centres() if c["county"]]


@cache
def centres() -> dict[str, str]:
    return {c["code"]: c["short"] for c in reference.centres()}


@cache
def stages() -> dict[str, str]:
    """The school stages of 附件十一, in its order."""
    return {stage: STAGE_LABELS[stage] for stage in taxonomy.stages()}


@cache
def scopes() -> dict[str, str]:
    return {code.split("-", 1)[1]: text for code, text in VOCAB["scopes"].items()}


@cache
def levels() -> dict[str, str]:
    """The form's levels that 附件十一 lists."""
    return {code.split("-", 1)[1]: text for code, text in VOCAB["levels"].items()
            if int(code.split("-", 1)[1]) in taxonomy.level_numbers()}


@cache
def audience_stages() -> dict[str, str]:
    return dict(VOCAB["audience_stages"])


@cache
def delivery_modes() -> dict[str, str]:
    return dict(VOCAB["delivery_modes"])

"""Which region centre reviews an organiser's courses and rosters: 002 Art. 11.

Art. 11:
 (1) universities and teacher-education universities → the national promotion centre;
 (2) national and private senior high, vocational and special-education schools (not those of
     Taipei and Kaohsiung cities) → their education authority, i.e. 國教署;
 (3) central and local teacher-training centres → their own education authority;
 (4) county/city senior highs and public or private junior highs down to kindergartens →
     their county/city education bureau;
 (5) social-education bodies and legal persons → the national promotion centre;
 (6) counties that report through the back-end platform verify their own courses (their
     bureau, as in clause 4).
Units the article does not name, decided here (see the issue note): 高中課程學科中心 → the
普通型高級中等學校課程推動工作圈 that coordinates them; 國教輔導群 → 國教署 (000 捌 §三 lists
them under 教育部國教署); non-school experimental education institutions → their county
(001 參四: they keep their teacher lists like the schools of clause 4).
"""
from dataclasses import dataclass

NATIONAL = "nknu"
K12EA = "k12ea"
CIRCLE = "circle"
SPECIAL_MUNICIPALITIES = ("臺北市", "高雄市")   # Art. 11 (2): "不含北高兩市"


@dataclass(frozen=True)
class OrganiserFacts:
    kind: str                      # organiser kind (vocabularies.organiser_kinds)
    county: str | None = None      # 臺北市 …, where the unit is
    ownership: str | None = None   # national | private | county (縣市立) | None
    stage: str | None = None       # for schools: kindergarten … senior_high
    authority: str | None = None   # for training centres: "central" or "local"


def reviewing_centre(facts: OrganiserFacts, county_centres: dict[str, str]) -> tuple[str, str]:
    """(centre code, clause) for an organiser; ``county_centres`` maps county name → code."""
    kind = facts.kind
    if kind in ("university", "teacher_education_university"):
        return NATIONAL, "Art. 11 (1)"
    if kind == "social_education":
        if facts.authority == "central":
            return K12EA, "Art. 11 (3)"
        if facts.authority == "local":
            return _county(facts, county_centres), "Art. 11 (3)"
        return NATIONAL, "Art. 11 (5)"
    if kind == "subject_centre":
        return CIRCLE, "Art. 11 (not named): 課程推動工作圈"
    if kind == "guidance_group":
        return K12EA, "Art. 11 (not named): 國教署"
    if kind == "experimental_education":
        return _county(facts, county_centres), "Art. 11 (4), by analogy"
    if kind == "k12_school":
        national_or_private = facts.ownership in ("national", "private")
        if (facts.stage == "senior_high" and national_or_private
                and not (facts.ownership == "private" and facts.county in SPECIAL_MUNICIPALITIES)):
            return K12EA, "Art. 11 (2)"
        return _county(facts, county_centres), "Art. 11 (4)"
    raise ValueError(f"unknown organiser kind {kind!r}")


def _county(facts, county_centres) -> str:
    try:
        return county_centres[facts.county]
    except KeyError:
        raise ValueError(f"no region centre for county {facts.county!r}") from None

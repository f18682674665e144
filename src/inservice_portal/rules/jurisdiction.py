"""Which region centre reviews an organiser's courses and rosters: 002 Art. 11.

Art. 11:
 (1) universities and teacher-education universities → the national promotion centre;
 (2) national and private senior high, vocational and special-education schools (not those of
     Taipei and Kaohsiung cities) → their education authority, i.e. 國教署;
 (3) central and local teacher-training centres → their own education authority;
 (4) county/city senior highs and public or private junior highs down to kindergartens →
     their county/city education bureau;
 (5) bodies recognised by law (當然認可) and unincorporated groups → the national promotion
     centre; other legal persons → the 認可審查小組 (as amended, 000 附件 and 004);
 (6) counties that report through the back-end platform verify their own courses (their
     bureau, as in clause 4);
 (7) local government offices (衛生局、社會局…) and community colleges → their county's
     education bureau (as amended, 004).
Since 106/107 the private senior highs of 臺中市 and 桃園市 belong to the city bureaus, like
those of Taipei and Kaohsiung (000 沿革: "臺中市私立高中職改隸臺中市政府教育局", "桃園市私立高中
職改隸桃園市政府教育局"); their national ones became municipal (ownership "county").
A special-education or vocational school is of clause 2's level whatever stage is entered.
Our reading: the 認可審查小組 is no centre of 001's hierarchy; its bodies' courses are kept by
the national promotion centre, which hosts the portal, under clause 5's second half.
Units the article does not name, decided here (our reading): 高中課程學科中心 → the
普通型高級中等學校課程推動工作圈 that coordinates them; 國教輔導群 → 國教署 (000 捌 §三 lists
them under 教育部國教署); non-school experimental education institutions → their county
(001 參四: they keep their teacher lists like the schools of clause 4).
"""
from dataclasses import dataclass

NATIONAL = "nknu"
K12EA = "k12ea"
CIRCLE = "circle"
# Art. 11 (2) "不含北高兩市", and the cities whose private senior highs moved to them since
MUNICIPAL_PRIVATE_HIGHS = ("臺北市", "高雄市", "臺中市", "桃園市")
CLAUSE_2_TYPES = ("senior_high", "vocational", "special_education")


@dataclass(frozen=True)
class OrganiserFacts:
    kind: str                      # organiser kind (vocabularies.organiser_kinds)
    county: str | None = None      # 臺北市 …, where the unit is
    ownership: str | None = None   # national | private | county (縣市立) | None
    stage: str | None = None       # for schools: kindergarten … senior_high
    authority: str | None = None   # for training centres: "central" or "local"
    school_type: str | None = None  # for schools: vocabularies.school_types
    accreditation: str | None = None  # social education: "by_law" (當然認可) | "panel" | None


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
        if facts.accreditation == "panel":
            return NATIONAL, "Art. 11 (5) 認可審查小組"
        return NATIONAL, "Art. 11 (5)"
    if kind in ("local_agency", "community_college"):
        return _county(facts, county_centres), "Art. 11 (7)"
    if kind == "subject_centre":
        return CIRCLE, "Art. 11 (not named): 課程推動工作圈"
    if kind == "guidance_group":
        return K12EA, "Art. 11 (not named): 國教署"
    if kind == "experimental_education":
        return _county(facts, county_centres), "Art. 11 (4), by analogy"
    if kind == "k12_school":
        national_or_private = facts.ownership in ("national", "private")
        high_level = facts.stage == "senior_high" or facts.school_type in CLAUSE_2_TYPES
        municipal = facts.ownership == "private" and facts.county in MUNICIPAL_PRIVATE_HIGHS
        if high_level and national_or_private and not municipal:
            return K12EA, "Art. 11 (2)"
        return _county(facts, county_centres), "Art. 11 (4)"
    raise ValueError(f"unknown organiser kind {kind!r}")


def _county(facts, county_centres) -> str:
    try:
        return county_centres[facts.county]
    except KeyError:
        raise ValueError(f"no region centre for county {facts.county!r}") from None

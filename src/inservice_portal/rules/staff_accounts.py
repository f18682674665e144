"""Who activates a staff account (業務帳號), and what its type may be switched to.

- A unit's 總負責人 is activated, switched or deleted by the region centre the unit is under
  (001 參二(二)1–2, 參三(二)1(2); 003 二(六)1: "「總負責人」業務帳號之啟用、權限異動或刪除，
  請向所屬區管中心申請").
- 聯絡人 and 作業人員 are activated by the unit's own 總負責人 (003 二(六)2: "由校內 [總負責人]
  協助啟用"), where the unit has 本單位帳號管理 at all; units whose column of the matrix lacks it
  (社教與法人機構, 高中課程學科中心, 001 肆) leave it to their centre (for them the national
  centre or the work circle, 001 參二(二)2).
- A unit's admin may switch contacts and operators between the two types; only the centre may
  make or unmake a 總負責人 (001 參四(三)4(4): "唯總負責人身分之切換，須洽…服務").
- A region centre's own staff account (區管中心業務帳號) is activated by the national centre
  (001 參二(二)1: "區域管理中心業務帳號申請之審核、啟用").
"""
UNIT = "unit"          # the unit's own 本單位帳號管理 (permission unit.accounts on the unit)
CENTRE = "centre"      # the centre above it: 轄下單位帳號管理 (subunit.accounts)
NATIONAL = "national"  # the national centre's 轄下單位帳號管理

STAFF_TYPES = ("principal_admin", "contact", "operator")
CENTRE_TYPES = ("centre_reviewer",)
UNIT_SWITCHABLE = ("contact", "operator")


def approver(staff_type: str, unit_has_account_management: bool) -> str:
    """Who activates an application of ``staff_type`` for a unit (UNIT, CENTRE or NATIONAL)."""
    if staff_type in CENTRE_TYPES:
        return NATIONAL
    if staff_type not in STAFF_TYPES:
        raise ValueError(f"unknown staff type {staff_type!r}")
    if staff_type == "principal_admin" or not unit_has_account_management:
        return CENTRE
    return UNIT


def unit_may_switch(old: str, new: str) -> bool:
    """May the unit's own admin change an account from ``old`` to ``new``?"""
    return old in UNIT_SWITCHABLE and new in UNIT_SWITCHABLE and old != new


def centre_may_switch(old: str, new: str) -> bool:
    return old in STAFF_TYPES and new in STAFF_TYPES and old != new


# Courses in these states are finished: their roster was confirmed, or they never ran.
FINISHED_STATES = ("closed", "cancelled")


def may_delete(open_course_codes) -> bool:
    """An old account is deleted only when every course it registered is finished
    (003 二(六)2: "所有登錄課程之處理狀態皆為 [名單確認通過] 後")."""
    return not list(open_course_codes)

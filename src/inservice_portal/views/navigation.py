"""The main menu, by role: each account sees the links to the areas its roles open."""
from dataclasses import dataclass

from pyramid.traversal import find_resource

from ..permissions import EXCHANGE_MANAGE
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from ..accounts.teachers import SCHOOL_KINDS
from ..comms import messages


@dataclass
class NavItem:
    title: str
    url: str
    current: bool = False


def units_of(request, account) -> list:
    """The units (centre or organiser objects) on which the account holds a role."""
    path = getattr(account, "unit", None)
    if not path:
        return []
    try:
        return [find_resource(request.root, path)]
    except KeyError:
        return []


# (view name, menu title, permission) of the unit pages, in menu order (001 參: 功能權限).
UNIT_PAGES = [
    ("todo", "待辦事項", None),                  # every staff role's landing (views/todo.py)
    ("worklist", "研習課程資料確認", "course.review"),
    ("settings", "自動審核功能設定", "autoapproval.configure"),
    ("auto-approved", "自動審核瀏覽", "autoapproval.browse"),
    ("courses", "本單位研習課程瀏覽", "unit.courses"),
    ("sharing-moderation", "資源分享區管理", "course.review"),
    ("sharing", "資源分享（本單位）", "sharing.handouts"),
    ("overdue-rosters", "未結案課程", None),     # the page of each kind declares its own
    ("audit", "稽核紀錄", "audit.browse"),
    ("statistics", "統計圖表", None),           # 全國 at the ministry, 縣市 at a centre
    ("learning-needs", "進修儀表板", None),      # likewise
    ("exchange-status", "傳報現況", "stats.county"),
    ("imported-records", "匯入紀錄審查", "course.review"),
    ("project-tags", "專案屬性標籤清單", "project_tags.manage"),
    ("school-directory", "學校代碼清單匯入", "school_directory.import"),
    ("proxy", "代理模式", "proxy_mode"),
    ("staff", "本單位業務帳號管理", "unit.accounts"),
    ("teachers", "本單位教師帳號管理", "unit.teachers"),
    ("teacher-records", "教師研習記錄", "unit.teachers"),
    ("licences", "教師專長證照審核", "unit.accounts"),
    ("subunits", "轄下單位帳號管理", "subunit.accounts"),
    ("contact", "修改本單位通訊資料", "unit.edit_contact"),
    ("message", "寄線上短訊給轄下單位", "course.review"),
    ("tickets", "意見交流", "course.review"),
]


def unit_links(request, unit) -> list[NavItem]:
    pages = {IRegionCentre: ("todo", "worklist", "settings", "auto-approved", "overdue-rosters",
                             "sharing-moderation", "sharing", "subunits", "contact", "audit",
                             "statistics", "learning-needs", "exchange-status",
                             "imported-records", "proxy", "message", "tickets"),
             IOrganiser: ("todo", "courses", "overdue-rosters", "sharing", "staff", "teachers",
                          "teacher-records", "statistics", "licences",
                          "contact"),
             IMinistry: ("todo", "audit", "statistics", "learning-needs", "project-tags",
                         "school-directory")}
    needs = {IRegionCentre: "course.review", IOrganiser: "unit.courses", IMinistry: "audit.browse"}
    stats = ("stats.national" if IMinistry.providedBy(unit) else
             "stats.county" if IRegionCentre.providedBy(unit) else "stats.unit")
    own = {"statistics": stats, "learning-needs": stats}
    wanted = next((names for iface, names in pages.items() if iface.providedBy(unit)), ())
    if getattr(unit, "kind", None) not in SCHOOL_KINDS:
        wanted = tuple(n for n in wanted if n != "licences")   # teachers' licences: schools only
    kind = next((iface for iface in pages if iface.providedBy(unit)), None)
    links = [NavItem(title, request.resource_url(unit, name))
             for name, title, permission in UNIT_PAGES
             if name in wanted
             and request.has_permission(permission or own.get(name) or needs[kind], unit)]
    return links or [NavItem(f"本單位：{unit.title}", request.resource_url(unit))]


def nav(request) -> list[NavItem]:
    app = request.application_url
    items = [NavItem("首頁", f"{app}/"), NavItem("資源分享區", f"{app}/sharing/")]
    account = request.account
    if account is not None:
        for unit in units_of(request, account):
            items += unit_links(request, unit)
        platform = request.root.get("exchange") if account.kind == "staff" else None
        if platform is not None and request.has_permission(EXCHANGE_MANAGE, platform):
            items.append(NavItem("資訊傳報平臺管理", request.resource_url(platform)))
        if account.kind == "teacher":            # 線上報名 (views/registration.py)
            items.append(NavItem("個人報名紀錄", f"{app}/my-registrations"))
            if account.employed:                 # (004, amended Art. 5: the transcript only)
                items.append(NavItem("收藏追蹤", f"{app}/favourites"))
            items.append(NavItem("個人研習紀錄", f"{app}/transcript"))
            items.append(NavItem("研習資訊訂閱", request.resource_url(account, "subscriptions")))
        if getattr(account, "employed", False):
            # 專長證照登錄申請: a teacher with a current school (004, amended Art. 5)
            items.append(NavItem("專長證照登錄申請", request.resource_url(account, "licences")))
        unread = messages.unread(request.root, account)
        items.append(NavItem(f"我的訊息（{unread} 則未讀）" if unread else "我的訊息",
                             f"{app}/messages"))
        items.append(NavItem("我的帳號", f"{app}/account"))
    else:
        items += [NavItem("教師帳號申請", f"{app}/signup"),
                  NavItem("業務帳號申請", f"{app}/apply-staff"),
                  NavItem("新增研習單位", f"{app}/apply-unit")]
    for item in items:
        item.current = request.url.rstrip("/") == item.url.rstrip("/")
    return items


def flash_messages(request) -> list[str]:
    """Pop flash messages without touching the session cookie when there are none."""
    session = request.session
    return session.pop_flash() if session.peek_flash() else []


def includeme(config):
    config.add_request_method(nav, "nav", reify=True)
    config.add_request_method(flash_messages, "flash_messages", reify=True)

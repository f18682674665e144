"""The main menu, by role: each account sees the links to the areas its roles open."""
from dataclasses import dataclass

from pyramid.traversal import find_resource


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


def nav(request) -> list[NavItem]:
    app = request.application_url
    items = [NavItem("首頁", f"{app}/")]
    account = request.account
    if account is not None:
        for unit in units_of(request, account):
            items.append(NavItem(f"本單位：{unit.title}", request.resource_url(unit)))
        items.append(NavItem("我的帳號", f"{app}/account"))
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

"""忘記帳號: the logins registered under an e-mail address, mailed to that address only.

``root.email_logins`` maps an address (trimmed, lower case) to the logins that used it; it is
written when an account is added and when an address is confirmed or restored, never on an
ordinary request. It is read with every account checked again (active, that address,
confirmed), so an entry a later change left behind answers nothing.
"""
from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_root

from .. import audit, mail, throttle
from ..resources.events import IObjectAdded
from ..resources.interfaces import IAccount


def normalise(email) -> str:
    return (email or "").strip().lower()


def note(root, account):
    key = normalise(account.email)
    if not key:
        return
    index = root.email_logins
    if index is None:                   # (a root older than evolve 25: that step builds it)
        return
    logins = index.get(key, ())
    if account.login not in logins:
        index[key] = logins + (account.login,)


def rebuild(root):
    """Note every account's address (evolve, and data loaded without the app's events)."""
    if root.email_logins is None:
        root.email_logins = OOBTree()
    for account in root["people"].values():
        note(root, account)


def accounts_for(root, email) -> list:
    key = normalise(email)
    index = getattr(root, "email_logins", None)
    if not key or index is None:
        return []
    people = root["people"]
    found = (people.get(login) for login in index.get(key, ()))
    return sorted((a for a in found if a is not None and a.active and a.email_confirmed
                   and normalise(a.email) == key), key=lambda a: a.login)


def remind(root, request, email) -> bool:
    """Mail the logins under ``email`` to that address; False (nothing sent) when there are
    none or it was asked too often. The page answers the same either way."""
    if not throttle.of(request).hit("mail.account", normalise(email)):
        return False
    found = accounts_for(root, email)
    if not found:
        return False
    lines = "\n".join(f"  {a.login}（{a.name}）" for a in found)
    mail.send(request, found[0].email, "帳號查詢通知",
              "您好：\n\n有人（希望是您）查詢了以此電子郵件信箱登記的全國教師在職進修資訊網帳號：\n\n"
              f"{lines}\n\n忘記密碼時，請至 {request.application_url}/password-reset 申請重設。\n"
              "若您沒有提出查詢，請忽略本信；您的帳號不會有任何改變。\n")
    for account in found:
        audit.record("login.reminder", account, request=request, root=root)
    return True


def on_added(event):
    if IAccount.providedBy(event.object):
        note(find_root(event.object), event.object)


def includeme(config):
    config.add_subscriber(on_added, IObjectAdded)

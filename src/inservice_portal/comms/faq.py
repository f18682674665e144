"""問答集: the national centre's questions and answers, by category, in the order it sets."""
from ..resources.faq import Faq, FaqEntry

CATEGORIES = {
    "account": "帳號與登入",
    "registration": "研習報名",
    "records": "研習時數與紀錄",
    "courses": "課程登錄與審核",
    "exchange": "資訊傳報",
    "other": "其他",
}


class FaqError(Exception):
    pass


def ensure_faq(root):
    if "faq" not in root:
        root.add("faq", Faq(), send_events=False)
    return root["faq"]


def by_category(faq) -> list[tuple[str, str, list]]:
    """(code, title, [(id, entry)…]) of each category with entries, in order."""
    found: dict = {}
    for id, entry in faq.items():
        found.setdefault(entry.category, []).append((id, entry))
    return [(code, title, sorted(found[code], key=lambda item: (item[1].order, int(item[0]))))
            for code, title in CATEGORIES.items() if code in found]


def save(faq, fields: dict, id: str | None = None) -> str:
    if fields["category"] not in CATEGORIES:
        raise FaqError("沒有這個分類。")
    if id is None:
        id = str(faq.ids.next())
        faq.add(id, FaqEntry(**fields), send_events=False)
    else:
        entry = faq[id]
        for name, value in fields.items():
            setattr(entry, name, value)
    return id


def remove(faq, id: str) -> bool:
    if id not in faq:
        return False
    faq.remove(id, send_events=False)
    return True

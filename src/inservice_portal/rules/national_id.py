"""身分證統一編號 and 新式居留證統一證號: format and check digit (內政部 rule).

Both are a letter and nine digits; the letter stands for a two-digit number, and the weighted
sum of those two digits and the nine that follow (weights 1 9 8 7 6 5 4 3 2 1 1) is a multiple
of ten. A national ID's second character is 1 or 2 (sex); the new-style resident certificate
(新式外來人口統一證號, since 2021) uses 8 or 9 there and the same sum.
"""
import re
import unicodedata

LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25,
                    26, 27, 28, 29, 32, 30, 31, 33)))
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
SHAPE = re.compile(r"[A-Z][1289][0-9]{8}")


def normalise(value: str | None) -> str:
    """Upper case, no surrounding blanks, full-width letters and digits made plain."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def weighted_sum(body: str) -> int:
    digits = divmod(LETTERS[body[0]], 10) + tuple(int(d) for d in body[1:])
    return sum(d * w for d, w in zip(digits, WEIGHTS))


def check_digit(first9: str) -> str:
    """The tenth character of an ID whose first nine are ``first9``."""
    return str(-weighted_sum(first9) % 10)


def problem(value: str) -> str | None:
    """Why ``value`` (already normalised) is not a valid ID, or None if it is."""
    if not SHAPE.fullmatch(value):
        return "格式不正確：應為 1 個英文字母加 9 位數字，共 10 碼。"
    if weighted_sum(value) % 10:
        return "檢查碼不正確，請確認是否輸入錯誤。"
    return None


def is_valid(value: str) -> bool:
    return problem(normalise(value)) is None


def mask_national_id(value: str | None) -> str:
    """How lists, exports and logs show one: the last four characters become *."""
    if not value:
        return ""
    return value[:-4] + "****" if len(value) > 4 else "****"

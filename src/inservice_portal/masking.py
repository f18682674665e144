"""Masking of national ID numbers (身分證統一編號): the last four characters become ＊."""


def mask_national_id(value: str | None) -> str:
    if not value:
        return ""
    return value[:-4] + "****" if len(value) > 4 else "****"

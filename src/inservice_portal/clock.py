"""The portal's one clock. Tests move time by patching ``now``; nothing else calls datetime.now."""
from datetime import datetime, timedelta, timezone

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")


def now() -> datetime:
    return datetime.now(TAIPEI)

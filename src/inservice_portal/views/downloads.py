"""File answers: what the browser saves or shows, and under which name."""
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from pyramid.response import Response


def content_disposition(filename: str) -> str:
    """Always a download; RFC 6266 ``filename*`` carries the Chinese name, ``filename`` an
    ASCII stand-in for old clients."""
    path = PurePosixPath(filename)
    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "attachment"
    return (f'attachment; filename="{stem}{path.suffix}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")


def ics_response(data: bytes, filename: str) -> Response:
    response = Response(data, content_type="text/calendar", charset="utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

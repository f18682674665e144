"""Printed documents as PDF: an HTML document of the portal's own, laid out for A4 by
WeasyPrint, with the Chinese set in Noto Sans CJK TC (Debian's fonts-noto-cjk), subset and
embedded so that any reader shows it and its text can be copied and searched.

Nothing is fetched while rendering: the documents carry their images inline (the QR code is
SVG), and any other address is refused, so a title cannot make the server fetch a URL.
"""
from importlib import resources

STYLE = (resources.files("inservice_portal") / "printing" / "print.css").read_text("utf-8")


class Unavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing on this machine."""


def _fetch_inline_only(url, *args, **kwargs):
    from weasyprint.urls import default_url_fetcher
    if not url.startswith("data:"):
        raise ValueError(f"not fetched while printing: {url[:80]}")
    return default_url_fetcher(url, *args, **kwargs)


def pdf(html: str) -> bytes:
    """The PDF of ``html`` (a whole document; print.css is added to its own styles)."""
    try:
        from weasyprint import CSS, HTML      # on first use: it loads Pango
    except OSError as exc:
        raise Unavailable(str(exc)) from exc
    document = HTML(string=html, url_fetcher=_fetch_inline_only)
    return document.write_pdf(stylesheets=[CSS(string=STYLE)])

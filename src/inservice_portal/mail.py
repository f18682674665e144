"""Outgoing mail (通知信), always joined to the transaction: nothing leaves for an aborted one.

With ``mail.queue_path`` set, a committed message lands in a maildir queue that repoze.sendmail's
``qp`` delivers (production and development: a slow or absent SMTP server never holds up a
request); without it, the message is delivered over SMTP (``mail.host``, ``mail.port``) as the
transaction commits (the tests, against a real server on loopback).
"""
import re
import smtplib
from types import SimpleNamespace

from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.message import Message
from .concurrency.transactions import manager_of

SENDER = "全國教師在職進修資訊網 <no-reply@inservice.example.tw>"


def send(request, to, subject: str, body: str, headers: dict | None = None):
    """Send ``body`` to one address or several when the current transaction commits.
    ``request`` may also be the registry (console scripts have no request); ``headers`` are
    added to the message (List-Unsubscribe …)."""
    settings = request.registry.settings if hasattr(request, "registry") else request.settings
    message = Message(subject=subject, recipients=[to] if isinstance(to, str) else list(to),
                      body=body, sender=settings.get("mail.default_sender") or SENDER,
                      extra_headers=dict(headers or {}))
    mailer = get_mailer(request)
    if settings.get("mail.queue_path"):
        mailer.send_to_queue(message)
    else:
        mailer.send(message)
    return message


def within(registry, tm):
    """What ``send`` takes to join the mail to ``tm``'s transaction (a job's own connection)
    rather than the thread's default one."""
    return SimpleNamespace(registry=registry, tm=tm)


def joined(registry, obj):
    """What ``send`` takes to join the mail to the transaction that writes ``obj``: the
    request's, a job's or a script's, whichever opened its connection (a subscriber does not
    know which; the thread's default transaction may be none of them)."""
    return within(registry, manager_of(obj))


class CRLFSMTP(smtplib.SMTP):
    """repoze.sendmail hands smtplib the message as bytes with bare LF line ends, which smtplib
    passes on unchanged (it fixes line ends of str only): a strict server then sees one line
    and refuses any message over 1000 bytes (a few lines of Chinese in quoted-printable).
    RFC 5321 wants CRLF, so convert here."""

    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        if isinstance(msg, bytes):
            msg = re.sub(rb"\r?\n", b"\r\n", msg)
        return super().sendmail(from_addr, to_addrs, msg, *args, **kwargs)


def includeme(config):
    config.include("pyramid_mailer")
    mailer = config.registry.queryUtility(IMailer)
    smtp_mailer = getattr(mailer, "smtp_mailer", None)
    if smtp_mailer is not None and getattr(smtp_mailer, "smtp", None) is smtplib.SMTP:
        smtp_mailer.smtp = CRLFSMTP

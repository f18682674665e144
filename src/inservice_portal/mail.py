"""Outgoing mail (通知信), always joined to the transaction: nothing leaves for an aborted one.

With ``mail.queue_path`` set, a committed message lands in a maildir queue that repoze.sendmail's
``qp`` delivers (production and development: a slow or absent SMTP server never holds up a
request); without it, the message is delivered over SMTP (``mail.host``, ``mail.port``) as the
transaction commits (the tests, against a real server on loopback).
"""
import re
import smtplib

from pyramid_mailer import get_mailer
from pyramid_mailer.message import Message

SENDER = "全國教師在職進修資訊網 <no-reply@inservice.example.tw>"


def send(request, to, subject: str, body: str):
    """Send ``body`` to one address or several when the current transaction commits.
    ``request`` may also be the registry (console scripts have no request)."""
    settings = request.registry.settings if hasattr(request, "registry") else request.settings
    message = Message(subject=subject, recipients=[to] if isinstance(to, str) else list(to),
                      body=body, sender=settings.get("mail.default_sender") or SENDER)
    mailer = get_mailer(request)
    if settings.get("mail.queue_path"):
        mailer.send_to_queue(message)
    else:
        mailer.send(message)
    return message


class CRLFSMTP(smtplib.SMTP):
    """SMTP that sends CRLF line ends (RFC 5321 §2.3.8). repoze.sendmail hands smtplib the
    message as bytes with bare LFs, which smtplib passes on untouched; a server that refuses
    bare LF (an SMTP-smuggling defence; aiosmtpd) then reads one over-long line and refuses
    any message longer than about 1,000 bytes."""

    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        if isinstance(msg, bytes):
            msg = re.sub(rb"\r?\n", b"\r\n", msg)
        return super().sendmail(from_addr, to_addrs, msg, *args, **kwargs)


def includeme(config):
    config.include("pyramid_mailer")
    mailer = get_mailer(config.registry)
    smtp_mailer = getattr(mailer, "smtp_mailer", None)
    if smtp_mailer is not None and getattr(smtp_mailer, "smtp", None) is smtplib.SMTP:
        smtp_mailer.smtp = CRLFSMTP

"""Outgoing mail (通知信), always joined to the transaction: nothing leaves for an aborted one.

With ``mail.queue_path`` set, a committed message lands in a maildir queue that repoze.sendmail's
``qp`` delivers (production and development: a slow or absent SMTP server never holds up a
request); without it, the message is delivered over SMTP (``mail.host``, ``mail.port``) as the
transaction commits (the tests, against a real server on loopback).
"""
import re
import smtplib

from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
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
    """repoze.sendmail hands smtplib the message as bytes with bare LF line ends, which smtplib
    sends unchanged (it fixes line ends only for str): a strict server (RFC 5321 §2.3.8, and
    aiosmtpd) then reads a message over 1,000 bytes as one over-long line and refuses it."""

    def sendmail(self, from_addr, to_addrs, msg, *args, **kw):
        if isinstance(msg, bytes):
            msg = re.sub(rb"\r?\n", b"\r\n", msg)
        return super().sendmail(from_addr, to_addrs, msg, *args, **kw)


def includeme(config):
    config.include("pyramid_mailer")
    smtp_mailer = getattr(config.registry.queryUtility(IMailer), "smtp_mailer", None)
    if smtp_mailer is not None:
        smtp_mailer.smtp = CRLFSMTP

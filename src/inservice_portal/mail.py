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
    """repoze.sendmail hands smtplib bytes with bare LF line ends, which smtplib sends as they
    are (it fixes only str): a strict server then sees one line over 1000 bytes and refuses any
    longer message (RFC 5321 §4.5.3.1.6). Send CRLF, as SMTP requires."""

    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        if isinstance(msg, bytes):
            msg = re.sub(rb"\r?\n", b"\r\n", msg)
        return super().sendmail(from_addr, to_addrs, msg, *args, **kwargs)


def includeme(config):
    config.include("pyramid_mailer")
    smtp_mailer = get_mailer(config.registry).smtp_mailer
    if type(smtp_mailer).__name__ == "SMTPMailer":
        smtp_mailer.smtp = CRLFSMTP

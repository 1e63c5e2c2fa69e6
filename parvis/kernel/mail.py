"""Outgoing mail: SMTP when configured, else an outbox folder of .eml files and the log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from parvis.kernel.db import utcnow
from parvis.kernel.settings import Settings

log = logging.getLogger("parvis.mail")


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="parvis.localhost")
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = build_message(settings, to, subject, body)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
        log.info("mail sent to %s: %s", to, subject)
        return
    settings.outbox_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    safe_to = "".join(c if c.isalnum() else "_" for c in to)
    path = settings.outbox_dir / f"{stamp}-{safe_to}.eml"
    path.write_bytes(bytes(message))
    log.info("mail to %s written to %s: %s\n%s", to, path, subject, body)

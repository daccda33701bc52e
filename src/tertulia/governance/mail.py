"""The default mail backend when no SMTP server is configured: keep every message."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class FileAndConsoleBackend(EmailBackend):
    """Writes each message to `<data dir>/mail/` and, in dev, echoes it to the console, so
    invitation and password-reset links are never lost on a machine without SMTP."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        if settings.DEV:
            for message in email_messages:
                sys.stderr.write(
                    f"\n--- e-mail to {', '.join(message.to)}: {message.subject}\n"
                    f"{message.body}\n---\n"
                )
        return sent

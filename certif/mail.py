"""The console e-mail backend of development (``make run``).

Django's console backend prints the whole MIME message, attachments included, as
base64: the référent's decision letter (health data) would land in the server
log. This one prints the headers and the text part, and of each attachment only
its name, type and size."""

from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")


def _size(content: Any) -> int:
    if isinstance(content, str):
        return len(content.encode())
    if isinstance(content, bytes):
        return len(content)
    if isinstance(content, Message):
        return len(content.as_bytes())
    return 0


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        mime = message.message()
        lines = [
            f"{name}: {make_header(decode_header(str(mime[name])))}"
            for name in SHOWN_HEADERS
            if mime[name]
        ]
        lines.append("")
        lines.append(str(message.body))
        for attachment in message.attachments:
            if isinstance(attachment, tuple):
                filename, content, mimetype = attachment
            elif isinstance(attachment, Message):
                filename = attachment.get_filename() or "?"
                content, mimetype = attachment, attachment.get_content_type()
            else:  # EmailAttachment (Django 5.2)
                filename, content, mimetype = (
                    attachment.filename,
                    attachment.content,
                    attachment.mimetype,
                )
            lines.append(
                f"[pièce jointe non affichée : {filename} ({mimetype}, "
                f"{_size(content)} octets)]"
            )
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")

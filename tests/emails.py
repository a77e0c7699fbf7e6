"""Checks shared by the tests of the e-mails: the links a message carries (plain
text and HTML part) are absolute on ``SITE_URL`` and lead to a page of the
platform."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import SimpleTestCase
from django.urls import resolve

URL = re.compile(r"https?://[^\s\"'<>]+")
HREF = re.compile(r'href="([^"]*)"')


def html_of(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def assert_links(test: SimpleTestCase, message: EmailMessage) -> list[str]:
    """Every link of ``message`` (plain-text URLs and HTML ``href``) is absolute
    on ``SITE_URL`` and resolves; returns the plain-text ones, in order."""
    texte = URL.findall(str(message.body))
    html = HREF.findall(html_of(message))
    test.assertTrue(texte, message.body)
    for url in [*texte, *html]:
        test.assertTrue(url.startswith(f"{settings.SITE_URL}/"), url)
        resolve(urlsplit(url).path)
    # The HTML part carries at least the links of the plain text.
    test.assertLessEqual(set(texte), set(html))
    return texte

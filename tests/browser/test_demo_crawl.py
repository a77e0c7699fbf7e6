"""The demo of ``make run``, visited in Chromium by each demo account: every link a
page offers must work for the person it is offered to (no 403, 404 or 500 behind a
link), every page must run without a browser error (CSP, script) and pass axe-core
(no serious or critical violation)."""

import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser

from certif.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.conftest import ConsoleWatch, login, run_axe

pytestmark = pytest.mark.browser

MAX_PAGES = 40  # per account, breadth first from the home page
# Links that change state or leave the site are not followed.
SKIP = re.compile(r"^/(deconnexion|admin)/")
# Files: fetched (status checked), not rendered.
FILES = re.compile(r"(/telecharger/|/pdf/|/archive/|/courrier/|/pieces/\d+/|\.csv$)")


def test_demo_accounts_follow_every_link(browser: Browser, live_server) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo", stdout=io.StringIO())
    problems: list[str] = []
    visited: dict[str, int] = {}
    for account in DEMO_ACCOUNTS:
        cache.clear()
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        page = context.new_page()
        watch = ConsoleWatch()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_pageerror)
        login(page, account.email, DEMO_PASSWORD)
        seen: set[str] = set()
        queue = ["/"]
        while queue and len(seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            if FILES.search(path):
                fichier = page.request.get(path)
                if fichier.status != 200:
                    problems.append(f"{account.email} {path}: {fichier.status}")
                continue
            response = page.goto(path)
            status = response.status if response is not None else 0
            if status != 200:
                problems.append(f"{account.email} {path}: {status}")
                continue
            for violation in run_axe(page):
                problems.append(f"{account.email} {path}: axe {violation}")
            for href in page.eval_on_selector_all(
                "main a[href], nav a[href]",
                "links => links.map(a => a.getAttribute('href'))",
            ):
                target = urlsplit(urljoin(path, href))
                if target.netloc or not target.path.startswith("/"):
                    continue
                link = target.path + (f"?{target.query}" if target.query else "")
                if not SKIP.match(link) and link not in seen:
                    queue.append(link)
        visited[account.email] = len(seen)
        problems.extend(f"{account.email}: {error}" for error in watch.errors)
        context.close()
    assert problems == []
    # Not vacuous: every account reaches its pages from the home page.
    assert min(visited.values()) >= 4, visited

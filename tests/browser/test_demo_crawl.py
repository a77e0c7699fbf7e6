"""The demo of ``make run``, visited in Chromium by each demo account: every link a
page offers must work for the person it is offered to (no 403, 404 or 500 behind a
link), every page must run without a browser error (CSP, script) and pass axe-core
(no serious or critical violation).

Kept as cheap as these checks allow, axe-core being most of the cost (about 0.3 s
of CPU a page):
- one browser for the run (the session's) and axe-core loaded as an init script of
  each context rather than fetched into every page;
- the home page checked where the login lands, not loaded a second time;
- axe run once per distinct page: every account's home page is checked (it shows
  the account's menu); any other page is checked by the first account shown it,
  another account being shown the same page when the HTML is the same once the
  CSRF tokens, the viewer's own name and the role menu are set aside. The status
  and the browser errors are still checked for every account on every page;
- two tabs per account, in two contexts (so two renderer processes): axe checks
  one page while the next one loads.
"""

import io
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from certif.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from tests.browser.conftest import (
    ConsoleWatch,
    axe_start,
    axe_violations,
    login,
    new_context,
)

pytestmark = pytest.mark.browser

MAX_PAGES = 40  # per account, breadth first from the home page
TABS = 2
# Links that change state or leave the site are not followed.
SKIP = re.compile(r"^/(deconnexion|admin)/")
# Files: fetched (status checked), not rendered.
FILES = re.compile(
    r"(/telecharger/|/pdf/|/archive/|/courrier/|/pieces/\d+/|/accuse-depot/"
    r"|\.csv$|\.pdf$|\.ics$|\.xlsx$)"
)
# The page as any viewer sees it, hashed in the browser (no HTML sent back): the
# role menu emptied, the CSRF tokens (of the forms and of htmx) and the viewer's own
# name and address blanked.
FINGERPRINT = """async (own) => {
    const copy = document.documentElement.cloneNode(true);
    for (const menu of copy.querySelectorAll("nav .navbar-nav")) menu.replaceChildren();
    let html = copy.outerHTML
        .replace(/(name="csrfmiddlewaretoken" value=")[^"]*"/g, "$1")
        .replace(/(X-CSRFToken&quot;: &quot;)[^&]*/g, "$1");
    for (const word of own) html = html.split(word).join("");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(html));
    return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
}"""


def fingerprint(page: Page, account: DemoAccount) -> str:
    own = [
        account.email,
        f"{account.first_name} {account.last_name}",
        account.first_name,
        account.last_name,
    ]
    return page.evaluate(FINGERPRINT, own)


def test_fingerprint_ignores_tokens_viewer_and_menu(page: Page) -> None:
    alice, paul = DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[1]
    page.goto("/connexion/")  # a secure context (localhost), for crypto.subtle
    html = (
        '<div hx-headers=\'{{"X-CSRFToken": "{token}"}}\'>'
        '<nav><ul class="navbar-nav">{menu}</ul><span>{name}</span></nav>'
        '<input name="csrfmiddlewaretoken" value="{token}"><main>{body}</main></div>'
    )
    page.set_content(
        html.format(token="abc", menu="<li>A</li>", name="Alice Martin", body="1")
    )
    seen_by_alice = fingerprint(page, alice)
    page.set_content(
        html.format(token="xyz", menu="<li>B</li>", name="Paul Durand", body="1")
    )
    seen_by_paul = fingerprint(page, paul)
    page.set_content(
        html.format(token="xyz", menu="<li>B</li>", name="Paul Durand", body="2")
    )
    other = fingerprint(page, paul)
    assert seen_by_alice == seen_by_paul
    assert other != seen_by_paul
    assert len(other) == 64


class Crawl:
    """One account's visit, breadth first from the home page."""

    def __init__(
        self, browser: Browser, base_url: str, account: DemoAccount, checked: set[str]
    ) -> None:
        self.browser = browser
        self.base_url = base_url
        self.account = account
        self.checked = checked  # fingerprints already given to axe, all accounts
        self.problems: list[str] = []
        self.watch = ConsoleWatch()
        self.contexts: list[BrowserContext] = []
        self.tabs: list[Page] = []
        self.pending: dict[int, str] = {}  # tab → page whose axe run is under way
        self.loads = 0

    def open_tab(self, **options: Any) -> Page:
        context = new_context(self.browser, self.base_url, **options)
        tab = context.new_page()
        tab.on("console", self.watch.on_console)
        tab.on("pageerror", self.watch.on_pageerror)
        self.contexts.append(context)
        self.tabs.append(tab)
        return tab

    def problem(self, path: str, what: object) -> None:
        self.problems.append(f"{self.account.email} {path}: {what}")

    def collect(self, index: int) -> None:
        path = self.pending.pop(index, None)
        if path is not None:
            for violation in axe_violations(self.tabs[index]):
                self.problem(path, f"axe {violation}")

    def run(self) -> int:
        """Visit up to MAX_PAGES pages (files fetched besides); return how many
        pages and files were reached."""
        home = self.open_tab()
        # The login lands on the home page: check it there rather than reload it.
        with home.expect_response(
            lambda r: urlsplit(r.url).path == "/" and r.request.method == "GET"
        ) as landing:
            login(home, self.account.email, DEMO_PASSWORD)
        session = self.contexts[0].storage_state()
        for _ in range(TABS - 1):
            self.open_tab(storage_state=session)
        seen: set[str] = set()
        queue = ["/"]
        pages = 0  # files do not count: a page of exports offers many
        while queue and pages < MAX_PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            if FILES.search(path):
                response = home.request.get(path)
                if response.status != 200:
                    self.problem(path, response.status)
                continue
            links = self.visit(path, landing.value.status)
            pages += 1
            queue.extend(link for link in links if link not in seen)
        for index in list(self.pending):
            self.collect(index)
        self.problems.extend(
            f"{self.account.email}: {error}" for error in self.watch.errors
        )
        for context in self.contexts:
            context.close()
        return len(seen)

    def visit(self, path: str, home_status: int) -> list[str]:
        """Load ``path`` in the next tab, check its status, start axe on it if it is
        the home page or a page no account has had checked, and return the links it
        offers."""
        index = self.loads % TABS
        self.collect(index)  # the tab's previous page, before it goes
        tab = self.tabs[index]
        home_page = self.loads == 0
        if home_page:
            status = home_status  # loaded by the login
        else:
            response = tab.goto(path)
            status = response.status if response is not None else 0
        self.loads += 1
        if status != 200:
            self.problem(path, status)
            return []
        key = fingerprint(tab, self.account)
        links = []
        for href in tab.eval_on_selector_all(
            "main a[href], nav a[href]",
            "links => links.map(a => a.getAttribute('href'))",
        ):
            target = urlsplit(urljoin(path, href))
            if target.netloc or not target.path.startswith("/"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if not SKIP.match(link):
                links.append(link)
        # Last: while axe works, the tab answers nothing else.
        if home_page or key not in self.checked:
            self.checked.add(key)
            axe_start(tab)
            self.pending[index] = path
        return links


def test_demo_accounts_follow_every_link(browser: Browser, live_server) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo", stdout=io.StringIO())
    problems: list[str] = []
    visited: dict[str, int] = {}
    checked: set[str] = set()
    for account in DEMO_ACCOUNTS:
        cache.clear()
        crawl = Crawl(browser, live_server.url, account, checked)
        visited[account.email] = crawl.run()
        problems.extend(crawl.problems)
    assert problems == []
    # Not vacuous: every account reaches its pages from the home page, and most
    # pages went through axe (95 distinct pages out of 121 when this was written).
    assert min(visited.values()) >= 4, visited
    assert len(checked) >= 80, len(checked)

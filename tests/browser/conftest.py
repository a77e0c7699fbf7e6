"""Browser tests: Playwright for Python driving Debian's Chromium against the
live server that pytest-django starts in a thread of the test process.

- The browser is ``/usr/bin/chromium`` (``apt-get install chromium``); nothing is
  ever downloaded at run time.
- ``live_server`` pulls in ``transactional_db``: the server thread and the test
  see the same committed rows, and pytest-django runs these tests after the
  ``TestCase`` ones, so the rest of the suite is untouched.
- Playwright's sync API keeps an asyncio event loop in the main thread for as long
  as it runs. Django then refuses ORM calls from that thread (SynchronousOnlyOperation),
  although the calls really are synchronous and nothing else runs on the loop.
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` switches that guard off; it is set only while the
  Playwright fixture is alive: for one test module (each module starts its own
  Playwright and Chromium, ~1 s). The event loop never outlives the module, so the
  tests that a worker of ``make test`` (pytest-xdist) runs after a browser module
  find no loop: pyHanko's seal, for one, calls ``asyncio.run``, which refuses to
  run inside a running loop.
- On failure the page's screenshot and HTML are kept under ``test-artifacts/``.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    sync_playwright,
)

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
# The guide's screenshots are refreshed on demand (UPDATE_SCREENSHOTS=1 make browser);
# an ordinary run writes them under test-artifacts/ so that it leaves the tree clean.
SCREENSHOTS = (
    settings.BASE_DIR / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS / "screenshots"
)
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# axe-core reaches a page in one of two ways, both with the real CSP in force (no
# bypass_csp): contexts made by ``new_context`` give it to every page as an init
# script (sent to the browser once per context; measured about four times cheaper
# than a fetch per page); any other page gets it from a same-origin address answered
# by Playwright itself (page.route), which the strict CSP (script-src 'self') allows.
AXE_PATH = "/__tests__/axe.min.js"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    # Kept on the item so that the ``page`` fixture knows, at teardown, whether the
    # test body failed.
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class ConsoleWatch:
    """Collects what the browser reports as errors: CSP violations (an inline
    script or style attribute someone added), JavaScript exceptions, failed loads."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.refusals: set[str] = set()

    def expect_refusal(self, path: str) -> None:
        """A form posted to ``path`` is refused on purpose by the test: the page
        comes back with its French message and a 400, which Chromium logs."""
        self.refusals.add(path)

    def on_console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium asks for /favicon.ico on its own; the site has none (a 404).
        if url.endswith("/favicon.ico"):
            return
        if "status of 400" in message.text and any(
            url.endswith(path) for path in self.refusals
        ):
            return
        self.errors.append(f"console: {message.text} ({url})")

    def on_pageerror(self, error) -> None:  # type: ignore[no-untyped-def]
        self.errors.append(f"pageerror: {error}")


def new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    """A French browser context on the live server, with axe-core ready in every
    page it opens."""
    options.setdefault("locale", "fr-FR")
    context = browser.new_context(base_url=base_url, **options)
    context.add_init_script(path=str(AXE_JS))
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:  # type: ignore[no-untyped-def]
    context = new_context(
        browser,
        live_server.url,
        viewport=VIEWPORT,
        timezone_id="Europe/Paris",
        accept_downloads=True,
    )
    yield context
    context.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = context.new_page()
    watch = ConsoleWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_pageerror)
    page.console_watch = watch  # type: ignore[attr-defined]
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / _artifact_name(request.node.nodeid)
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # keep the original failure visible
            Path(f"{stem}.txt").write_text(f"no artefact: {exc}\n", encoding="utf-8")
    page.close()
    # Every page the test visited must have run without CSP violation or script
    # error; report it after the artefacts so that both are kept.
    if watch.errors and not (report is not None and report.failed):
        pytest.fail("Erreurs du navigateur :\n" + "\n".join(watch.errors))


# Helpers used by the tests ------------------------------------------------------


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form, then land on the home page."""
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/$"))


def logout(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/connexion/"))


def screenshot(page: Page, name: str, *, top: bool = False) -> Path:
    """Keep a screenshot for docs/guide.md under a deterministic name (``top``:
    of the top of the page rather than where the test left the scroll)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


AXE_OPTIONS = """{
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
}"""


def axe_start(page: Page) -> None:
    """Load axe-core into the current page and start its run (WCAG 2.1 A/AA rules)
    without waiting: the browser checks this page while the test goes on with
    another one. ``axe_violations`` collects the result.

    The caller first waits for the page it means to check (its heading, its
    address): a click only starts a navigation, and axe started before it
    commits checks the page being left, or fails when that page goes away."""
    page.wait_for_load_state("load")
    if page.evaluate("typeof window.axe") != "object":  # not made by new_context
        if not getattr(page, "axe_routed", False):
            page.route(
                f"**{AXE_PATH}",
                lambda route: route.fulfill(
                    path=str(AXE_JS), content_type="application/javascript"
                ),
            )
            page.axe_routed = True  # type: ignore[attr-defined]
        page.add_script_tag(url=AXE_PATH)
        assert page.evaluate("typeof window.axe") == "object"
    # Started from a timer, so that this call returns at once and axe works while
    # the test drives another tab.
    page.evaluate(
        "() => { window.__axeRun = new Promise(resolve => setTimeout(resolve, 0))"
        f".then(() => window.axe.run(document, {AXE_OPTIONS})); }}"
    )


def axe_violations(page: Page) -> list[dict]:  # type: ignore[type-arg]
    """Wait for the run that ``axe_start`` began on the page and return its
    violations of impact serious or critical."""
    result = page.evaluate("async () => await window.__axeRun")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def run_axe(page: Page) -> list[dict]:  # type: ignore[type-arg]
    """Run axe-core on the current page (WCAG 2.1 A/AA rules) and return the
    violations of impact serious or critical."""
    axe_start(page)
    return axe_violations(page)


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    def check(page: Page) -> None:
        violations = run_axe(page)
        assert violations == [], f"{page.url}: {violations}"

    return check

"""axe-core on the home page of each role and on the pages anyone reaches first.
No violation of impact "serious" or "critical" is allowed."""

import re

import pytest
from playwright.sync_api import Page, expect

from certif.roles import Role
from tests.browser.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.browser

ROLES = [
    Role.ADMINISTRATEUR,
    Role.PRESIDENT,
    Role.MEMBRE_JURY,
    Role.CANDIDAT,
    Role.REFERENT_HANDICAP,
]


def test_login_page_is_accessible(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    page.goto("/connexion/")
    assert page.title() == "Connexion · certif"
    axe_check(page)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_home_page_of_each_role_is_accessible(
    page: Page, axe_check, role: Role
) -> None:  # type: ignore[no-untyped-def]
    make_user(f"{role.value}@example.fr", role)
    login(page, f"{role.value}@example.fr")
    assert page.title() == "Accueil · certif"
    axe_check(page)


def test_csp_blocks_an_injected_inline_script(page: Page) -> None:
    """The policy is enforced by a real browser: an inline script never runs."""
    page.goto("/connexion/")
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.__pwned = true;")
    assert page.evaluate("window.__pwned === undefined") is True
    page.console_watch.errors.clear()  # type: ignore[attr-defined]


PHONE = {"width": 390, "height": 844}


def test_main_pages_on_a_phone(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """The candidate's file, the scoring grid and the référent's desk on a phone:
    no horizontal scrolling of the page, no serious accessibility violation."""
    from tests.browser import worlds
    from tests.browser.conftest import new_context, run_axe

    jury = worlds.jury_en_evaluation()
    inscription = jury.world.inscription
    cases = [
        (worlds.CANDIDAT, f"/candidat/inscriptions/{inscription.pk}/"),
        (worlds.MEMBRE, f"/jury/inscriptions/{inscription.pk}/grille/"),
        (worlds.REFERENT, "/handicap/demandes/"),
        (worlds.ADMIN, f"/sessions/{jury.world.session.pk}/"),
    ]
    problems = []
    for email, url in cases:
        context = new_context(browser, live_server.url, viewport=PHONE, is_mobile=True)
        page = context.new_page()
        login(page, email)
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{url}: {overflow}px de défilement horizontal")
        violations = run_axe(page)
        if violations:
            problems.append(f"{url}: {violations}")
        context.close()
    assert problems == []


def test_grid_is_usable_with_the_keyboard(page: Page) -> None:
    """A member scores with the keyboard only: Space checks a result, the arrow keys
    move within the criterion's choices; each change is saved at once."""
    from playwright.sync_api import expect

    from evaluations.notation.models import Evaluation
    from referentiel.models import Critere
    from tests.browser import worlds

    jury = worlds.jury_en_evaluation()
    critere = Critere.objects.get(referentiel=jury.world.referentiel, code="C1.1.1")
    login(page, worlds.MEMBRE)
    page.goto(f"/jury/inscriptions/{jury.world.inscription.pk}/grille/")
    page.locator(f"#r-{critere.pk}-a").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#etat-{critere.pk}")).to_contain_text("Enregistré : Acquis")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#etat-{critere.pk}")).to_contain_text(
        "Enregistré : Non acquis"
    )
    assert (
        Evaluation.objects.get(
            affectation__membre=jury.membre, critere=critere
        ).resultat
        == "non_acquis"
    )


def test_conflict_pages_are_accessible(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    """The member's list of candidates to declare a conflict with, and the
    declaration form."""
    from tests.browser import worlds

    worlds.jury_en_evaluation()
    login(page, worlds.MEMBRE)
    page.goto("/jury/conflits/?q=martin")
    axe_check(page)
    page.get_by_role("link", name="Déclarer un lien avec Camille MARTIN").click()
    expect(page).to_have_url(re.compile(r"[?&]inscription=\d+$"))
    axe_check(page)

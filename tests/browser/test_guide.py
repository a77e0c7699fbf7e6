"""The screenshots of docs/guide.md, taken on the demo of ``make run``.

``test_guide_tour`` loads the demo (``load_demo``: the seed référentiel, its
sessions, jury and candidates) and walks through the platform with the demo
accounts, in the guide's order where the data allows it, keeping one screenshot per
step under a fixed name. An ordinary run writes them under
``test-artifacts/screenshots/``; ``UPDATE_SCREENSHOTS=1`` writes them into
``docs/screenshots/``. The guide shows exactly the screenshots this tour takes, and
the folder holds nothing else."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect
from pypdf import PdfReader

from certif.demo import DEMO_PASSWORD
from evaluations.demo import (
    DEMO_SESSION_DELIBEREE,
    DEMO_SESSION_JURY,
    DEMO_SESSION_OUVERTE,
    DEMO_SESSION_STATISTIQUES,
)
from tests.browser.conftest import logout, screenshot

GUIDE = settings.BASE_DIR / "docs" / "guide.md"
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"

ADMIN = "admin@certif.localhost"
PRESIDENT = "president@certif.localhost"
MEMBRE = "jury@certif.localhost"
MEMBRE2 = "jury2@certif.localhost"
CAMILLE = "candidat@certif.localhost"  # Camille Petit
REFERENT = "referent@certif.localhost"

# Two new candidates for the open session, and a line that repeats Léa Fontaine,
# already enrolled: the preview reports it as a duplicate.
CSV = (
    "email;nom_naissance;nom_usage;prenoms;date_naissance;sexe;commune_naissance;"
    "code_insee_naissance;pays_naissance;voie_acces;parcours;blocs\n"
    "ines.marchand@example.fr;MARCHAND;;Inès, Claire;14/03/1995;F;Rennes;35238;;"
    "formation_continue;complet;\n"
    "lucas.perrin@example.fr;PERRIN;;Lucas;02/11/1990;M;Liège;;Belgique;vae;blocs;A1 A3\n"
    "lea.fontaine@certif.localhost;FONTAINE;;Léa;03/09/1991;F;Ajaccio;2A004;;"
    "vae;complet;\n"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _names_in_guide() -> set[str]:
    return set(
        re.findall(
            r"\(screenshots/([a-z0-9-]+)\.png\)", GUIDE.read_text(encoding="utf-8")
        )
    )


def _names_taken() -> set[str]:
    source = Path(__file__).read_text(encoding="utf-8")
    return set(re.findall(r'screenshot\(\s*\w+,\s*"([a-z0-9-]+)"', source))


def test_guide_shows_exactly_the_tour_screenshots() -> None:
    shown = _names_in_guide()
    assert shown == _names_taken()
    assert {path.stem for path in SCREENSHOTS.glob("*.png")} == shown
    assert len(shown) >= 20


def scroll_to(locator: Locator) -> None:
    """Bring ``locator`` to the top of the window before a screenshot, at once
    (Bootstrap makes the page's scrolling smooth, hence animated)."""
    locator.evaluate(
        "element => element.scrollIntoView({block: 'start', behavior: 'instant'})"
    )


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/$"))


def _administrateur(page: Page) -> None:
    login(page, ADMIN)
    screenshot(page, "administrateur-accueil")

    # A new session on the published seed référentiel.
    page.get_by_role("link", name="Sessions").first.click()
    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Nom de la session").fill("Session d'été 2027")
    page.get_by_label("Référentiel (version publiée)").select_option(index=1)
    page.get_by_label("Date d'ouverture").fill("2027-05-03")
    page.get_by_label("Date et heure limites de dépôt").fill("2027-06-18T18:00")
    page.get_by_label("Date du jury").fill("2027-07-06")
    screenshot(page, "administrateur-session-nouvelle")
    page.get_by_role("button", name=re.compile("Enregistrer|Créer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session d'été 2027")

    # The open session: a CSV import with a duplicate, the valid lines imported.
    page.get_by_role("link", name="Sessions").first.click()
    page.get_by_role("link", name=DEMO_SESSION_OUVERTE).click()
    page.get_by_role("link", name="Importer un fichier CSV").click()
    page.get_by_label("Fichier CSV").set_input_files(
        files=[
            FilePayload(
                name="candidats-printemps.csv",
                mimeType="text/csv",
                buffer=CSV.encode("utf-8"),
            )
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de candidats")
    expect(page.locator("main")).to_contain_text("2 valides, 1 invalide")
    screenshot(page, "administrateur-import-apercu")
    page.get_by_role("button", name="Importer seulement les 2 lignes valides").click()
    expect(page.locator("main")).to_contain_text(
        "2 candidats importés ; leurs invitations partent par e-mail."
    )
    page.get_by_role("link", name="Retour à la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_SESSION_OUVERTE)
    screenshot(page, "administrateur-session-bureau", top=True)

    # The winter session's jury: composed, two evaluators per candidate.
    page.get_by_role("link", name="Jurys").first.click()
    page.get_by_role("link", name=DEMO_SESSION_JURY).click()
    expect(page.locator("main")).to_contain_text("Sarah GIRAUD")
    screenshot(page, "administrateur-jury")

    # The deliberated autumn session: its documents issued in the background.
    page.get_by_role("link", name="Documents").first.click()
    page.get_by_role("link", name=DEMO_SESSION_DELIBEREE).click()
    page.get_by_role("button", name="Émettre les documents de la session").click()
    expect(page.locator("#progression")).to_contain_text(
        "Terminée — 4 / 4 traités (4 réussis)"
    )
    screenshot(page, "administrateur-documents-emission")

    # The statistics of last year's closed session: masked below five people.
    page.get_by_role("link", name="Statistiques").first.click()
    page.get_by_label("Session").select_option(label=DEMO_SESSION_STATISTIQUES)
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#voies")).to_contain_text("58,8")
    expect(page.locator("#handicap")).to_contain_text("< 5")
    screenshot(page, "administrateur-statistiques", top=True)
    # The autumn holders declared to the Caisse des Dépôts: one batch, built in
    # the background and validated against the CDC's schema.
    page.get_by_role("link", name="Déclarations CDC").first.click()
    expect(page.locator("main")).to_contain_text("Nadia KADDOUR")
    page.locator("#lot-form select[name=certification]").select_option(index=1)
    page.get_by_role("button", name="Construire le lot").click()
    expect(page.locator("#progression")).to_contain_text(
        "Prêt à déposer — 2 / 2 titulaires écrits"
    )
    screenshot(page, "administrateur-declaration-cdc", top=True)
    logout(page)


def _candidat(page: Page) -> str:
    """The candidate's steps; returns the path of Camille's certificate's public
    verification page."""
    # An imported candidate opens the invitation link and chooses a password.
    invitation = next(m for m in mail.outbox if m.to == ["ines.marchand@example.fr"])
    link = re.search(r"https?://\S+/mot-de-passe/nouveau/\S+/", str(invitation.body))
    assert link is not None, invitation.body
    page.goto(urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un mot de passe")
    page.locator("#id_new_password1").fill("Un-mot-de-passe-solide-42")
    page.locator("#id_new_password2").fill("Un-mot-de-passe-solide-42")
    screenshot(page, "candidat-invitation")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe enregistré")

    # Camille Petit uploads one more file to her dossier of the open session.
    login(page, CAMILLE)
    page.get_by_role("link", name="Mon dossier").first.click()
    page.get_by_role("link", name=DEMO_SESSION_OUVERTE).click()
    field = page.get_by_label("Déposer des fichiers pour C1.4")
    field.set_input_files(
        files=[
            FilePayload(
                name="C1.4 plan d'action commerciale.pdf",
                mimeType="application/pdf",
                buffer=PDF,
            )
        ]
    )
    field.locator("xpath=ancestor::form").get_by_role(
        "button", name="Déposer", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accusé de dépôt")
    screenshot(page, "candidat-accuse-depot")
    page.get_by_role("link", name="Retour au dossier").click()
    expect(page.locator("main")).to_contain_text("C1.1")
    screenshot(page, "candidat-dossier", top=True)

    # Her accommodation request for the open session.
    page.get_by_role("link", name="Aménagements").first.click()
    page.get_by_role("link", name="Demander un aménagement").click()
    page.get_by_label("Vos besoins").fill(
        "Je suis dyspraxique : écrire à la main me prend deux fois plus de temps, "
        "et je dois utiliser mon ordinateur pendant les épreuves écrites."
    )
    for code in ("C4.1", "C4.2", "C4.3"):
        page.get_by_label(f"{code} — ").check()
    page.get_by_label("Pièces justificatives (facultatif)").set_input_files(
        files=[
            FilePayload(
                name="bilan-ergotherapeute.pdf", mimeType="application/pdf", buffer=PDF
            )
        ]
    )
    page.get_by_label("J'accepte que les informations").check()
    scroll_to(page.locator("h1"))
    screenshot(page, "candidat-demande-amenagement")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Demande d'aménagement"
    )

    # Her documents of the autumn session, just issued.
    page.get_by_role("link", name="Mes documents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    screenshot(page, "candidat-documents")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Télécharger \(Parchemin")).click()
    content = download_info.value.path().read_bytes()
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    match = re.search(r"https?://\S+/verification/[A-Z2-7]{16}/", printed)
    assert match is not None, printed
    logout(page)
    return urlsplit(match.group(0)).path


def _referent(page: Page) -> None:
    login(page, REFERENT)
    page.get_by_role("link", name="Demandes d'aménagement").first.click()
    expect(page.locator("main")).to_contain_text("Camille PETIT")
    screenshot(page, "referent-handicap-bureau")
    page.get_by_role("link", name="Camille PETIT").click()
    page.get_by_role("button", name="Mettre en instruction").click()
    page.locator("#id_amenagements-0-type").select_option("temps_majore")
    page.locator("#id_amenagements-0-description").fill(
        "Un tiers-temps pour chaque épreuve écrite."
    )
    page.locator("#id_amenagements-1-type").select_option("supports_adaptes")
    page.locator("#id_amenagements-1-description").fill(
        "L'ordinateur personnel de la candidate, sans accès au réseau, pour les "
        "épreuves écrites."
    )
    page.get_by_label("Avis motivé").fill(
        "Avec un temps majoré et son ordinateur, la candidate démontre toutes les "
        "compétences évaluées : aucune dispense de critère n'est proposée."
    )
    scroll_to(page.locator("#decider-titre"))
    screenshot(page, "referent-handicap-decision")
    page.get_by_role(
        "button", name="Enregistrer la décision et envoyer le courrier"
    ).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "La décision est enregistrée"
    )
    page.get_by_role("link", name="Demandes d'aménagement").first.click()
    page.get_by_role("link", name="Journal des accès confidentiels").click()
    expect(page.locator("main")).to_contain_text("Camille PETIT")
    screenshot(page, "referent-handicap-journal")
    logout(page)


def _membre_jury(page: Page) -> None:
    from referentiel.models import Critere

    login(page, MEMBRE)
    page.get_by_role("link", name="Mes évaluations").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes évaluations")
    screenshot(page, "membre-jury-tableau-de-bord")
    # Hugo Leroy's grid: his accommodations, and the criterion the jury exempted.
    page.get_by_role("link", name="Hugo LEROY").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grille de Hugo LEROY")
    for code, resultat in (
        ("C1.1.1", "Acquis"),
        ("C1.1.2", "Acquis"),
        ("C1.1.3", "Non acquis"),
    ):
        pk = Critere.objects.get(
            referentiel__sessions__nom=DEMO_SESSION_JURY, code=code
        ).pk
        page.locator(f"#critere-{pk}").get_by_label(resultat, exact=True).check()
        expect(page.locator(f"#etat-{pk}")).to_contain_text(f"Enregistré : {resultat}")
    page.reload()
    expect(page.locator("#progression")).to_contain_text("3 critères notés sur 70")
    scroll_to(page.get_by_role("heading", level=2, name=re.compile("^A1 — ")))
    screenshot(page, "membre-jury-grille")
    logout(page)

    # The second evaluator of Sarah Giraud validates the evaluation left open.
    login(page, MEMBRE2)
    page.get_by_role("link", name="Mes évaluations").first.click()
    page.get_by_role("link", name="Sarah GIRAUD").click()
    page.get_by_role("button", name="Valider mon évaluation").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Évaluation validée : le président du jury peut la consolider."
    )
    logout(page)


def _president(page: Page) -> None:
    from evaluations.notation.models import Evaluation

    login(page, PRESIDENT)
    # The exemption the référent's avis motivé proposed for Hugo Leroy, decided.
    page.get_by_role("link", name="Dispenses").first.click()
    page.get_by_role("link", name="Hugo LEROY").click()
    expect(page.get_by_text("Dispense accordée")).to_be_visible()
    screenshot(page, "president-dispense", top=True)

    # Sarah Giraud: her two evaluators diverge on two criteria; the jury settles.
    page.get_by_role("link", name="Jurys").first.click()
    page.get_by_role("link", name=DEMO_SESSION_JURY).click()
    page.get_by_role("row", name=re.compile("Sarah GIRAUD")).get_by_role(
        "link", name="Consolidation"
    ).click()
    divergents = sorted(
        Evaluation.objects.filter(
            affectation__inscription__candidat__user__email="candidat3@certif.localhost",
            resultat="non_acquis",
        ).values_list("critere_id", flat=True)
    )
    assert len(divergents) == 2
    expect(page.locator("tr.divergent")).to_have_count(2)
    scroll_to(
        page.locator("tr.divergent").first.locator("xpath=preceding-sibling::tr[1]")
    )
    screenshot(page, "president-consolidation")
    for pk in divergents:
        page.locator(f"#j-{pk}-a").check()
    page.locator(f"#jc-{divergents[0]}").fill(
        "Le jury retient l'analyse du premier évaluateur."
    )
    page.get_by_role("button", name="Enregistrer la consolidation").click()

    page.get_by_role("link", name="Délibération").first.click()
    expect(page.locator("#titre-vote")).to_be_visible()
    vote = page.get_by_role("region", name="Décision proposée")
    vote.get_by_label("Paul Durand").check()
    vote.get_by_label("Julie Bernard").check()
    vote.get_by_label("Karim Benali").check()
    vote.locator("#id_motif").fill(
        "Tous les critères sont acquis ; les deux divergences sur C1.1 sont levées "
        "par le jury."
    )
    screenshot(page, "president-deliberation")
    page.get_by_role("button", name="Voter et verrouiller").click()
    expect(page.locator("#titre-decision")).to_contain_text("Certifié")
    screenshot(page, "president-deliberation-votee")
    logout(page)


def _public(page: Page, browser: Browser, live_server, verification: str) -> None:  # type: ignore[no-untyped-def]
    public = browser.new_context(base_url=live_server.url, locale="fr-FR")
    visitor = public.new_page()
    visitor.goto(verification)
    # The demo's certifier is in specimen mode: the page says so, not « valide ».
    expect(visitor.get_by_role("alert").first).to_contain_text(
        "SPÉCIMEN — document de démonstration sans valeur."
    )
    screenshot(visitor, "public-verification-valide")

    # The administrator revokes it; the same page then says so.
    login(page, ADMIN)
    page.get_by_role("link", name="Documents").first.click()
    page.get_by_role("link", name=DEMO_SESSION_DELIBEREE).click()
    page.get_by_role("row", name=re.compile("Camille PETIT.*Parchemin")).get_by_role(
        "link", name="Révoquer"
    ).click()
    page.get_by_label("Motif de la révocation").fill(
        "Erreur sur la date de naissance de la titulaire."
    )
    screenshot(page, "administrateur-documents-revocation")
    page.get_by_role("button", name="Révoquer ce document").click()
    expect(page.get_by_role("status").first).to_contain_text("est révoqué")
    visitor.goto(verification)
    expect(visitor.get_by_role("alert").first).to_contain_text("Document révoqué.")
    screenshot(visitor, "public-verification-revoque")
    public.close()


@pytest.mark.browser
def test_guide_tour(page: Page, browser: Browser, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo", stdout=io.StringIO())
    cache.clear()
    mail.outbox.clear()
    _administrateur(page)
    verification = _candidat(page)
    _referent(page)
    _membre_jury(page)
    _president(page)
    _public(page, browser, live_server, verification)

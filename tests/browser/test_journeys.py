"""End-to-end journeys in Chromium, clicking through the real UI.

Each journey starts from the state the previous one leaves, built by
tests/browser/worlds.py. The guide's screenshots are taken on the demo data by
tests/browser/test_guide.py."""

import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect
from pypdf import PdfReader

from evaluations.documents.models import Document
from tests.browser import worlds
from tests.browser.conftest import login, logout, new_context
from tests.scan import scanned_urls

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # The public verification page is rate-limited per address in the database
    # cache, which the live server shares with the test process.
    cache.clear()


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


CSV = (
    "email;nom_naissance;nom_usage;prenoms;date_naissance;sexe;commune_naissance;"
    "code_insee_naissance;pays_naissance;voie_acces;parcours;blocs\n"
    "camille.martin@example.fr;Martin;;Camille;14/03/1995;F;Paris;75056;;"
    "formation_continue;complet;\n"
    "hugo.leroy@example.fr;Leroy;;Hugo Jean;02/11/1990;M;Ajaccio;2A004;;vae;complet;\n"
)


def test_journey_1_admin_session_csv_import_jury_assignments(
    page: Page, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from certif.roles import Role
    from evaluations.jury.models import Affectation, MembreJury
    from evaluations.sessions.models import Inscription, Session
    from tests.factories import make_referentiel, make_user, small_data

    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    make_user(worlds.ADMIN, Role.ADMINISTRATEUR, first_name="Alice", last_name="Admin")
    president = make_user(
        worlds.PRESIDENT,
        Role.PRESIDENT,
        Role.MEMBRE_JURY,
        first_name="Paul",
        last_name="Président",
    )
    membre = make_user(
        worlds.MEMBRE, Role.MEMBRE_JURY, first_name="Julie", last_name="Bernard"
    )
    membre2 = make_user(
        worlds.MEMBRE2, Role.MEMBRE_JURY, first_name="Karim", last_name="Benali"
    )

    # A new session on the published référentiel.
    login(page, worlds.ADMIN)
    axe_check(page)
    page.get_by_role("link", name="Sessions").first.click()
    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Nom de la session").fill("Session de juin 2026")
    page.get_by_label("Référentiel (version publiée)").select_option(
        str(referentiel.pk)
    )
    # Dates from today: the session is opened below, which needs a deadline to come
    # (the browser's clock cannot be frozen with the server's).
    today = timezone.localdate()
    page.get_by_label("Date d'ouverture").fill(today.isoformat())
    page.get_by_label("Date et heure limites de dépôt").fill(
        f"{(today + timedelta(days=400)).isoformat()}T18:00"
    )
    page.get_by_label("Date du jury").fill((today + timedelta(days=420)).isoformat())
    axe_check(page)
    page.get_by_role("button", name=re.compile("Enregistrer|Créer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session de juin 2026")
    session = Session.objects.get(nom="Session de juin 2026")
    page.get_by_role("button", name="Ouvrir les dépôts").click()
    expect(page.get_by_role("status").first).to_have_text(
        "La session est maintenant « Ouverte »."
    )

    # Candidates by CSV: preview, then import; each gets an invitation.
    page.get_by_role("link", name="Importer un fichier CSV").click()
    page.get_by_label("Fichier CSV").set_input_files(
        files=[
            FilePayload(
                name="candidats.csv",
                mimeType="text/csv",
                buffer=CSV.encode("utf-8"),
            )
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de candidats")
    axe_check(page)
    page.get_by_role("button", name="Importer les 2 candidats").click()
    expect(
        page.get_by_text("2 candidats importés ; leurs invitations partent par e-mail.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Retour à la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session de juin 2026")
    assert sorted(
        Inscription.objects.filter(session=session).values_list(
            "candidat__user__email", flat=True
        )
    ) == ["camille.martin@example.fr", "hugo.leroy@example.fr"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "camille.martin@example.fr",
        "hugo.leroy@example.fr",
    ]

    # The jury: a president and two members, then two evaluators per candidate.
    page.get_by_role("link", name="Jurys").first.click()
    page.get_by_role("link", name="Session de juin 2026").click()
    for user, role in (
        (president, "president"),
        (membre, "membre"),
        (membre2, "membre"),
    ):
        page.get_by_label("Personne").select_option(str(user.pk))
        page.get_by_label("Rôle dans le jury").select_option(role)
        page.get_by_role("button", name="Ajouter au jury").click()
        expect(page.get_by_text(user.get_full_name()).first).to_be_visible()
    page.get_by_label("Évaluateurs par candidat").fill("2")
    page.get_by_role("button", name="Affecter automatiquement").click()
    expect(page.get_by_text("4 affectations créées.")).to_be_visible()
    axe_check(page)
    assert sorted(
        MembreJury.objects.filter(session=session).values_list("user__email", "role")
    ) == [
        (worlds.MEMBRE2, "membre"),
        (worlds.MEMBRE, "membre"),
        (worlds.PRESIDENT, "president"),
    ]
    counts = {
        email: Affectation.objects.filter(
            inscription__session=session, inscription__candidat__user__email=email
        ).count()
        for email in ("camille.martin@example.fr", "hugo.leroy@example.fr")
    }
    assert counts == {"camille.martin@example.fr": 2, "hugo.leroy@example.fr": 2}


def test_journey_2_candidate_invitation_uploads_accommodation_request(
    page: Page, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from evaluations.livrables.models import Livrable
    from evaluations.sessions.services import candidat_invite
    from handicap.models import DemandeAmenagement

    world = worlds.enrolled()
    mail.outbox.clear()
    candidat_invite(candidat=world.inscription.candidat)
    assert [m.to for m in mail.outbox] == [[worlds.CANDIDAT]]
    link = re.search(
        r"https?://\S+/mot-de-passe/nouveau/\S+/", str(mail.outbox[0].body)
    )
    assert link is not None, mail.outbox[0].body

    # The invitation link: choose a password, then log in with it.
    page.goto(urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un mot de passe")
    page.locator("#id_new_password1").fill("Un-mot-de-passe-solide-42")
    page.locator("#id_new_password2").fill("Un-mot-de-passe-solide-42")
    axe_check(page)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    login(page, worlds.CANDIDAT, "Un-mot-de-passe-solide-42")
    axe_check(page)

    # The deliverables, one per modality of the path; each gets a receipt.
    page.get_by_role("link", name="Mon dossier").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon dossier")
    page.get_by_role("link", name="Session de juin 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session de juin 2026")
    axe_check(page)
    for code in ("C1.1", "C2.1"):
        page.get_by_label(f"Déposer des fichiers pour {code}").set_input_files(
            files=[
                FilePayload(
                    name=f"dossier-{code}.pdf",
                    mimeType="application/pdf",
                    buffer=worlds.PDF_BYTES,
                )
            ]
        )
        page.get_by_label(f"Déposer des fichiers pour {code}").locator(
            "xpath=ancestor::form"
        ).get_by_role("button", name="Déposer", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Accusé de dépôt")
        expect(page.locator("main")).to_contain_text(f"dossier-{code}.pdf")
        if code == "C1.1":
            axe_check(page)
        page.get_by_role("link", name="Retour au dossier").click()
    assert sorted(
        Livrable.objects.filter(inscription=world.inscription).values_list(
            "nom_original", flat=True
        )
    ) == ["dossier-C1.1.pdf", "dossier-C2.1.pdf"]

    # The accommodation request, with a supporting document and consent.
    page.get_by_role("link", name="Aménagements").first.click()
    page.get_by_role("link", name="Demander un aménagement").click()
    page.get_by_label("Vos besoins").fill(
        "Je me fatigue vite à l'écrit : j'ai besoin de temps et d'un lecteur."
    )
    page.get_by_label("Pièces justificatives (facultatif)").set_input_files(
        files=[
            FilePayload(
                name="certificat-medical.pdf",
                mimeType="application/pdf",
                buffer=worlds.PDF_BYTES,
            )
        ]
    )
    page.get_by_label("J'accepte que les informations").check()
    axe_check(page)
    page.get_by_role("button", name="Déposer la demande").click()
    demande = DemandeAmenagement.objects.get(inscription=world.inscription)
    assert [p.nom_original for p in demande.pieces.all()] == ["certificat-medical.pdf"]
    assert demande.consentement_le is not None


def test_journey_5_documents_issued_downloaded_verified_revoked(
    page: Page, browser: Browser, live_server, axe_check
) -> None:  # type: ignore[no-untyped-def]
    world = worlds.deliberated_session()

    # The administrator issues the session's documents.
    login(page, worlds.ADMIN)
    page.get_by_role("link", name="Émission des documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Émission des documents")
    page.get_by_role("link", name="Session de juin 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Documents de la session « Session de juin 2026 »"
    )
    axe_check(page)
    page.get_by_role("button", name="Émettre les documents de la session").click()
    expect(page.locator("#progression")).to_contain_text(
        "Terminée — 2 / 2 traités (2 réussis)"
    )
    expect(
        page.get_by_role("link", name="Télécharger l'archive ZIP de tous les documents")
    ).to_be_visible()
    parchemin = Document.objects.get(
        inscription=world.inscription, nature=Document.Nature.PARCHEMIN
    )
    # … then publishes the results: until then the candidate sees no document.
    page.goto(f"/sessions/{world.session.pk}/")
    page.get_by_label("Publier maintenant").check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#progression-publication")).to_contain_text("Publiée")
    logout(page)

    # The candidate downloads the certificate from their space.
    login(page, worlds.CANDIDAT)
    page.get_by_role("link", name="Mes documents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Télécharger \(Parchemin")).click()
    download = download_info.value
    assert download.suggested_filename == parchemin.nom_fichier
    content = Path(download.path()).read_bytes()
    text = pdf_text(content)
    assert "Camille" in text
    match = re.search(r"https?://\S+/verification/([A-Z2-7]{16})/", text)
    assert match is not None, text
    assert match.group(1) == parchemin.code
    # The QR code holds the URL printed under it.
    assert scanned_urls(content) == [match.group(0)]
    verification_path = urlsplit(match.group(0)).path
    logout(page)

    # Anyone scanning the QR code opens the verification page: valid.
    public = new_context(browser, live_server.url)
    visitor = public.new_page()
    visitor.goto(verification_path)
    expect(visitor.get_by_role("status").first).to_contain_text("Document valide.")
    expect(visitor.locator("dl")).to_contain_text("Camille")
    axe_check(visitor)
    # The downloaded file is exactly the issued one (SHA-256 compared).
    visitor.get_by_label("Fichier PDF à comparer").set_input_files(download.path())
    visitor.get_by_role("button", name="Comparer", exact=True).click()
    expect(visitor.get_by_role("status").last).to_have_text(
        "Ce fichier est exactement le document émis."
    )

    # The administrator revokes it; the same URL now says so.
    login(page, worlds.ADMIN)
    page.goto(f"/documents/sessions/{world.session.pk}/")
    page.get_by_role("link", name="Révoquer").first.click()
    page.get_by_label("Motif de la révocation").fill(
        "Erreur sur l'identité du titulaire."
    )
    page.get_by_role("button", name="Révoquer ce document").click()
    expect(page.get_by_role("status").first).to_contain_text("est révoqué")

    visitor.goto(verification_path)
    expect(visitor.get_by_role("alert").first).to_contain_text("Document révoqué.")
    expect(visitor.get_by_role("alert").first).to_contain_text(
        "Motif : Erreur sur l'identité du titulaire."
    )
    public.close()


def score(page: Page, critere_pk: int, resultat: str) -> None:
    """Click a result in the grid and wait for the autosave's confirmation."""
    fieldset = page.locator(f"#critere-{critere_pk}")
    fieldset.get_by_label(resultat, exact=True).check()
    expect(page.locator(f"#etat-{critere_pk}")).to_contain_text(
        f"Enregistré : {resultat}"
    )


def test_journey_4_jury_scores_consolidates_exempts_deliberates(
    page: Page, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.deliberation.models import Deliberation
    from evaluations.notation.models import Consolidation, Evaluation
    from handicap.models import Dispense
    from referentiel.models import Critere

    jury = worlds.jury_en_evaluation()
    inscription = jury.world.inscription
    criteres = {
        c.code: c.pk for c in Critere.objects.filter(referentiel=jury.world.referentiel)
    }
    assert sorted(criteres) == ["C1.1.1", "C1.1.2", "C2.1.1", "C2.1.2"]

    # First member: scores everything, autosaved; a reload shows it all.
    login(page, worlds.MEMBRE)
    page.get_by_role("link", name="Mes évaluations").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes évaluations")
    axe_check(page)
    page.get_by_role("link", name="Camille MARTIN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Grille de Camille MARTIN"
    )
    expect(page.get_by_text("Un tiers-temps pour chaque épreuve.")).to_be_visible()
    for code in ("C1.1.1", "C1.1.2", "C2.1.1", "C2.1.2"):
        score(page, criteres[code], "Acquis")
    comment = page.locator(f"#c-{criteres['C2.1.1']}")
    comment.fill("Analyse claire et argumentée.")
    # Leaving the field saves the comment. The criterion already reads
    # « Enregistré : Acquis », so the test waits for that save's own answer
    # before it reloads the page (a reload that aborted the save once lost
    # the comment in CI).
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and response.url.endswith(f"/criteres/{criteres['C2.1.1']}/")
        )
    ) as saved:
        comment.blur()
    assert saved.value.status == 200
    expect(page.locator(f"#etat-{criteres['C2.1.1']}")).to_contain_text(
        "Enregistré : Acquis"
    )
    expect(page.locator("#progression")).to_contain_text(
        "4 critères notés sur 4 (100 %)"
    )
    page.reload()
    for code in ("C1.1.1", "C1.1.2", "C2.1.1", "C2.1.2"):
        expect(
            page.locator(f"#critere-{criteres[code]}").get_by_label(
                "Acquis", exact=True
            )
        ).to_be_checked()
    expect(page.locator(f"#c-{criteres['C2.1.1']}")).to_have_value(
        "Analyse claire et argumentée."
    )
    axe_check(page)
    page.get_by_role("button", name="Valider mon évaluation").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Évaluation validée : le président du jury peut la consolider."
    )
    expect(
        page.get_by_text(
            "Vous avez validé votre évaluation : la grille est en lecture seule."
        )
    ).to_be_visible()
    logout(page)

    # Second member: disagrees on C1.1.2.
    login(page, worlds.MEMBRE2)
    page.get_by_role("link", name="Mes évaluations").first.click()
    page.get_by_role("link", name="Camille MARTIN").click()
    for code in ("C1.1.1", "C2.1.1", "C2.1.2"):
        score(page, criteres[code], "Acquis")
    score(page, criteres["C1.1.2"], "Non acquis")
    page.reload()
    expect(
        page.locator(f"#critere-{criteres['C1.1.2']}").get_by_label(
            "Non acquis", exact=True
        )
    ).to_be_checked()
    logout(page)
    assert Evaluation.objects.filter(affectation__inscription=inscription).count() == 8

    # The jury sitting (quorum, members present recorded) grants the exemption
    # proposed by the avis motivé, with both conditions and the jury's reasoning;
    # the president records it.
    login(page, worlds.PRESIDENT)
    page.get_by_role("link", name="Dispenses").first.click()
    page.get_by_role("link", name="Camille MARTIN").click()
    expect(page.get_by_text("Motif du référent : La prise de notes")).to_be_visible()
    # The president alone is not the jury: refused, nothing stored.
    page.get_by_label("Accorder la dispense").check()
    page.get_by_label("ne remet pas en question sa capacité professionnelle").check()
    page.get_by_label("n'a pas vocation à s'appliquer").check()
    page.get_by_label("Raisonnement du jury").fill("Le président seul.")
    page.get_by_label("Paul Président (Président)").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        page.get_by_text("Quorum non atteint : il faut au moins 2 membres présents")
    ).to_be_visible()
    assert not Dispense.objects.filter(inscription=inscription).exists()
    # With one condition only, the exemption is refused and nothing is stored.
    page.get_by_label("Julie Bernard (Membre)").check()
    page.get_by_label("n'a pas vocation à s'appliquer").uncheck()
    page.get_by_label("Raisonnement du jury").fill("Une seule condition.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        page.get_by_text(
            "Dispense refusée : le jury doit affirmer qu'au regard de la nature du "
            "handicap, le critère n'a pas vocation à s'appliquer"
        )
    ).to_be_visible()
    assert not Dispense.objects.filter(inscription=inscription).exists()
    # Both conditions and the reasoning: granted.
    page.get_by_label("Accorder la dispense").check()
    page.get_by_label("ne remet pas en question sa capacité professionnelle").check()
    page.get_by_label("n'a pas vocation à s'appliquer").check()
    expect(page.get_by_label("Julie Bernard (Membre)")).to_be_checked()
    page.get_by_label("Raisonnement du jury").fill(
        "Le métier visé s'exerce sur poste adapté, sans prise de notes manuscrite."
    )
    axe_check(page)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Dispense accordée")).to_be_visible()
    dispense = Dispense.objects.get(inscription=inscription)
    assert (
        dispense.accordee,
        dispense.condition_capacite_globale,
        dispense.condition_pratique_future,
    ) == (True, True, True)
    assert sorted(dispense.presents.values_list("user__last_name", flat=True)) == [
        "Bernard",
        "Président",
    ]

    # Consolidation: the divergent criterion is now exempted; the others agree.
    page.get_by_role("link", name="Jurys").first.click()
    page.get_by_role("link", name="Session de juin 2026").click()
    page.get_by_role("link", name="Consolidation").first.click()
    expect(page.locator(f"#j-{criteres['C1.1.1']}-a")).to_be_checked()
    axe_check(page)
    # Karim Benali scored but did not validate: the jury waits for him…
    page.console_watch.expect_refusal(
        f"/jury/inscriptions/{inscription.pk}/consolidation/"
    )  # type: ignore[attr-defined]
    page.console_watch.expect_refusal(
        f"/jury/inscriptions/{inscription.pk}/deliberation/"
    )  # type: ignore[attr-defined]
    page.get_by_role("button", name="Enregistrer la consolidation").click()
    expect(
        page.get_by_text("Karim Benali n'a pas validé son évaluation").first
    ).to_be_visible()
    assert not Consolidation.objects.filter(inscription=inscription).exists()
    # …unless the president records why the jury does without it.
    page.get_by_label(
        "Pourquoi le jury se passe de la validation de Karim Benali"
    ).fill("Évaluateur absent le jour du jury, grille complète.")
    page.get_by_role("button", name="Enregistrer le motif").click()
    expect(page.get_by_text("Motif enregistré")).to_be_visible()
    expect(
        page.get_by_text("Motif : Évaluateur absent le jour du jury, grille complète.")
    ).to_be_visible()
    page.get_by_role("button", name="Enregistrer la consolidation").click()
    assert sorted(
        Consolidation.objects.filter(inscription=inscription).values_list(
            "critere__code", "resultat"
        )
    ) == [("C1.1.1", "acquis"), ("C2.1.1", "acquis"), ("C2.1.2", "acquis")]

    # Deliberation: the roll-up proposes « certifié »; after hearing the
    # candidate the jury validates B1 only, which it may do with a written motive.
    page.get_by_role("link", name="Délibération").first.click()
    expect(page.locator("#titre-vote")).to_be_visible()
    # Pre-ticked from the jury's exemption decision of the same sitting.
    vote = page.get_by_role("region", name="Décision proposée")
    expect(vote.get_by_label("Paul Président")).to_be_checked()
    expect(vote.get_by_label("Julie Bernard")).to_be_checked()
    expect(page.get_by_label("B1", exact=True)).to_be_checked()
    expect(page.get_by_label("B2", exact=True)).to_be_checked()
    page.locator("#id_motif").fill("Après audition, le bloc B2 n'est pas maîtrisé.")
    page.get_by_label("B2", exact=True).uncheck()
    axe_check(page)
    page.get_by_role("button", name="Voter et verrouiller").click()
    expect(
        page.get_by_text("La décision diffère de la proposition (Certifié)")
    ).to_be_visible()
    assert not Deliberation.objects.filter(inscription=inscription).exists()
    page.get_by_label("Motif de la décision différente de la proposition").fill(
        "L'audition a montré que l'analyse de C2.1 était recopiée."
    )
    page.get_by_role("button", name="Voter et verrouiller").click()
    expect(page.locator("#titre-decision")).to_contain_text("Validation partielle")
    expect(page.locator("#titre-decision")).to_contain_text("verrouillée")
    expect(page.locator("#ecart")).to_contain_text(
        "Proposition du consolidé : Certifié"
    )
    deliberation = Deliberation.objects.get(inscription=inscription)
    assert (
        deliberation.decision,
        deliberation.decision_proposee,
        deliberation.verrouillee,
    ) == ("validation_partielle", "certifie", True)
    logout(page)

    # After the lock: the grid is read-only, and a forged write gets 409.
    login(page, worlds.MEMBRE2)
    page.goto(f"/jury/inscriptions/{inscription.pk}/grille/")
    expect(page.get_by_role("status").first).to_have_text(
        "La délibération est votée : la grille est verrouillée."
    )
    expect(
        page.locator(f"#critere-{criteres['C2.1.2']}").get_by_label(
            "Acquis", exact=True
        )
    ).to_be_disabled()
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/jury/inscriptions/{inscription.pk}/grille/criteres/{criteres['C2.1.2']}/",
        form={f"resultat-{criteres['C2.1.2']}": "non_acquis"},
        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
    )
    assert response.status == 409
    assert (
        Evaluation.objects.get(
            affectation__membre=jury.membre2, critere_id=criteres["C2.1.2"]
        ).resultat
        == "acquis"
    )


def test_journey_3_referent_decides_accommodations_and_avis_motive(
    page: Page, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from handicap.models import AccesConfidentiel, DemandeAmenagement

    world = worlds.enrolled()
    demande = worlds.demande_deposee(world)
    mail.outbox.clear()

    login(page, worlds.REFERENT)
    page.get_by_role("link", name="Demandes d'aménagement").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'aménagement")
    axe_check(page)
    page.get_by_role("link", name="Camille MARTIN").click()
    expect(page.get_by_text("Je me fatigue vite à l'écrit")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="certificat-medical.pdf").click()
    assert Path(download_info.value.path()).read_bytes() == worlds.PDF_BYTES
    page.get_by_role("button", name="Mettre en instruction").click()
    expect(page.locator("h1 + p")).to_contain_text("En instruction")

    page.locator("#id_amenagements-0-type").select_option("temps_majore")
    page.locator("#id_amenagements-0-description").fill(
        "Un tiers-temps pour chaque épreuve écrite et orale."
    )
    page.locator("#id_amenagements-1-type").select_option("assistance_tiers")
    page.locator("#id_amenagements-1-precision").fill("Secrétaire-lecteur")
    page.locator("#id_amenagements-1-description").fill(
        "Un secrétaire lit les consignes et note sous la dictée du candidat."
    )
    page.get_by_label("Avis motivé").fill(
        "Le trouble rend la rédaction manuscrite longue et pénible ; la prise de "
        "notes manuscrite n'aura pas cours dans le métier visé."
    )
    page.locator("#id_propositions-0-critere").select_option(
        label="C1.1.2 — Critère 2."
    )
    page.locator("#id_propositions-0-motif").fill(
        "Critère de prise de notes manuscrite, sans objet dans la pratique future."
    )
    axe_check(page)
    page.get_by_role(
        "button", name="Enregistrer la décision et envoyer le courrier"
    ).click()
    expect(page.get_by_role("status").first).to_have_text(
        "La décision est enregistrée ; le courrier de décision a été envoyé au candidat."
    )

    demande.refresh_from_db()
    assert demande.statut == DemandeAmenagement.Statut.DECIDEE
    assert sorted(demande.amenagements.values_list("type", flat=True)) == [
        "assistance_tiers",
        "temps_majore",
    ]
    assert [
        p.critere.code for p in demande.avis.propositions.select_related("critere")
    ] == ["C1.1.2"]
    assert [m.to for m in mail.outbox] == [[worlds.CANDIDAT]]
    assert [a[0] for a in mail.outbox[0].attachments] == ["decision-amenagement.pdf"]
    # Every read of the confidential file was logged.
    assert AccesConfidentiel.objects.filter(utilisateur=world.referent).count() >= 2

    page.get_by_role("link", name="Demandes d'aménagement").first.click()
    page.get_by_role("link", name="Journal des accès confidentiels").click()
    expect(page.locator("main")).to_contain_text("Camille MARTIN")
    axe_check(page)


def test_grid_works_without_javascript(browser: Browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """The scoring grid is also a plain form: with JavaScript off, the member scores
    and saves with the « Enregistrer la grille » button."""
    from evaluations.notation.models import Evaluation
    from referentiel.models import Critere

    jury = worlds.jury_en_evaluation()
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    login(page, worlds.MEMBRE)
    page.goto(f"/jury/inscriptions/{jury.world.inscription.pk}/grille/")
    criteres = Critere.objects.filter(referentiel=jury.world.referentiel)
    for critere in criteres:
        page.locator(f"#critere-{critere.pk}").get_by_label(
            "Acquis", exact=True
        ).check()
    page.locator(f"#c-{criteres[0].pk}").fill("Sans JavaScript.")
    page.get_by_role("button", name="Enregistrer la grille").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Grille enregistrée (4 critères modifiés)."
    )
    assert sorted(
        Evaluation.objects.filter(affectation__membre=jury.membre).values_list(
            "critere__code", "resultat", "commentaire"
        )
    ) == [
        ("C1.1.1", "acquis", "Sans JavaScript."),
        ("C1.1.2", "acquis", ""),
        ("C2.1.1", "acquis", ""),
        ("C2.1.2", "acquis", ""),
    ]
    context.close()


def test_member_declares_a_conflict_from_the_search(
    browser: Browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    """A member finds the candidate by name, picks them and declares the link, with
    links and plain forms (JavaScript off); the candidate leaves their dashboard."""
    from evaluations.jury.models import ConflitInterets

    jury = worlds.jury_en_evaluation()
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    login(page, worlds.MEMBRE)
    page.goto("/jury/conflits/")
    page.get_by_label("Rechercher un candidat").fill("martin")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Déclarer un lien avec Camille MARTIN").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Lien avec Camille MARTIN (Session de juin 2026)"
    )
    page.get_by_label("Nature du lien").select_option("autre")
    page.get_by_role("button", name="Déclarer").click()
    expect(page.locator("main")).to_contain_text("Précisez la nature du lien.")
    page.get_by_label("Commentaire").fill("Voisin de palier.")
    page.get_by_role("button", name="Déclarer").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Conflit d'intérêts déclaré : vous n'évaluez plus Camille MARTIN."
    )
    expect(page.locator("main")).to_contain_text("« Voisin de palier. »")
    assert list(
        ConflitInterets.objects.values_list("membre", "inscription", "nature")
    ) == [(jury.membre.pk, jury.world.inscription.pk, "autre")]
    page.goto("/jury/mes-evaluations/")
    expect(page.locator("main")).to_contain_text("Aucun candidat ne vous est affecté")
    context.close()


def test_jury_records_an_absent_candidate(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    """An absent candidate is closed without a single score: the jury records
    « absent » with its motive and the members present."""
    from evaluations.deliberation.models import Deliberation
    from evaluations.notation.models import Consolidation

    jury = worlds.jury_en_evaluation()
    inscription = jury.world.inscription
    login(page, worlds.PRESIDENT)
    page.goto(f"/jury/inscriptions/{inscription.pk}/deliberation/")
    expect(page.get_by_role("heading", name="Candidat absent")).to_be_visible()
    axe_check(page)
    absence = page.locator("form[action$='/absence/']")
    absence.get_by_label("Paul Président (Président)").check()
    # Without the quorum: refused with the message, nothing stored.
    page.console_watch.expect_refusal(f"/jury/inscriptions/{inscription.pk}/absence/")  # type: ignore[attr-defined]
    absence.get_by_label("Motif de l'absence").fill("Absente à l'oral du 12 juin.")
    absence.get_by_role("button", name="Enregistrer l'absence").click()
    expect(page.get_by_text("Quorum non atteint")).to_be_visible()
    assert not Deliberation.objects.filter(inscription=inscription).exists()
    absence = page.locator("form[action$='/absence/']")
    absence.get_by_label("Julie Bernard (Membre)").check()
    absence.get_by_role("button", name="Enregistrer l'absence").click()
    expect(page.locator("#titre-decision")).to_contain_text("Absent")
    expect(page.locator("#titre-decision")).to_contain_text("verrouillée")
    deliberation = Deliberation.objects.get(inscription=inscription)
    assert (deliberation.decision, deliberation.motif) == (
        "absent",
        "Absente à l'oral du 12 juin.",
    )
    assert not Consolidation.objects.filter(inscription=inscription).exists()

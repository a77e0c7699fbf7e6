"""Every free-text field shown back is escaped.

Payloads go into every field a person types and another person reads (names,
session names, comments, motives, needs, accommodations, avis motivé, reasoning,
file names, revocation motive); each page showing them must contain the escaped
form and never the raw payload. The rows are written with the ORM, under the
forms' validation, so that the test is about rendering only."""

import io
import re

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certif.roles import Role
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.documents.models import Document
from evaluations.documents.services import document_revoke, inscription_documents_issue
from evaluations.jury.models import Affectation, ConflitInterets
from evaluations.livrables.models import Livrable
from evaluations.notation.models import Consolidation, Evaluation
from handicap.models import (
    AccesConfidentiel,
    Amenagement,
    AvisMotive,
    DemandeAmenagement,
    Dispense,
    PieceJustificative,
    PropositionDispense,
)
from referentiel.models import Critere, Modalite
from tests.evaluations.factories_documents import make_consolidations, make_membre
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, IMG)
ESCAPED = (
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
)


class EscapingAssertions(TestCase):
    def assert_escaped(self, html: str, url: str) -> None:
        # Case-insensitive: some fields are shown in capitals (birth names).
        lowered = html.lower()
        for payload in PAYLOADS:
            self.assertNotIn(payload.lower(), lowered, f"{url}: raw {payload!r}")
        self.assertTrue(
            any(escaped.lower() in lowered for escaped in ESCAPED),
            f"{url}: no payload shown at all, the page does not test escaping",
        )
        self.assertIsNone(
            re.search(r"<img[^>]+onerror", lowered), f"{url}: live <img onerror>"
        )

    def check(self, user, urls: list[str]) -> None:  # type: ignore[no-untyped-def]
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
                self.assert_escaped(response.content.decode(), url)


class EvaluationPagesEscapeTests(EscapingAssertions):
    """A session in evaluation: desk, candidate space, grid, consolidation,
    deliberation, conflicts, accommodation request and exemptions."""

    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel(small_data(blocs=2, criteres=2))
        cls.admin = make_user(
            "admin@x.fr", Role.ADMINISTRATEUR, first_name=IMG, last_name=SCRIPT
        )
        cls.referent = make_user("ref@x.fr", Role.REFERENT_HANDICAP)
        cls.session = make_session(
            referentiel, nom=f"Session {SCRIPT}", statut="en_evaluation"
        )
        candidat = make_candidat("cand@x.fr", nom=f"Dupont {SCRIPT}", prenom=IMG)
        candidat.nom_usage = SCRIPT
        candidat.commune_naissance = IMG
        candidat.save()
        cls.candidat_user = candidat.user
        cls.inscription = make_inscription(candidat, cls.session)
        cls.president = make_membre(cls.session, "pres@x.fr", president=True)
        cls.membre = make_membre(cls.session, "membre@x.fr")
        cls.membre2 = make_membre(cls.session, "membre2@x.fr")
        affectation = Affectation.objects.create(
            membre=cls.membre, inscription=cls.inscription
        )
        ConflitInterets.objects.create(
            membre=cls.membre2,
            inscription=cls.inscription,
            nature=ConflitInterets.Nature.AUTRE,
            commentaire=SCRIPT,
        )
        criteres = list(Critere.objects.filter(referentiel=referentiel))
        for critere in criteres:
            Evaluation.objects.create(
                affectation=affectation,
                critere=critere,
                resultat="acquis",
                commentaire=IMG,
            )
        make_consolidations(cls.inscription, by=cls.president.user)
        Consolidation.objects.filter(inscription=cls.inscription).update(
            commentaire=SCRIPT
        )
        modalite = Modalite.objects.filter(competence__referentiel=referentiel).first()
        assert modalite is not None
        Livrable.objects.create(
            inscription=cls.inscription,
            modalite=modalite,
            fichier="livrables/x.pdf",
            nom_original=f"{IMG}.pdf",
            taille=10,
            sha256="0" * 64,
            type_mime="application/pdf",
            depose_par=cls.candidat_user,
        )
        now = timezone.now()
        cls.demande = DemandeAmenagement.objects.create(
            inscription=cls.inscription,
            besoins=SCRIPT,
            consentement_texte="Je consens.",
            consentement_le=now,
            deposee_le=now,
            statut=DemandeAmenagement.Statut.DECIDEE,
            decidee_le=now,
            decidee_par=cls.referent,
        )
        PieceJustificative.objects.create(
            demande=cls.demande,
            fichier="handicap/x.pdf",
            nom_original=f"{IMG}.pdf",
            taille=10,
            sha256="0" * 64,
            type_mime="application/pdf",
            deposee_le=now,
        )
        Amenagement.objects.create(
            demande=cls.demande,
            type=Amenagement.Type.ASSISTANCE_TIERS,
            precision=SCRIPT,
            description=IMG,
            ordre=0,
        )
        avis = AvisMotive.objects.create(
            demande=cls.demande, texte=SCRIPT, redige_par=cls.referent, redige_le=now
        )
        proposition = PropositionDispense.objects.create(
            avis=avis, critere=criteres[1], motif=IMG
        )
        Dispense.objects.create(
            proposition=proposition,
            inscription=cls.inscription,
            critere=criteres[1],
            accordee=True,
            condition_capacite_globale=True,
            condition_pratique_future=True,
            raisonnement=SCRIPT,
            decide_par=cls.president.user,
            decide_le=now,
        )
        deliberation = Deliberation.objects.create(
            inscription=cls.inscription,
            decision=Deliberation.Decision.CERTIFIE,
            motif=IMG,
            verrouillee=False,
            decidee_le=now,
            decidee_par=cls.president.user,
        )
        deliberation.presents.set([cls.president, cls.membre])
        ReouvertureDeliberation.objects.create(
            deliberation=deliberation, motif=SCRIPT, par=cls.president.user
        )

    def test_administrator_pages(self) -> None:
        pk, session = self.inscription.pk, self.session.pk
        self.check(
            self.admin,
            [
                "/",
                reverse("evaluations:session_list"),
                reverse("evaluations:session_detail", args=[session]),
                reverse("evaluations:dossier", args=[pk]),
                reverse("evaluations:jury_sessions"),
                reverse("evaluations:jury_session", args=[session]),
                reverse("evaluations:consolidation", args=[pk]),
                reverse("evaluations:deliberation", args=[pk]),
                reverse("evaluations:jury_historique", args=[pk]),
                reverse("handicap:bureau"),
            ],
        )

    def test_jury_member_pages(self) -> None:
        pk = self.inscription.pk
        self.check(
            self.membre.user,
            [
                reverse("evaluations:jury_tableau_de_bord"),
                reverse("evaluations:grille", args=[pk]),
            ],
        )

    def test_president_pages(self) -> None:
        pk = self.inscription.pk
        self.check(
            self.president.user,
            [
                reverse("evaluations:dispenses"),
                reverse("evaluations:dispenses_inscription", args=[pk]),
                reverse("evaluations:consolidation", args=[pk]),
                reverse("evaluations:deliberation", args=[pk]),
            ],
        )

    def test_referent_pages(self) -> None:
        self.check(
            self.referent,
            [
                reverse("handicap:bureau"),
                reverse("handicap:demande_detail", args=[self.demande.pk]),
                reverse("handicap:journal"),
            ],
        )
        self.assertEqual(
            AccesConfidentiel.objects.filter(utilisateur=self.referent).count() > 0,
            True,
        )

    def test_candidate_pages(self) -> None:
        self.check(
            self.candidat_user,
            [
                reverse("evaluations:mon_dossier"),
                reverse("evaluations:dossier", args=[self.inscription.pk]),
                reverse("handicap:mes_demandes"),
                reverse("handicap:demande_detail", args=[self.demande.pk]),
            ],
        )


class DocumentPagesEscapeTests(EscapingAssertions):
    """Issued documents: the emission pages, the candidate's documents, the
    public verification page, and the PDF itself (literal text, not markup)."""

    @classmethod
    def setUpTestData(cls) -> None:
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        cls.admin = make_user("admin@x.fr", Role.ADMINISTRATEUR)
        session = make_session(referentiel, nom=f"Session {IMG}", statut="deliberee")
        cls.session = session
        president = make_membre(session, "pres@x.fr", president=True)
        membre = make_membre(session, "membre@x.fr")
        candidat = make_candidat("cand@x.fr", nom=f"Durand {SCRIPT}", prenom=IMG)
        cls.candidat_user = candidat.user
        inscription = make_inscription(candidat, session)
        make_consolidations(inscription, by=president.user)
        deliberation = Deliberation.objects.create(
            inscription=inscription,
            decision=Deliberation.Decision.CERTIFIE,
            motif=SCRIPT,
            verrouillee=True,
            decidee_le=timezone.now(),
            decidee_par=president.user,
        )
        deliberation.presents.set([president, membre])
        deliberation.blocs_valides.set(referentiel.blocs.all())
        inscription_documents_issue(inscription_id=inscription.pk, by=cls.admin)
        cls.parchemin = Document.objects.get(nature=Document.Nature.PARCHEMIN)
        document_revoke(document=cls.parchemin, by=cls.admin, motif=SCRIPT)
        cls.releve = Document.objects.get(nature=Document.Nature.RELEVE)

    def setUp(self) -> None:
        cache.clear()  # the verification page is rate-limited

    def test_administrator_pages(self) -> None:
        self.check(
            self.admin,
            [
                reverse("evaluations:emission_sessions"),
                reverse("evaluations:emission_session", args=[self.session.pk]),
                reverse("evaluations:document_revoke", args=[self.parchemin.pk]),
            ],
        )

    def test_candidate_pages(self) -> None:
        self.check(self.candidat_user, [reverse("evaluations:documents_mine")])

    def test_public_verification_page(self) -> None:
        self.check(
            None,
            [reverse("evaluations:verification_code", args=[self.parchemin.code])],
        )

    def test_unknown_code_is_escaped(self) -> None:
        url = reverse("evaluations:verification_code", args=[IMG])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(IMG, response.content.decode())

    def test_pdf_shows_the_payload_as_text(self) -> None:
        with self.releve.fichier.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        text = "\n".join(page.extract_text() for page in reader.pages)
        self.assertIn("<script>alert(1)</script>", text)
        self.assertIn("DURAND", text.upper())


class ReferentielPagesEscapeTests(EscapingAssertions):
    """Référentiel texts are edited by administrators (drafts) and shown to every
    role, through the ``lignes`` filter that builds lists and paragraphs."""

    @classmethod
    def setUpTestData(cls) -> None:
        data = small_data(blocs=1, criteres=1)
        competence = data["blocs"][0]["activites"][0]["competences"][0]
        competence["intitule"] = f"Compétence {SCRIPT}"
        competence["details"] = f"- {IMG}\n{SCRIPT}"
        competence["modalite"]["description"] = f"- {SCRIPT}"
        competence["criteres"][0]["intitule"] = IMG
        data["blocs"][0]["intitule"] = IMG
        data["certification"]["intitule"] = f"Certification {SCRIPT}"
        cls.referentiel = make_referentiel(data)
        cls.user = make_user("cand@x.fr", Role.CANDIDAT)

    def test_referentiel_page(self) -> None:
        self.check(
            self.user,
            [
                reverse("referentiel:list"),
                reverse("referentiel:detail", args=[self.referentiel.pk]),
            ],
        )

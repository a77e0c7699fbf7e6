"""Views of the handicap app: the permission matrix of every page and file, the
access log of confidential reads, the forms' bad inputs and the query counts."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from certif.models import User
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import dispense_decider
from evaluations.jury.selectors import presents_possibles
from evaluations.sessions.models import EcritureRefusee, Inscription
from handicap.models import (
    AccesConfidentiel,
    Amenagement,
    DemandeAmenagement,
    Dispense,
    PieceJustificative,
)
from handicap.selectors import amenagements_for_jury
from referentiel.models import Modalite
from tests.evaluations.epreuves.test_services import pdf_text
from tests.factories import make_candidat, make_inscription, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

from tests.handicap.factories import (
    AVIS,
    BESOINS,
    HandicapTestCase,
    make_decision,
    make_demande,
    pdf_upload,
)

LOGIN = "/connexion/?next="


class ViewTestCase(HandicapTestCase):
    """``demande``: filed by ``candidat``, not decided, one document.
    ``decidee``: a decided request of a third candidate with one proposed
    exemption (criteres[0])."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demande = make_demande(cls.inscription)
        cls.piece = cls.demande.pieces.get()
        troisieme = make_candidat("hugo@example.org", nom="Leroy", prenom="Hugo")
        cls.hugo = troisieme.user
        cls.inscription_hugo = make_inscription(troisieme, cls.session)
        cls.decidee = make_decision(
            make_demande(cls.inscription_hugo, besoins="Bégaiement sévère."),
            cls.referent,
            propositions=cls.criteres[:1],
        )
        cls.proposition = cls.decidee.avis.propositions.get()

    def status(self, user: User | None, url: str, method: str = "get") -> int:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url)
        if response.streaming:
            # Consumed, the test client closes the file without closing the
            # database connection (a bare close() would, on PostgreSQL).
            b"".join(response.streaming_content)
        return response.status_code

    def assert_matrix(
        self, url: str, expected: dict[str, int], method: str = "get"
    ) -> None:
        """``expected``: persona attribute name → status code."""
        for name, code in expected.items():
            with self.subTest(user=name, url=url, method=method):
                self.assertEqual(self.status(getattr(self, name), url, method), code)

    def assert_anonymous_redirected(self, url: str, method: str = "get") -> None:
        response = getattr(Client(), method)(url)
        self.assertRedirects(response, f"{LOGIN}{url}", fetch_redirect_response=False)


class CandidatePagesTests(ViewTestCase):
    def test_mes_demandes_matrix(self) -> None:
        url = reverse("handicap:mes_demandes")
        self.assert_matrix(
            url,
            {
                "candidat": 200,
                "autre": 200,
                "referent": 403,
                "jury": 403,
                "president": 403,
                "admin": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"candidat": 405}, method="post")

    def test_mes_demandes_shows_own_enrolments_only(self) -> None:
        self.client.force_login(self.autre)
        response = self.client.get(reverse("handicap:mes_demandes"))
        self.assertEqual(
            [i.pk for i in response.context["page"].object_list],
            [self.autre_inscription.pk],
        )
        self.assertContains(
            response,
            reverse("handicap:demande_create", args=[self.autre_inscription.pk]),
            count=1,
        )
        self.client.force_login(self.candidat)
        response = self.client.get(reverse("handicap:mes_demandes"))
        self.assertContains(response, self.demande.get_absolute_url(), count=1)
        self.assertContains(response, "Déposée")

    def test_mes_demandes_query_count(self) -> None:
        self.client.force_login(self.autre)
        url = reverse("handicap:mes_demandes")
        with self.assertNumQueries(5):
            self.client.get(url)
        for i in range(3):
            session = Inscription.objects.get(pk=self.autre_inscription.pk).session
            session.pk = None
            session.nom = f"Autre {i}"
            session.save()
            inscription = make_inscription(self.autre_inscription.candidat, session)
            make_demande(inscription)
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 4)

    def test_create_matrix(self) -> None:
        url = reverse("handicap:demande_create", args=[self.autre_inscription.pk])
        self.assert_matrix(
            url,
            {
                "autre": 200,
                "candidat": 404,
                "referent": 403,
                "jury": 403,
                "president": 403,
                "admin": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"autre": 405}, method="put")

    def test_create_on_someone_elses_enrolment_404(self) -> None:
        self.client.force_login(self.candidat)
        url = reverse("handicap:demande_create", args=[self.autre_inscription.pk])
        response = self.client.post(
            url, {"besoins": "x", "consentement": "on"}, follow=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            DemandeAmenagement.objects.filter(
                inscription=self.autre_inscription
            ).exists()
        )

    def test_create_happy_path(self) -> None:
        self.client.force_login(self.autre)
        url = reverse("handicap:demande_create", args=[self.autre_inscription.pk])
        response = self.client.get(url)
        self.assertContains(response, "J&#x27;accepte que les informations")
        modalite = response.context["form"].fields["modalites"].queryset.first()
        response = self.client.post(
            url,
            {
                "besoins": "Dyslexie.",
                "modalites": [modalite.pk],
                "consentement": "on",
                "pieces": [pdf_upload("a.pdf"), pdf_upload("b.pdf")],
            },
        )
        demande = DemandeAmenagement.objects.get(inscription=self.autre_inscription)
        self.assertRedirects(response, demande.get_absolute_url())
        self.assertEqual(demande.besoins, "Dyslexie.")
        self.assertEqual(list(demande.modalites.all()), [modalite])
        self.assertEqual(
            sorted(demande.pieces.values_list("nom_original", flat=True)),
            ["a.pdf", "b.pdf"],
        )
        # An existing request: the form redirects to it.
        self.assertRedirects(self.client.get(url), demande.get_absolute_url())

    def test_create_bad_inputs(self) -> None:
        self.client.force_login(self.autre)
        url = reverse("handicap:demande_create", args=[self.autre_inscription.pk])
        cases = [
            ({"besoins": "Dyslexie."}, "Votre consentement au traitement"),
            ({"besoins": "  ", "consentement": "on"}, "Décrivez vos besoins."),
            (
                {
                    "besoins": "Dyslexie.",
                    "consentement": "on",
                    "pieces": [pdf_upload("note.txt")],
                },
                "Format non accepté (« note.txt ») : déposez un fichier PDF, JPEG, PNG.",
            ),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(
            DemandeAmenagement.objects.filter(
                inscription=self.autre_inscription
            ).exists()
        )

    def test_create_after_deliberation_refused(self) -> None:
        Deliberation.objects.create(
            inscription=self.autre_inscription,
            decision=Deliberation.Decision.NON_VALIDE,
            motif="Vote.",
            decidee_le=self.demande.deposee_le,
            decidee_par=self.president,
        )
        self.client.force_login(self.autre)
        url = reverse("handicap:demande_create", args=[self.autre_inscription.pk])
        response = self.client.post(url, {"besoins": "x", "consentement": "on"})
        self.assertContains(response, "délibérée ou close")
        self.assertFalse(
            DemandeAmenagement.objects.filter(
                inscription=self.autre_inscription
            ).exists()
        )


class ConfidentialReadTests(ViewTestCase):
    def test_detail_matrix_and_access_log(self) -> None:
        url = self.demande.get_absolute_url()
        for name, code, logged in [
            ("candidat", 200, 1),
            ("referent", 200, 1),
            ("autre", 404, 0),
            ("hugo", 404, 0),
            ("jury", 403, 0),
            ("president", 403, 0),
            ("admin", 403, 0),
        ]:
            with self.subTest(user=name):
                before = AccesConfidentiel.objects.count()
                self.assertEqual(self.status(getattr(self, name), url), code)
                self.assertEqual(AccesConfidentiel.objects.count(), before + logged)
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"referent": 405}, method="post")
        self.assertEqual(
            list(
                AccesConfidentiel.objects.order_by("pk").values_list(
                    "utilisateur__email", "objet", "action", "demande_id", "piece_id"
                )
            ),
            [
                (
                    "candidat@example.org",
                    "besoins",
                    "consultation",
                    self.demande.pk,
                    None,
                ),
                (
                    "referent@example.org",
                    "besoins",
                    "consultation",
                    self.demande.pk,
                    None,
                ),
            ],
        )

    def test_detail_shows_needs_and_documents(self) -> None:
        self.client.force_login(self.referent)
        response = self.client.get(self.demande.get_absolute_url())
        self.assertContains(response, "fatigue importante après trente minutes")
        self.assertContains(
            response,
            reverse("handicap:piece_download", args=[self.demande.pk, self.piece.pk]),
        )
        self.assertContains(response, "Mettre en instruction")
        self.assertContains(response, "Enregistrer la décision")
        self.client.force_login(self.candidat)
        response = self.client.get(self.demande.get_absolute_url())
        self.assertContains(response, "fatigue importante après trente minutes")
        self.assertNotContains(response, "Mettre en instruction")
        self.assertNotContains(response, "Enregistrer la décision")

    def test_referent_sees_the_frame_of_possible_accommodations(self) -> None:
        modalite = Modalite.objects.filter(
            competence__activite__bloc__inscriptions=self.demande.inscription_id
        ).earliest("pk")
        self.demande.modalites.add(modalite)
        Modalite.objects.filter(pk=modalite.pk).update(
            cadre_amenagements="Durée allongée ; mise en situation simulée admise."
        )
        self.client.force_login(self.referent)
        response = self.client.get(self.demande.get_absolute_url())
        self.assertContains(
            response,
            "Cadre des aménagements possibles : Durée allongée ; mise en situation "
            "simulée admise.",
        )

    def test_piece_matrix_and_access_log(self) -> None:
        url = reverse("handicap:piece_download", args=[self.demande.pk, self.piece.pk])
        for name, code, logged in [
            ("candidat", 200, 1),
            ("referent", 200, 1),
            ("autre", 404, 0),
            ("jury", 403, 0),
            ("president", 403, 0),
            ("admin", 403, 0),
        ]:
            with self.subTest(user=name):
                before = AccesConfidentiel.objects.count()
                client = Client()
                client.force_login(getattr(self, name))
                response = client.get(url)
                self.assertEqual(response.status_code, code)
                if code == 200:
                    self.assertEqual(
                        b"".join(response.streaming_content), pdf_upload().read()
                    )
                    self.assertEqual(response["Content-Type"], "application/pdf")
                    self.assertEqual(
                        response["Content-Disposition"],
                        'attachment; filename="piece-0.pdf"',
                    )
                self.assertEqual(AccesConfidentiel.objects.count(), before + logged)
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"referent": 405}, method="post")
        last = AccesConfidentiel.objects.latest("pk")
        self.assertEqual(
            (last.utilisateur, last.objet, last.action, last.piece_id),
            (self.referent, "piece", "telechargement", self.piece.pk),
        )

    def test_piece_of_another_request_404(self) -> None:
        url = reverse("handicap:piece_download", args=[self.decidee.pk, self.piece.pk])
        self.assertEqual(self.status(self.referent, url), 404)
        self.assertEqual(AccesConfidentiel.objects.count(), 0)

    def test_courrier_matrix(self) -> None:
        url = reverse("handicap:courrier_download", args=[self.decidee.pk])
        self.assert_matrix(
            url,
            {
                "hugo": 200,
                "referent": 200,
                "candidat": 404,
                "jury": 403,
                "president": 403,
                "admin": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"hugo": 405}, method="post")
        # Not decided yet: no letter.
        url = reverse("handicap:courrier_download", args=[self.demande.pk])
        self.assertEqual(self.status(self.candidat, url), 404)
        self.assertEqual(AccesConfidentiel.objects.count(), 0)

    def test_candidate_reads_the_decision(self) -> None:
        self.client.force_login(self.hugo)
        response = self.client.get(self.decidee.get_absolute_url())
        self.assertContains(response, "Tiers-temps pour chaque épreuve orale.")
        self.assertContains(response, AVIS)
        self.assertContains(response, "À décider par le jury")
        self.assertContains(
            response, reverse("handicap:courrier_download", args=[self.decidee.pk])
        )


class ReferentTests(ViewTestCase):
    def test_bureau_matrix(self) -> None:
        url = reverse("handicap:bureau")
        self.assert_matrix(
            url,
            {
                "referent": 200,
                "admin": 200,
                "candidat": 403,
                "jury": 403,
                "president": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"referent": 405}, method="post")
        self.assertEqual(AccesConfidentiel.objects.count(), 0)

    def test_bureau_by_status_without_content(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get(reverse("handicap:bureau"))
        self.assertEqual(
            [d.pk for d in response.context["page"].object_list],
            [self.decidee.pk, self.demande.pk],
        )
        self.assertNotContains(response, "Sclérose")
        self.assertNotContains(response, self.demande.get_absolute_url())
        self.assertContains(response, "Marie DUPONT")
        response = self.client.get(reverse("handicap:bureau") + "?statut=decidee")
        self.assertEqual(
            [d.pk for d in response.context["page"].object_list], [self.decidee.pk]
        )
        self.client.force_login(self.referent)
        response = self.client.get(reverse("handicap:bureau") + "?statut=deposee")
        self.assertEqual(
            [d.pk for d in response.context["page"].object_list], [self.demande.pk]
        )
        self.assertContains(response, self.demande.get_absolute_url(), count=1)

    def test_bureau_query_count(self) -> None:
        self.client.force_login(self.referent)
        url = reverse("handicap:bureau")
        with self.assertNumQueries(6):
            self.client.get(url)
        for i in range(3):
            cand = make_candidat(f"c{i}@example.org", nom=f"Nom{i}")
            make_demande(make_inscription(cand, self.session), pieces=2)
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 5)

    def test_bureau_paginated(self) -> None:
        for i in range(24):
            cand = make_candidat(f"p{i}@example.org", nom=f"Page{i}")
            make_demande(make_inscription(cand, self.session), pieces=0)
        self.client.force_login(self.referent)
        response = self.client.get(reverse("handicap:bureau") + "?page=2")
        self.assertEqual(response.context["page"].number, 2)
        self.assertEqual(len(response.context["page"].object_list), 1)

    def test_instruire_matrix(self) -> None:
        url = reverse("handicap:demande_instruire", args=[self.demande.pk])
        self.assert_matrix(
            url,
            {
                "candidat": 403,
                "autre": 404,
                "jury": 403,
                "president": 403,
                "admin": 403,
            },
            method="post",
        )
        self.assert_anonymous_redirected(url, method="post")
        self.assert_matrix(url, {"referent": 405}, method="get")
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "deposee")
        self.client.force_login(self.referent)
        response = self.client.post(url)
        self.assertRedirects(
            response, self.demande.get_absolute_url(), fetch_redirect_response=False
        )
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "en_instruction")
        self.assertEqual(self.demande.instruite_par, self.referent)

    def decision_data(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "avis-avis": "Avis du référent.",
            "amenagements-TOTAL_FORMS": "2",
            "amenagements-INITIAL_FORMS": "0",
            "amenagements-0-type": "temps_majore",
            "amenagements-0-description": "Tiers-temps.",
            "amenagements-1-type": "",
            "propositions-TOTAL_FORMS": "2",
            "propositions-INITIAL_FORMS": "0",
            "propositions-0-critere": str(self.criteres[1].pk),
            "propositions-0-motif": "Motif de la dispense.",
        }
        data.update(overrides)
        return data

    def test_decider_matrix(self) -> None:
        url = reverse("handicap:demande_decider", args=[self.demande.pk])
        for name, code in [
            ("candidat", 403),
            ("autre", 404),
            ("jury", 403),
            ("president", 403),
            ("admin", 403),
        ]:
            with self.subTest(user=name):
                client = Client()
                client.force_login(getattr(self, name))
                self.assertEqual(
                    client.post(url, self.decision_data()).status_code, code
                )
        self.assert_anonymous_redirected(url, method="post")
        self.assert_matrix(url, {"referent": 405}, method="get")
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "deposee")

    def test_decider_happy_path(self) -> None:
        self.client.force_login(self.referent)
        url = reverse("handicap:demande_decider", args=[self.demande.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, self.decision_data())
        self.assertRedirects(
            response, self.demande.get_absolute_url(), fetch_redirect_response=False
        )
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "decidee")
        self.assertEqual(
            list(self.demande.amenagements.values_list("type", "description")),
            [("temps_majore", "Tiers-temps.")],
        )
        self.assertEqual(self.demande.avis.texte, "Avis du référent.")
        self.assertEqual(
            list(self.demande.avis.propositions.values_list("critere_id", "motif")),
            [(self.criteres[1].pk, "Motif de la dispense.")],
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["candidat@example.org"])

    def test_decider_bad_inputs(self) -> None:
        self.client.force_login(self.referent)
        url = reverse("handicap:demande_decider", args=[self.demande.pk])
        cases = [
            ({"avis-avis": ""}, "Rédigez l&#x27;avis motivé."),
            ({"propositions-0-motif": ""}, "Indiquez le motif de la dispense proposée"),
            (
                {"amenagements-0-type": "format_adapte"},
                "Un format adapté précise la modalité",
            ),
            (
                {"amenagements-1-description": "Sans type."},
                "Choisissez le type de cet aménagement.",
            ),
            ({"propositions-0-critere": "999999"}, "Sélectionnez un choix valide"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                before = AccesConfidentiel.objects.count()
                response = self.client.post(url, self.decision_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                # The page shows the needs again: one more logged read.
                self.assertEqual(AccesConfidentiel.objects.count(), before + 1)
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "deposee")
        self.assertFalse(hasattr(self.demande, "avis"))
        self.assertEqual(len(mail.outbox), 0)

    def test_decider_with_a_majoration(self) -> None:
        """The référent sets the amount of a « temps majoré »: stored, printed on
        the decision letter and shown on the request's page."""
        self.client.force_login(self.referent)
        url = reverse("handicap:demande_decider", args=[self.demande.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url, self.decision_data(**{"amenagements-0-majoration_pourcent": "50"})
            )
        self.assertRedirects(
            response, self.demande.get_absolute_url(), fetch_redirect_response=False
        )
        self.demande.refresh_from_db()
        self.assertEqual(
            list(self.demande.amenagements.values_list("type", "majoration_pourcent")),
            [("temps_majore", 50)],
        )
        page = self.client.get(self.demande.get_absolute_url())
        self.assertContains(
            page,
            '<span class="fw-semibold">Temps majoré</span> — '
            "<strong>+ 50 % du temps prévu</strong>",
        )
        with self.demande.courrier.open("rb") as handle:
            text = pdf_text(handle.read())
        self.assertIn("Temps supplémentaire : + 50 % du temps prévu", text)

    def test_decider_majoration_refused(self) -> None:
        self.client.force_login(self.referent)
        url = reverse("handicap:demande_decider", args=[self.demande.pk])
        cases = [
            (
                {"amenagements-0-majoration_pourcent": "0"},
                "Assurez-vous que cette valeur est supérieure ou égale à 1.",
            ),
            (
                {"amenagements-0-majoration_pourcent": "101"},
                "Assurez-vous que cette valeur est inférieure ou égale à 100.",
            ),
            (
                {"amenagements-0-majoration_pourcent": "cinquante"},
                "Saisissez un nombre entier.",
            ),
            (
                {
                    "amenagements-0-type": "assistance_tiers",
                    "amenagements-0-precision": "Lecteur",
                    "amenagements-0-majoration_pourcent": "50",
                },
                "Une majoration du temps ne se donne qu&#x27;à un aménagement "
                "« Temps majoré ».",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(url, self.decision_data(**overrides))
                self.assertContains(response, message)
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, "deposee")
        self.assertEqual(Amenagement.objects.filter(demande=self.demande).count(), 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_journal_matrix(self) -> None:
        url = reverse("handicap:journal")
        self.assert_matrix(
            url,
            {
                "referent": 200,
                "admin": 200,
                "candidat": 403,
                "jury": 403,
                "president": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"admin": 405}, method="post")

    def test_journal_without_content_and_query_count(self) -> None:
        self.client.force_login(self.referent)
        self.client.get(self.demande.get_absolute_url())
        self.client.force_login(self.admin)
        url = reverse("handicap:journal")
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 1)
        self.assertContains(response, "referent@example.org")
        self.assertContains(response, "Consultation")
        self.assertNotContains(response, "Sclérose")
        self.client.force_login(self.referent)
        for _ in range(3):
            self.client.get(self.decidee.get_absolute_url())
        self.client.force_login(self.admin)
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 4)


class PresidentTests(ViewTestCase):
    def dispense_url(self) -> str:
        return reverse("evaluations:dispense_decider", args=[self.proposition.pk])

    def dispense_data(self, **overrides: str | None) -> dict[str, str | list[str]]:
        prefix = f"p{self.proposition.pk}"
        data: dict[str, str | list[str]] = {
            f"{prefix}-decision": "accorder",
            f"{prefix}-condition_capacite_globale": "on",
            f"{prefix}-condition_pratique_future": "on",
            f"{prefix}-raisonnement": "Raisonnement du jury.",
            f"{prefix}-presents": [
                str(m.pk)
                for m in presents_possibles(
                    inscription=self.proposition.avis.demande.inscription
                )
            ],
        }
        for key, value in overrides.items():
            if value is None:
                data.pop(f"{prefix}-{key}")
            else:
                data[f"{prefix}-{key}"] = value
        return data

    def test_list_matrix(self) -> None:
        url = reverse("evaluations:dispenses")
        self.assert_matrix(
            url,
            {
                "president": 200,
                "autre_president": 200,
                "jury": 403,
                "candidat": 403,
                "referent": 403,
                "admin": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"president": 405}, method="post")

    def test_list_content_and_query_count(self) -> None:
        self.client.force_login(self.autre_president)
        response = self.client.get(reverse("evaluations:dispenses"))
        self.assertEqual(list(response.context["page"].object_list), [])
        self.client.force_login(self.president)
        url = reverse("evaluations:dispenses")
        with self.assertNumQueries(5):
            response = self.client.get(url)
        rows = [
            (i.pk, i.nb_propositions, i.nb_a_decider)
            for i in response.context["page"].object_list
        ]
        self.assertEqual(rows, [(self.inscription_hugo.pk, 1, 1)])
        for i in range(3):
            cand = make_candidat(f"d{i}@example.org", nom=f"Disp{i}")
            make_decision(
                make_demande(make_inscription(cand, self.session)),
                self.referent,
                propositions=self.criteres[:2],
            )
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(
            [(i.nb_propositions, i.nb_a_decider) for i in response.context["page"]],
            [(2, 2), (2, 2), (2, 2), (1, 1)],  # by name: Disp0…2, Leroy
        )

    def test_inscription_page_matrix(self) -> None:
        url = reverse(
            "evaluations:dispenses_inscription", args=[self.inscription_hugo.pk]
        )
        self.assert_matrix(
            url,
            {
                "president": 200,
                "autre_president": 404,
                "jury": 403,
                "hugo": 403,
                "referent": 403,
                "admin": 403,
            },
        )
        self.assert_anonymous_redirected(url)
        self.assert_matrix(url, {"president": 405}, method="post")
        # An enrolment without an avis motivé: nothing to decide.
        url = reverse("evaluations:dispenses_inscription", args=[self.inscription.pk])
        self.assertEqual(self.status(self.president, url), 404)

    def test_inscription_page_shows_no_medical_details(self) -> None:
        self.client.force_login(self.president)
        url = reverse(
            "evaluations:dispenses_inscription", args=[self.inscription_hugo.pk]
        )
        response = self.client.get(url)
        self.assertContains(response, "Tiers-temps pour chaque épreuve orale.")
        self.assertContains(response, AVIS)
        self.assertContains(response, "ne remet pas en question sa capacité")
        self.assertContains(response, "pratique professionnelle future du candidat")
        self.assertNotContains(response, "Bégaiement")
        self.assertNotContains(response, "piece-0.pdf")
        self.assertNotContains(response, "/pieces/")
        self.assertEqual(AccesConfidentiel.objects.count(), 0)

    def test_decide_matrix(self) -> None:
        url = self.dispense_url()
        for name, code in [
            ("autre_president", 404),
            ("jury", 403),
            ("hugo", 403),
            ("referent", 403),
            ("admin", 403),
        ]:
            with self.subTest(user=name):
                client = Client()
                client.force_login(getattr(self, name))
                self.assertEqual(
                    client.post(url, self.dispense_data()).status_code, code
                )
        self.assert_anonymous_redirected(url, method="post")
        self.assert_matrix(url, {"president": 405}, method="get")
        self.assertEqual(Dispense.objects.count(), 0)

    def test_grant(self) -> None:
        self.client.force_login(self.president)
        response = self.client.post(self.dispense_url(), self.dispense_data())
        self.assertRedirects(
            response,
            reverse(
                "evaluations:dispenses_inscription", args=[self.inscription_hugo.pk]
            ),
        )
        dispense = Dispense.objects.get()
        self.assertEqual(
            (
                dispense.inscription,
                dispense.critere,
                dispense.accordee,
                dispense.raisonnement,
                dispense.decide_par,
            ),
            (
                self.inscription_hugo,
                self.criteres[0],
                True,
                "Raisonnement du jury.",
                self.president,
            ),
        )
        response = self.client.get(response.url)
        self.assertContains(response, "Dispense accordée")

    def test_grant_refused_without_both_conditions(self) -> None:
        self.client.force_login(self.president)
        cases: list[tuple[dict[str, str | None], str]] = [
            ({"condition_capacite_globale": None}, "capacité professionnelle globale"),
            ({"condition_pratique_future": None}, "pratique professionnelle future"),
            ({"raisonnement": ""}, "rédigez le raisonnement du jury"),
            ({"decision": None}, "Choisissez d&#x27;accorder ou de refuser."),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(
                    self.dispense_url(), self.dispense_data(**overrides)
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_refuse(self) -> None:
        self.client.force_login(self.president)
        response = self.client.post(
            self.dispense_url(),
            self.dispense_data(
                decision="refuser",
                condition_capacite_globale=None,
                condition_pratique_future=None,
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.assertIs(Dispense.objects.get().accordee, False)

    def test_after_lock_refused(self) -> None:
        Deliberation.objects.create(
            inscription=self.inscription_hugo,
            decision=Deliberation.Decision.NON_VALIDE,
            motif="Vote.",
            decidee_le=self.decidee.decidee_le,
            decidee_par=self.president,
        )
        self.client.force_login(self.president)
        response = self.client.post(self.dispense_url(), self.dispense_data())
        self.assertContains(
            response,
            "La délibération de ce candidat est votée et verrouillée",
            status_code=409,
        )
        self.assertEqual(Dispense.objects.count(), 0)
        self.assertEqual(
            list(EcritureRefusee.objects.values_list("inscription", "action", "par")),
            [(self.inscription_hugo.pk, "dispense_decider", self.president.pk)],
        )


class HomeAndNavTests(ViewTestCase):
    def titles(self, user: User) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(reverse("home"))
        return [a.title for a in response.context["actions"]]

    def test_home_actions(self) -> None:
        self.assertIn("Demande d'aménagement", self.titles(self.candidat))
        self.assertIn("Demandes d'aménagement", self.titles(self.referent))
        self.assertIn("Dispenses à décider", self.titles(self.president))
        self.assertNotIn("Dispenses à décider", self.titles(self.autre_president))
        self.assertIn("Journal des accès confidentiels", self.titles(self.admin))
        self.assertNotIn("Demande d'aménagement", self.titles(self.jury))

    def test_no_pending_exemption_no_action(self) -> None:
        self.client.force_login(self.president)
        self.client.post(
            reverse("evaluations:dispense_decider", args=[self.proposition.pk]),
            {
                f"p{self.proposition.pk}-decision": "refuser",
                f"p{self.proposition.pk}-presents": [
                    m.pk for m in presents_possibles(inscription=self.inscription_hugo)
                ],
            },
        )
        self.assertEqual(Dispense.objects.count(), 1)
        self.assertNotIn("Dispenses à décider", self.titles(self.president))


class StoredFilesTests(ViewTestCase):
    def test_documents_stored_under_random_names(self) -> None:
        piece = PieceJustificative.objects.get(pk=self.piece.pk)
        name = piece.fichier.name
        assert name is not None
        self.assertNotIn("piece-0", name)
        self.assertNotIn(BESOINS[:10], name)


class MoreTests(ViewTestCase):
    def test_user_without_role_forbidden(self) -> None:
        sans_role = make_user("personne@example.org")
        for url in (
            self.demande.get_absolute_url(),
            reverse("handicap:piece_download", args=[self.demande.pk, self.piece.pk]),
            reverse("handicap:bureau"),
            reverse("handicap:journal"),
            reverse("handicap:mes_demandes"),
            reverse("evaluations:dispenses"),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.status(sans_role, url), 403)
        self.assertEqual(AccesConfidentiel.objects.count(), 0)

    def test_jury_partial_shows_accommodations_not_needs(self) -> None:
        html = render_to_string(
            "handicap/_amenagements_jury.html",
            {
                "amenagements": amenagements_for_jury(
                    inscription_id=self.inscription_hugo.pk
                )
            },
        )
        self.assertIn("Tiers-temps pour chaque épreuve orale.", html)
        self.assertIn("Secrétaire", html)
        self.assertIn(AVIS, html)
        self.assertIn("À décider par le jury", html)
        self.assertNotIn("Bégaiement", html)
        empty = render_to_string(
            "handicap/_amenagements_jury.html",
            {"amenagements": amenagements_for_jury(inscription_id=self.inscription.pk)},
        )
        self.assertEqual(empty.strip(), "")

    def test_president_page_query_count(self) -> None:
        self.client.force_login(self.president)
        url = reverse(
            "evaluations:dispenses_inscription", args=[self.inscription_hugo.pk]
        )
        with self.assertNumQueries(13):
            self.client.get(url)
        cand = make_candidat("q@example.org", nom="Quatre")
        inscription = make_inscription(cand, self.session)
        make_decision(
            make_demande(inscription), self.referent, propositions=self.criteres
        )
        dispense_decider(
            inscription=inscription,
            critere=self.criteres[0],
            accorder=True,
            condition_capacite_globale=True,
            condition_pratique_future=True,
            raisonnement="R.",
            presents=presents_possibles(inscription=inscription),
            by=self.president,
        )
        url = reverse("evaluations:dispenses_inscription", args=[inscription.pk])
        with self.assertNumQueries(13):
            response = self.client.get(url)
        self.assertEqual(len(response.context["lignes"]), len(self.criteres))


class PiecesAjouterTests(ViewTestCase):
    def post(
        self, user: User, demande: DemandeAmenagement, files: Sequence[object]
    ) -> "TestResponse":
        client = Client()
        client.force_login(user)
        return client.post(
            reverse("handicap:pieces_ajouter", args=[demande.pk]), {"pieces": files}
        )

    def test_matrix(self) -> None:
        for name, code in [
            ("referent", 403),
            ("autre", 404),
            ("jury", 403),
            ("president", 403),
            ("admin", 403),
        ]:
            with self.subTest(user=name):
                response = self.post(getattr(self, name), self.demande, [pdf_upload()])
                self.assertEqual(response.status_code, code)
        url = reverse("handicap:pieces_ajouter", args=[self.demande.pk])
        self.assert_anonymous_redirected(url, method="post")
        self.assert_matrix(url, {"candidat": 405}, method="get")
        self.assertEqual(self.demande.pieces.count(), 1)

    def test_candidate_adds_documents(self) -> None:
        response = self.post(
            self.candidat, self.demande, [pdf_upload("b.pdf"), pdf_upload("c.pdf")]
        )
        self.assertRedirects(
            response, self.demande.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            list(
                self.demande.pieces.order_by("pk").values_list(
                    "nom_original", flat=True
                )
            ),
            ["piece-0.pdf", "b.pdf", "c.pdf"],
        )

    def test_bad_inputs(self) -> None:
        cases = [
            ([pdf_upload("b.pdf"), pdf_upload("note.txt")], "« note.txt »"),
            ([], "Choisissez au moins un fichier."),
        ]
        for files, message in cases:
            with self.subTest(message=message):
                response = self.post(self.candidat, self.demande, files)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertEqual(self.demande.pieces.count(), 1)
        client = Client()
        client.force_login(self.hugo)
        response = client.post(
            reverse("handicap:pieces_ajouter", args=[self.decidee.pk]),
            {"pieces": [pdf_upload()]},
            follow=True,
        )
        self.assertRedirects(response, self.decidee.get_absolute_url())
        self.assertContains(response, "La demande est décidée")
        self.assertEqual(self.decidee.pieces.count(), 1)

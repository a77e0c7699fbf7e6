"""The result pages (the candidate's, « Mes résultats ») and the administrator's
publication (desk panel, schedule, cancel, resume, progress page): permitted
user, outsider 404, wrong role 403, wrong method 405; nothing shown before the
publication; a fixed number of queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import TestCase

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.documents.services import document_revoke
from evaluations.documents.tasks import emission_launch
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.tasks import publication_launch
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Certification
from tests.clock import NOW, frozen
from tests.evaluations.factories_documents import (
    make_consolidations,
    make_deliberation,
    make_membre,
    make_scenario,
)
from tests.evaluations.resultats.factories import PublicationTestCase, publish_now
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

PARIS = ZoneInfo("Europe/Paris")
LATER = datetime(2026, 3, 20, 9, 0, tzinfo=PARIS)


@frozen()
class ResultPageTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.hugo = cls.sc.partiel.candidat.user
        cls.marie = cls.sc.certifie.candidat.user
        cls.url = f"/resultats/{cls.sc.partiel.pk}/"
        cls.referent = make_user("ref@test.fr", Role.REFERENT_HANDICAP)
        Certification.objects.filter(pk=cls.sc.referentiel.certification_id).update(
            duree_validite_blocs_mois=60
        )

    def test_before_publication_the_page_shows_nothing(self) -> None:
        emission_launch(session=self.sc.session, by=self.sc.admin)
        self.client.force_login(self.hugo)
        response = self.client.get(self.url)
        self.assertContains(
            response,
            "Les résultats de cette session ne sont pas encore publiés. Vous recevrez "
            "un courriel à leur publication.",
        )
        for secret in (
            "Validation partielle",
            "Le critère C2.1.1",
            "Validé",
            "acquise",
            "Voie de recours",
            "Relevé",
        ):
            self.assertNotContains(response, secret)
        # Nor « Mes documents » nor the download of a document issued already.
        releve = Document.objects.get(inscription=self.sc.partiel, nature="releve")
        self.assertEqual(
            self.client.get(f"/documents/{releve.pk}/telecharger/").status_code, 404
        )
        self.assertNotContains(self.client.get("/documents/"), "Relevé")
        self.assertEqual(mail.outbox, [])

    def test_scheduled_publication_is_announced(self) -> None:
        publication_launch(session=self.sc.session, prevue_le=LATER, by=self.sc.admin)
        self.client.force_login(self.hugo)
        response = self.client.get(self.url)
        self.assertContains(
            response,
            "Les résultats de cette session seront publiés le vendredi 20 mars 2026 "
            "à 09:00 (heure de Paris).",
        )
        self.assertNotContains(response, "Validation partielle")

    def test_published_result(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        self.client.force_login(self.hugo)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        r = response.context["r"]
        self.assertEqual(
            (
                r.publie,
                r.situation,
                r.releve.decision,
                r.date_limite_recours.isoformat(),
                [b.code for b in r.blocs_acquis],
                r.codes_manquants,
                sorted(d.nature for d in r.documents),
            ),
            (
                True,
                "deliberee",
                "validation_partielle",
                "2026-05-18",
                ["B1"],
                "B2",
                ["attestation", "lettre", "releve"],
            ),
        )
        for expected in (
            "Validation partielle",
            "Le jury a validé 1 bloc de compétences de la certification "
            "« Petite certification » : B1.",
            "Le critère C2.1.1 n&#x27;est pas acquis.",
            "C1.1 Compétence 1",
            "Un bloc acquis reste valable 60 mois à compter de la décision du jury "
            "qui l'a validé.",
            "Les blocs validés par cette décision le restent jusqu'au 18 mars 2031.",
            "présentez le bloc qui vous manque (B2)",
            "Vous pouvez contester la décision du jury jusqu'au 18 mai 2026 inclus.",
            "Le délai de recours est de 2 mois à compter de la publication des "
            "résultats, le 18 mars 2026.",
            "Recours écrit auprès du certificateur",
            "Lettre de résultat (PDF)",
        ):
            self.assertContains(response, expected)
        lettre = Document.objects.get(inscription=self.sc.partiel, nature="lettre")
        self.assertContains(response, f'href="/documents/{lettre.pk}/telecharger/"')

    def test_withdrawn_candidate(self) -> None:
        candidat = make_candidat("sam@test.fr", nom="Roux", prenom="Sam")
        inscription = make_inscription(candidat, self.sc.session)
        Inscription.objects.filter(pk=inscription.pk).update(
            desiste_le=NOW.date(), desistement_motif="Raisons personnelles."
        )
        self.publish(self.sc.session, by=self.sc.admin)
        self.client.force_login(candidat.user)
        response = self.client.get(f"/resultats/{inscription.pk}/")
        self.assertContains(
            response,
            "Votre désistement de cette session a été enregistré le 18 mars 2026",
        )
        self.assertContains(response, "Motif : Raisons personnelles.")
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["hugo@test.fr", "lea@test.fr", "marie@test.fr", "zoe@test.fr"],
        )

    def test_a_reopened_deliberation_shows_a_reexamination(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        Deliberation.objects.filter(inscription=self.sc.partiel).update(
            verrouillee=False
        )
        self.client.force_login(self.hugo)
        response = self.client.get(self.url)
        self.assertContains(response, "en cours de réexamen")
        self.assertNotContains(response, "Validation partielle")

    def test_permissions(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        cases = [
            (self.hugo, "get", 200),
            (self.sc.admin, "get", 200),
            (self.marie, "get", 404),  # another candidate
            (self.sc.president.user, "get", 403),
            (self.sc.membre.user, "get", 403),
            (self.referent, "get", 403),
            (self.hugo, "post", 405),
        ]
        for user, method, status in cases:
            with self.subTest(user=user.email, method=method):
                self.client.force_login(user)
                self.assertEqual(
                    getattr(self.client, method)(self.url).status_code, status
                )
        self.client.logout()
        self.assertRedirects(
            self.client.get(self.url),
            f"/connexion/?next={self.url}",
            fetch_redirect_response=False,
        )
        self.client.force_login(self.hugo)
        self.assertEqual(self.client.get("/resultats/999999/").status_code, 404)


@frozen()
class MesResultatsTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.hugo = cls.sc.partiel.candidat.user

    def test_list_and_home(self) -> None:
        self.client.force_login(self.hugo)
        response = self.client.get("/resultats/")
        self.assertContains(response, "Résultats pas encore publiés")
        self.publish(self.sc.session, by=self.sc.admin)
        response = self.client.get("/resultats/")
        self.assertContains(response, "Résultats publiés le 18/03/2026")
        self.assertContains(response, f'href="/resultats/{self.sc.partiel.pk}/"')
        home = self.client.get("/")
        self.assertContains(home, 'href="/resultats/"')
        self.assertContains(home, "Mes résultats")

    def test_mon_dossier_does_not_tell_the_decision(self) -> None:
        self.client.force_login(self.hugo)
        response = self.client.get("/candidat/")
        self.assertContains(response, "Évaluation terminée")
        self.assertNotContains(response, "Délibérée")
        self.assertContains(response, f'href="/resultats/{self.sc.partiel.pk}/"')
        dossier = self.client.get(f"/candidat/inscriptions/{self.sc.partiel.pk}/")
        self.assertContains(
            dossier,
            "Les dépôts sont fermés : la session est au statut « Évaluation "
            "terminée ».",
        )
        self.assertNotContains(dossier, "Délibérée")

    def test_permissions(self) -> None:
        for user, method, status in [
            (self.hugo, "get", 200),
            (self.hugo, "post", 405),
            (self.sc.admin, "get", 403),
            (self.sc.president.user, "get", 403),
        ]:
            with self.subTest(user=user.email, method=method):
                self.client.force_login(user)
                self.assertEqual(
                    getattr(self.client, method)("/resultats/").status_code, status
                )


@frozen()
class PublicationViewsTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.desk = f"/sessions/{cls.sc.session.pk}/"
        cls.base = f"/sessions/{cls.sc.session.pk}/resultats/"

    def test_desk_panel_and_schedule(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.desk)
        self.assertContains(response, "Publication des résultats")
        self.assertContains(response, f'action="{self.base}programmer/"')
        response = self.client.post(
            self.base + "programmer/",
            {"quand": "programmer", "prevue_le": "2026-03-20T09:00"},
        )
        self.assertRedirects(response, self.desk, fetch_redirect_response=False)
        publication = PublicationResultats.objects.get()
        self.assertEqual(
            (publication.statut, publication.prevue_le, publication.programmee_par),
            ("programmee", LATER, self.sc.admin),
        )
        response = self.client.get(self.desk)
        self.assertContains(
            response,
            "Publication des résultats programmée le 20 mars 2026 à 09:00 (heure de "
            "Paris).",
        )
        self.assertContains(
            response,
            "Programmée le vendredi 20 mars 2026 à 09:00 (heure de Paris), par "
            "Prénom Nom.",
        )
        response = self.client.post(self.base + "annuler/")
        self.assertRedirects(response, self.desk, fetch_redirect_response=False)
        self.assertEqual(PublicationResultats.objects.get().statut, "annulee")

    def test_past_moment_and_missing_moment_are_refused(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(
            self.base + "programmer/",
            {"quand": "programmer", "prevue_le": "2026-03-18T10:00"},
            follow=True,
        )
        self.assertContains(
            response,
            "Choisissez une date et une heure à venir (heure de Paris), ou publiez "
            "maintenant.",
        )
        response = self.client.post(
            self.base + "programmer/", {"quand": "programmer"}, follow=True
        )
        self.assertContains(
            response,
            "Indiquez la date et l&#x27;heure de publication, ou publiez maintenant.",
        )
        self.assertFalse(PublicationResultats.objects.exists())

    def test_publish_now_shows_the_progress_and_history(self) -> None:
        self.client.force_login(self.sc.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.base + "programmer/", {"quand": "maintenant"}
            )
        self.assertRedirects(response, self.base, fetch_redirect_response=False)
        response = self.client.get(self.base)
        self.assertContains(response, "4 / 4 candidats traités")
        self.assertContains(response, "la plateforme")
        self.assertEqual(len(response.context["historique"]), 3)
        fragment = self.client.get(self.base, headers={"HX-Request": "true"})
        self.assertContains(fragment, 'id="progression-publication"')
        self.assertNotContains(fragment, "<html")
        self.assertEqual(len(mail.outbox), 4)
        desk = self.client.get(self.desk)
        self.assertContains(desk, "Suivre la publication et son historique")

    def test_panel_is_absent_before_the_deliberation(self) -> None:
        Session.objects.filter(pk=self.sc.session.pk).update(statut="en_evaluation")
        self.client.force_login(self.sc.admin)
        self.assertNotContains(self.client.get(self.desk), "Publication des résultats")

    def test_permissions(self) -> None:
        candidat = self.sc.certifie.candidat.user
        president = self.sc.president.user
        for url, method, expected in [
            (self.base, "get", {"admin": 200, "cand": 403, "pres": 403}),
            (self.base, "post", {"admin": 405}),
            (self.base + "programmer/", "get", {"admin": 405}),
            (self.base + "programmer/", "post", {"cand": 403, "pres": 403}),
            (self.base + "annuler/", "get", {"admin": 405}),
            (self.base + "annuler/", "post", {"cand": 403, "pres": 403}),
            (self.base + "reprendre/", "get", {"admin": 405}),
            (self.base + "reprendre/", "post", {"cand": 403, "pres": 403}),
            ("/sessions/999999/resultats/", "get", {"admin": 404}),
            ("/sessions/999999/resultats/programmer/", "post", {"admin": 404}),
        ]:
            for persona, status in expected.items():
                user = {"admin": self.sc.admin, "cand": candidat, "pres": president}[
                    persona
                ]
                with self.subTest(url=url, method=method, persona=persona):
                    self.client.force_login(user)
                    self.assertEqual(
                        getattr(self.client, method)(url).status_code, status
                    )
        self.assertFalse(PublicationResultats.objects.exists())

    def test_resume_without_failures_is_refused(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.base + "reprendre/", follow=True)
        self.assertContains(response, "Aucun échec à reprendre pour cette publication.")


def _world(blocs: int, prefix: str) -> Inscription:
    """One candidate, deliberated and published, on a référentiel of ``blocs``
    blocs (its own certification)."""
    data = small_data(blocs=blocs, criteres=2)
    data["certification"]["code"] = f"RNCP{blocs}0001"
    referentiel = make_referentiel(data)
    admin = make_user(f"{prefix}admin@test.fr", Role.ADMINISTRATEUR)
    session = make_session(referentiel, nom=f"{prefix} session", statut="en_evaluation")
    president = make_membre(session, f"{prefix}pres@test.fr", president=True)
    inscription = make_inscription(
        make_candidat(f"{prefix}cand@test.fr", nom="Petit", prenom="Alix"), session
    )
    make_consolidations(inscription, by=president.user)
    make_deliberation(
        inscription,
        decision=Deliberation.Decision.CERTIFIE,
        by=president.user,
        presents=[president],
        blocs=tuple(f"B{i}" for i in range(1, blocs + 1)),
    )
    Session.objects.filter(pk=session.pk).update(statut="deliberee")
    publish_now(Session.objects.get(pk=session.pk), by=admin)
    return inscription


@frozen()
class QueryCountTests(TestCase):
    def test_the_page_reads_a_fixed_number_of_queries(self) -> None:
        small = _world(1, "a")
        large = _world(3, "b")
        # One document left for the small world, three for the large one.
        for document in Document.objects.filter(
            inscription=small, nature__in=["parchemin", "releve"]
        ):
            document_revoke(document=document, by=None, motif="Essai.")
        pages = []
        for inscription in (small, large):
            self.client.force_login(inscription.candidat.user)
            self.client.get(f"/resultats/{inscription.pk}/")
            # 18, and 3 for the appeals section (evaluations/recours).
            with self.assertNumQueries(21):
                response = self.client.get(f"/resultats/{inscription.pk}/")
            r = response.context["r"]
            pages.append((len(r.releve.blocs), len(r.documents)))
        self.assertEqual(pages, [(1, 1), (3, 3)])

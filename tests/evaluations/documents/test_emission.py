"""Issuing a whole session in the background: launch, progress, failures,
idempotence, resumption, ZIP archive and e-mails. Tasks run inline here
(ImmediateBackend)."""

import io
import zipfile
from datetime import timedelta
from typing import Any
from unittest import mock

from django.core import mail
from django.test import TestCase
from django.utils import timezone
from django.utils.text import slugify

from certif.models import MessageEnvoye
from certif.roles import Role
from certif.workers import worker_beat
from evaluations.deliberation.models import Deliberation
from evaluations.documents import renderers
from evaluations.documents.models import Document, EmissionSession
from evaluations.documents.services import emission_progress
from evaluations.documents.tasks import emission_launch
from evaluations.sessions.models import Candidat, Session
from tests.emails import assert_links, html_of
from tests.evaluations.factories_documents import make_scenario, mark_published
from tests.factories import make_referentiel, make_session, make_user, small_data


class LaunchViewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        mark_published(cls.sc.session)
        cls.url = f"/documents/sessions/{cls.sc.session.pk}/emettre/"
        cls.candidat = cls.sc.certifie.candidat.user

    def test_admin_issues_the_session(self) -> None:
        self.client.force_login(self.sc.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        emission = EmissionSession.objects.get()
        self.assertRedirects(response, f"/documents/emissions/{emission.pk}/")
        self.assertEqual(
            (emission.statut, emission.faits, emission.total, emission.echecs),
            ("terminee", 5, 5, []),
        )
        self.assertEqual(emission.lancee_par, self.sc.admin)
        self.assertEqual(Document.objects.count(), 8)
        self.assertEqual(Document.objects.filter(emission=emission).count(), 8)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["hugo@test.fr", "lea@test.fr", "marie@test.fr", "zoe@test.fr"],
        )
        message = next(m for m in mail.outbox if m.to == ["marie@test.fr"])
        self.assertEqual(
            message.subject, "Vos documents de certification sont disponibles"
        )
        self.assertIn("- Parchemin (version 1)", message.body)
        self.assertIn("https://certif.test/documents/", message.body)

    def test_documents_email_text_links_and_record(self) -> None:
        Session.objects.filter(pk=self.sc.session.pk).update(
            nom="Session d'été & automne"
        )
        Candidat.objects.filter(user=self.candidat).update(prenom1="Zoé")
        with self.captureOnCommitCallbacks(execute=True):
            emission_launch(session=self.sc.session, by=self.sc.admin)
        message = next(m for m in mail.outbox if m.to == [self.candidat.email])
        self.assertEqual(
            message.subject, "Vos documents de certification sont disponibles"
        )
        lien = "https://certif.test/documents/"
        lines = str(message.body).splitlines()
        self.assertEqual(
            lines[:3],
            [
                "Bonjour Zoé,",
                "",
                "Vos documents de la session « Session d'été & automne » sont "
                "disponibles :",
            ],
        )
        self.assertIn("- Parchemin (version 1)", lines)
        self.assertEqual(lines[-1], f"Téléchargez-les depuis votre espace : {lien}")
        self.assertEqual(assert_links(self, message), [lien])
        self.assertIn("Session d&#x27;été &amp; automne", html_of(message))
        stored = MessageEnvoye.objects.get(utilisateur=self.candidat)
        self.assertEqual(stored.corps, message.body)
        self.assertTrue(stored.cle.startswith("documents:"), stored.cle)

    def test_archive_holds_every_current_document(self) -> None:
        self.client.force_login(self.sc.admin)
        self.client.post(self.url)
        emission = EmissionSession.objects.get()
        response = self.client.get(f"/documents/emissions/{emission.pk}/archive/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = sorted(archive.namelist())
        self.assertEqual(len(names), 8)
        expected = {
            f"session-juin/{d.nom_fichier}"
            if d.inscription is None
            else "session-juin/"
            + slugify(
                f"{d.inscription.candidat.nom_naissance} {d.inscription.candidat.prenom1}"
            )
            + f"-{d.inscription_id}/{d.nom_fichier}"
            for d in Document.objects.select_related("inscription__candidat")
        }
        self.assertEqual(set(names), expected)
        self.assertIn(f"session-juin/martin-zoe-{self.sc.echec.pk}", "".join(names))
        pv = Document.objects.get(nature="pv")
        with pv.fichier.open("rb") as handle:
            self.assertEqual(
                archive.read(f"session-juin/{pv.nom_fichier}"), handle.read()
            )

    def test_refused_while_a_deliberation_is_reopened(self) -> None:
        Deliberation.objects.filter(inscription=self.sc.echec).update(verrouillee=False)
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, follow=True)
        self.assertContains(
            response,
            "Des délibérations sont rouvertes : verrouillez-les avant d&#x27;émettre",
        )
        self.assertEqual(EmissionSession.objects.count(), 0)
        self.assertEqual(Document.objects.count(), 0)

    def test_refused_while_another_run_progresses(self) -> None:
        EmissionSession.objects.create(
            session=self.sc.session, lancee_par=self.sc.admin, total=5
        )
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url, follow=True)
        self.assertContains(
            response, "Une émission est déjà en cours pour cette session"
        )
        self.assertEqual(EmissionSession.objects.count(), 1)

    def test_a_dead_run_does_not_block(self) -> None:
        stale = EmissionSession.objects.create(
            session=self.sc.session, lancee_par=self.sc.admin, total=5
        )
        EmissionSession.objects.filter(pk=stale.pk).update(
            modifiee_le=timezone.now() - timedelta(minutes=11)
        )
        self.client.force_login(self.sc.admin)
        self.client.post(self.url)
        self.assertEqual(EmissionSession.objects.count(), 2)
        self.assertEqual(Document.objects.count(), 8)

    def test_session_without_deliberation(self) -> None:
        session = make_session(
            make_referentiel(small_data() | {"version": "2"}), nom="Vide"
        )
        self.client.force_login(self.sc.admin)
        # Not listed for emission at all: 404.
        response = self.client.post(f"/documents/sessions/{session.pk}/emettre/")
        self.assertEqual(response.status_code, 404)

    def test_non_admin_gets_403(self) -> None:
        for user in (self.candidat, self.sc.president.user):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertEqual(EmissionSession.objects.count(), 0)

    def test_anonymous(self) -> None:
        self.assertRedirects(self.client.post(self.url), f"/connexion/?next={self.url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_unknown_session(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(
            self.client.post("/documents/sessions/999999/emettre/").status_code, 404
        )


class IdempotenceAndResumeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        mark_published(cls.sc.session)

    def test_running_twice_issues_nothing_new(self) -> None:
        emission_launch(session=self.sc.session, by=self.sc.admin)
        before = list(Document.objects.values_list("pk", "code", "version", "sha256"))
        mail.outbox.clear()
        second = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(
            list(Document.objects.values_list("pk", "code", "version", "sha256")),
            before,
        )
        self.assertEqual(
            (second.statut, second.faits, second.total), ("terminee", 5, 5)
        )
        self.assertEqual(Document.objects.filter(emission=second).count(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertTrue(str(second.archive.name).endswith(".zip"))

    def test_resumes_after_a_failure(self) -> None:
        hugo = "Hugo LEROY"
        real = renderers.releve_pdf

        def failing(snapshot: Any, **kwargs: Any) -> Any:
            if snapshot.titulaire.nom_complet == hugo:
                raise RuntimeError("police introuvable")
            return real(snapshot, **kwargs)

        with mock.patch("evaluations.documents.renderers.releve_pdf", failing):
            first = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(
            (first.statut, first.faits, first.total),
            ("echecs", 4, 5),
        )
        self.assertEqual(
            first.echecs,
            [
                {
                    "inscription_id": self.sc.partiel.pk,
                    "candidat": hugo,
                    "motif": "Erreur lors de la production du document : police introuvable",
                }
            ],
        )
        self.assertEqual(
            Document.objects.filter(inscription=self.sc.partiel).count(), 0
        )
        self.assertEqual(Document.objects.count(), 6)
        issued_first = set(Document.objects.values_list("pk", flat=True))

        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            second = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(
            (second.statut, second.faits, second.echecs), ("terminee", 5, [])
        )
        self.assertEqual(
            sorted(
                Document.objects.filter(emission=second).values_list(
                    "inscription", "nature", "version"
                )
            ),
            [
                (self.sc.partiel.pk, "attestation", 1),
                (self.sc.partiel.pk, "releve", 1),
            ],
        )
        self.assertEqual(
            set(Document.objects.filter(emission=first).values_list("pk", flat=True)),
            issued_first,
        )
        self.assertEqual([m.to for m in mail.outbox], [["hugo@test.fr"]])

    def test_failure_of_the_pv_is_listed(self) -> None:
        with (
            mock.patch(
                "evaluations.documents.renderers.pv_pdf",
                side_effect=ValueError("gabarit cassé"),
            ),
        ):
            emission = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(
            emission.echecs,
            [
                {
                    "inscription_id": None,
                    "candidat": "Procès-verbal de la session",
                    "motif": "Erreur lors de la production du document : gabarit cassé",
                }
            ],
        )
        self.assertEqual(emission.statut, "echecs")


class ProgressPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.running = EmissionSession.objects.create(
            session=cls.sc.session,
            lancee_par=cls.sc.admin,
            total=5,
            faits=2,
            echecs=[{"inscription_id": 1, "candidat": "Hugo LEROY", "motif": "Panne."}],
        )
        cls.url = f"/documents/emissions/{cls.running.pk}/"

    def test_admin_sees_progress_and_failures(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.url)
        self.assertContains(response, "3 / 5 traités (2 réussis)")
        self.assertContains(response, "<strong>Hugo LEROY</strong> : Panne.", html=True)
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertContains(response, "Actualiser la progression")
        self.assertContains(response, '<progress class="w-100 mb-3" max="5" value="3">')

    def test_says_when_no_worker_is_alive(self) -> None:
        self.client.force_login(self.sc.admin)
        alerte = (
            "Aucun processus de travail en arrière-plan n'est actif : "
            "l'émission est en attente et reprendra d'elle-même, là où "
            "elle s'est arrêtée, dès qu'un processus redémarrera "
            "(manage.py db_worker). Prévenez l'exploitation."
        )
        response = self.client.get(self.url)
        self.assertContains(response, alerte)
        self.assertContains(response, "Dernière progression il y a 0\xa0minute.")
        worker_beat(worker_id="w1")
        self.assertNotContains(self.client.get(self.url), alerte)

    def test_a_unit_is_counted_once(self) -> None:
        """A task run again after its worker died counts its unit once."""
        self.assertIs(
            emission_progress(emission_id=self.running.pk, unite="pv", echec=None),
            False,
        )
        self.assertIs(
            emission_progress(emission_id=self.running.pk, unite="pv", echec=None),
            False,
        )
        self.running.refresh_from_db()
        self.assertEqual((self.running.faits, self.running.unites), (3, ["pv"]))

    def test_htmx_gets_the_fragment_only(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.url, headers={"HX-Request": "true"})
        content = response.content.decode()
        self.assertTrue(content.strip().startswith('<div id="progression"'))
        self.assertNotIn("<html", content)

    def test_finished_run_stops_polling_and_offers_the_zip(self) -> None:
        EmissionSession.objects.filter(pk=self.running.pk).update(statut="echecs")
        emission = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.client.force_login(self.sc.admin)
        response = self.client.get(f"/documents/emissions/{emission.pk}/")
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(response, f"/documents/emissions/{emission.pk}/archive/")

    def test_archive_missing_is_404(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.get(f"{self.url}archive/").status_code, 404)

    def test_non_admin_gets_403(self) -> None:
        self.client.force_login(self.sc.certifie.candidat.user)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.get(f"{self.url}archive/").status_code, 403)

    def test_unknown(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(
            self.client.get("/documents/emissions/999999/").status_code, 404
        )

    def test_anonymous(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"/connexion/?next={self.url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.post(self.url).status_code, 405)


class SessionPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.list_url = "/documents/sessions/"
        cls.url = f"/documents/sessions/{cls.sc.session.pk}/"

    def test_list(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.list_url)
        self.assertEqual(
            [s.pk for s in response.context["page"].object_list], [self.sc.session.pk]
        )
        self.assertContains(response, "Session juin")

    def test_list_query_count(self) -> None:
        self.client.force_login(self.sc.admin)
        with self.assertNumQueries(5):
            self.client.get(self.list_url)
        for n in range(2):
            make_scenario(
                referentiel=make_referentiel(
                    small_data(blocs=2, criteres=2) | {"version": f"v{n}"}
                ),
                prefix=f"s{n}-",
            )
        with self.assertNumQueries(5):
            response = self.client.get(self.list_url)
        self.assertEqual(len(response.context["page"].object_list), 3)

    def test_session_page_offers_the_emission(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.url)
        self.assertContains(response, "Émettre les documents de la session")
        self.assertContains(response, "Aucun document émis pour cette session.")

    def test_session_page_query_count(self) -> None:
        self.client.force_login(self.sc.admin)
        emission_launch(session=self.sc.session, by=self.sc.admin)
        # Two of them check that official documents can be issued (certifier and
        # registration, blocs without an RNCP code), whatever the number of rows.
        with self.assertNumQueries(10):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 8)
        self.assertContains(response, "Révoquer", count=3)
        Document.objects.exclude(nature="pv").delete()
        with self.assertNumQueries(10):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 1)

    def test_session_page_says_why_it_cannot_issue(self) -> None:
        Deliberation.objects.filter(inscription=self.sc.echec).update(verrouillee=False)
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.url)
        self.assertContains(response, "Des délibérations sont rouvertes")
        self.assertNotContains(response, "Émettre les documents de la session")

    def test_non_admin_gets_403(self) -> None:
        self.client.force_login(make_user("jury-x@test.fr", Role.MEMBRE_JURY))
        self.assertEqual(self.client.get(self.list_url).status_code, 403)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_unknown(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(
            self.client.get("/documents/sessions/999999/").status_code, 404
        )

    def test_anonymous(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"/connexion/?next={self.url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.post(self.list_url).status_code, 405)
        self.assertEqual(self.client.post(self.url).status_code, 405)

"""Deferral to a later session of the same certification: a new enrolment there
that carries the deposits over (same référentiel version) and leaves out the
blocs already acquired; the original enrolment is evaluated no more."""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.livrables.models import Livrable
from evaluations.livrables.services import inscription_reporter
from evaluations.sessions.models import BlocAcquis, Inscription, Session
from evaluations.sessions.services import session_mark_deliberated
from evaluations.sessions.verrou import InscriptionReporteeError, inscription_lock
from tests.evaluations.factories import make_livrable, modalites_of
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

MOTIF = "Hospitalisation pendant la période d'examen."


class ReportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2, criteres=1))
        cls.session = make_session(cls.referentiel, nom="Printemps")
        cls.plus_tard = make_session(
            cls.referentiel, nom="Automne", deadline_in_days=90
        )
        cls.candidat = make_candidat("lea@test.fr", nom="Petit", prenom="Léa")
        cls.inscription = make_inscription(cls.candidat, cls.session)
        cls.admin = make_user("admin@test.fr", Role.ADMINISTRATEUR)

    def reporter(self, **kwargs: object) -> Inscription:
        params: dict = {
            "inscription": self.inscription,
            "session": self.plus_tard,
            "motif": MOTIF,
            "by": self.admin,
        }
        params.update(kwargs)
        return inscription_reporter(**params)


class ReportTests(ReportTestCase):
    def test_deposits_and_acquired_blocs_follow(self) -> None:
        b1, b2 = modalites_of(self.inscription)
        ancien = make_livrable(self.inscription, b1, name="b1.pdf")
        make_livrable(self.inscription, b2, name="b2.pdf")
        # B2 was acquired in an earlier session: not evaluated again.
        earlier = make_session(self.referentiel, nom="Avant", statut="close")
        BlocAcquis.objects.create(
            candidat=self.candidat,
            bloc=self.referentiel.blocs.get(code="B2"),
            session=earlier,
            inscription=make_inscription(self.candidat, earlier),
            acquis_le=date(2025, 6, 30),
        )
        nouvelle = self.reporter()
        self.assertEqual(
            (nouvelle.session, list(nouvelle.blocs.values_list("code", flat=True))),
            (self.plus_tard, ["B1"]),
        )
        copie = Livrable.objects.get(inscription=nouvelle)
        self.assertEqual(
            (copie.modalite_id, copie.nom_original, copie.sha256, copie.fichier.name),
            (b1.pk, "b1.pdf", ancien.sha256, ancien.fichier.name),
        )
        origine = Inscription.objects.get(pk=self.inscription.pk)
        self.assertEqual(
            (origine.reportee_vers, origine.report_motif), (nouvelle, MOTIF)
        )
        with self.assertRaises(InscriptionReporteeError):
            inscription_lock(inscription_id=origine.pk)
        Session.objects.filter(pk=self.session.pk).update(statut="en_evaluation")
        self.assertEqual(
            session_mark_deliberated(
                session=Session.objects.get(pk=self.session.pk), by=self.admin
            ).statut,
            "deliberee",
        )

    def test_refusals_store_nothing(self) -> None:
        autre = make_referentiel(
            {
                **small_data(),
                "certification": {
                    "code": "RNCP12345",
                    "intitule": "Autre",
                    "niveau": 5,
                },
            }
        )
        cases: list[tuple[dict[str, object], str]] = [
            ({"motif": " "}, "Indiquez le motif du report."),
            (
                {"session": self.session},
                "Le report se fait vers une session ultérieure.",
            ),
            (
                {"session": make_session(autre, nom="Ailleurs", deadline_in_days=90)},
                "Le report se fait vers une session de la même certification.",
            ),
        ]
        for kwargs, message in cases:
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesMessage(ValidationError, message),
            ):
                self.reporter(**kwargs)
        self.assertEqual(Inscription.objects.filter(session=self.plus_tard).count(), 0)
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_reportee, False
        )


class ReportViewTests(ReportTestCase):
    def url(self, inscription_pk: int | None = None) -> str:
        return reverse(
            "evaluations:session_report",
            args=[self.session.pk, inscription_pk or self.inscription.pk],
        )

    def test_admin_defers_from_the_desk(self) -> None:
        self.client.force_login(self.admin)
        page = self.client.get(self.url())
        self.assertEqual(
            list(page.context["form"].fields["session"].queryset), [self.plus_tard]
        )
        response = self.client.post(
            self.url(), {"session": self.plus_tard.pk, "motif": MOTIF}
        )
        self.assertRedirects(
            response, self.session.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_reportee, True
        )
        desk = self.client.get(self.session.get_absolute_url())
        self.assertContains(desk, "reporté à une session ultérieure")

    def test_bad_input_refused_with_a_message(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url(), {"session": self.session.pk, "motif": ""}
        )
        self.assertContains(
            response,
            "Choisissez une session ultérieure ouverte aux inscriptions, de la même "
            "certification.",
            status_code=400,
        )
        self.assertContains(response, "Indiquez le motif du report.", status_code=400)
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_reportee, False
        )

    def test_wrong_role_outsider_wrong_method(self) -> None:
        self.client.force_login(self.candidat.user)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(self.url(999999)).status_code, 404)
        self.assertEqual(self.client.put(self.url()).status_code, 405)

"""Withdrawal (désistement) before the jury, with its date and reason: nothing
more is deposited, scored or decided; the session is deliberated without a
decision for it; the PV says so."""

import io
from datetime import timedelta

import pypdf
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.deliberation.services import deliberation_record
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.livrables.services import check_depot
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.services import (
    inscription_desister,
    session_mark_deliberated,
)
from evaluations.sessions.verrou import (
    DeliberationVerrouilleeError,
    InscriptionDesisteeError,
)
from referentiel.models import Modalite
from tests.evaluations.factories_jury import consolidate
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase
from tests.factories import make_candidat, make_inscription

MOTIF = "Reprise d'un emploi à temps plein."


class DesistementServiceTests(ConsolidationTestCase):
    def desister(self, **kwargs: object) -> Inscription:
        params: dict = {
            "inscription": self.inscription,
            "le": timezone.localdate(),
            "motif": MOTIF,
            "by": self.admin,
        }
        params.update(kwargs)
        return inscription_desister(**params)

    def test_withdrawal_stops_every_write_and_the_session_closes(self) -> None:
        autre = make_inscription(make_candidat("autre@test.localhost"), self.session)
        consolidate(autre, self.president.user)
        deliberation_record(
            inscription=autre,
            motif="Vote.",
            presents=[self.president, self.m1],
            by=self.president.user,
        )
        inscription = self.desister()
        self.assertEqual(
            (inscription.desiste_le, inscription.desistement_motif),
            (timezone.localdate(), MOTIF),
        )
        consolidate(self.inscription, self.president.user)
        with self.assertRaisesMessage(
            InscriptionDesisteeError, "Le candidat s'est désisté le "
        ):
            deliberation_record(
                inscription=self.inscription,
                motif="Vote.",
                presents=[self.president, self.m1],
                by=self.president.user,
            )
        modalite = Modalite.objects.filter(
            competence__activite__bloc__referentiel=self.referentiel
        ).first()
        assert modalite is not None
        with self.assertRaisesMessage(
            ValidationError,
            "Vous vous êtes désisté de cette session : plus aucun dépôt.",
        ):
            check_depot(
                inscription=Inscription.objects.get(pk=self.inscription.pk),
                modalite=modalite,
            )
        session = session_mark_deliberated(session=self.session, by=self.admin)
        self.assertEqual(session.statut, "deliberee")
        emission_launch(session=session, by=self.admin)
        document = Document.objects.get(nature="pv")
        with document.fichier.open("rb") as handle:
            reader = pypdf.PdfReader(io.BytesIO(handle.read()))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        self.assertIn(
            "Désistements Candidat Date Motif Marie DUPONT "
            f"{timezone.localdate():%d/%m/%Y} {MOTIF}",
            text,
        )

    def test_refusals_store_nothing(self) -> None:
        demain = timezone.localdate() + timedelta(days=1)
        cases: list[tuple[dict[str, object], str]] = [
            ({"motif": " "}, "Indiquez le motif du désistement."),
            ({"le": demain}, "La date du désistement ne peut pas être dans le futur."),
        ]
        for kwargs, message in cases:
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesMessage(ValidationError, message),
            ):
                self.desister(**kwargs)
        Session.objects.filter(pk=self.session.pk).update(
            date_jury=timezone.localdate() - timedelta(days=3)
        )
        with self.assertRaisesMessage(
            ValidationError, "Le désistement a lieu avant le jury"
        ):
            self.desister()
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_desistee, False
        )

    def test_after_the_vote_refused(self) -> None:
        consolidate(self.inscription, self.president.user)
        deliberation_record(
            inscription=self.inscription,
            motif="Vote.",
            presents=[self.president, self.m1],
            by=self.president.user,
        )
        with self.assertRaises(DeliberationVerrouilleeError):
            self.desister()
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_desistee, False
        )


class DesistementViewTests(ConsolidationTestCase):
    def setUp(self) -> None:
        self.url = reverse(
            "evaluations:session_desistement",
            args=[self.session.pk, self.inscription.pk],
        )

    def test_admin_records_the_withdrawal(self) -> None:
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(self.url), "Désistement de Marie DUPONT")
        response = self.client.post(
            self.url, {"le": timezone.localdate().isoformat(), "motif": MOTIF}
        )
        self.assertRedirects(
            response, self.session.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            Inscription.objects.get(pk=self.inscription.pk).desistement_motif, MOTIF
        )

    def test_bad_input_refused_with_a_message(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(self.url, {"le": "", "motif": ""})
        self.assertContains(
            response, "Indiquez la date du désistement.", status_code=400
        )
        self.assertContains(
            response, "Indiquez le motif du désistement.", status_code=400
        )
        # A NUL character is refused before the view, with its message.
        response = self.client.post(
            self.url, {"le": timezone.localdate().isoformat(), "motif": "x\x00"}
        )
        self.assertContains(
            response, "La requête contient un caractère nul", status_code=400
        )
        self.assertIs(
            Inscription.objects.get(pk=self.inscription.pk).est_desistee, False
        )

    def test_outsider_wrong_role_wrong_method(self) -> None:
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.admin)
        autre = reverse(
            "evaluations:session_desistement", args=[self.session.pk, 999999]
        )
        self.assertEqual(self.client.get(autre).status_code, 404)
        self.assertEqual(self.client.put(self.url).status_code, 405)

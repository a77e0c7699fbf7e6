"""The planner's refusals (each naming the clash, nothing stored), bad input,
publication and convocations (PDF read back, .ics parsed back with icalendar),
a moved sitting (« convocation modifiée »), attendance and the calendar feed."""

import io
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pypdf
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from certif.models import MessageEnvoye
from evaluations.deliberation.models import Deliberation
from evaluations.epreuves.models import (
    Convocation,
    Disponibilite,
    FluxCalendrier,
    Passage,
    Planning,
    Salle,
)
from evaluations.epreuves.selectors import passages_of
from evaluations.epreuves.services import (
    PassageSaisi,
    absence_justifier,
    disponibilite_add,
    flux_get_or_create,
    flux_revoke,
    passage_save,
    presence_record,
)
from evaluations.epreuves.tasks import convocations_launch, publish_launch
from evaluations.jury.models import ConflitInterets
from evaluations.sessions.models import Candidat, Session
from referentiel.models import Modalite
from referentiel.reglement.services import reglement_brouillon_create, reglement_publish
from tests.emails import assert_links, html_of
from tests.evaluations.epreuves.base import EpreuvesTestCase, aware
from tests.evaluations.epreuves.test_generation import decide

PARIS = ZoneInfo("Europe/Paris")


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


class PassageTestCase(EpreuvesTestCase):
    def saisi(self, **kwargs: object) -> PassageSaisi:
        values: dict[str, object] = {
            "inscription": self.camille,
            "modalites": self.mes[:2],
            "debut": aware(self.jour1, time(9)),
            "duree_minutes": 40,
            "salle": self.salle_a,
            "lien_visio": "",
            "membres": [self.m1, self.m2],
        }
        values.update(kwargs)
        return PassageSaisi(**values)  # type: ignore[arg-type]

    def place(self, **kwargs: object) -> Passage:
        return passage_save(saisi=self.saisi(**kwargs), by=self.admin)


class RefusalTests(PassageTestCase):
    def assert_refused(self, message: str, **kwargs: object) -> None:
        before = Passage.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            self.place(**kwargs)
        self.assertIn(message, ctx.exception.messages)
        self.assertEqual(Passage.objects.count(), before)

    def test_bad_input(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"duree_minutes": 0}, "Un passage dure de 1 minute à 8 heures."),
            ({"duree_minutes": 481}, "Un passage dure de 1 minute à 8 heures."),
            (
                {"debut": timezone.now() - timedelta(hours=1)},
                "La date du passage est passée.",
            ),
            (
                {"salle": None, "lien_visio": "http://visio.example.org/x"},
                "Le lien de visioconférence doit commencer par https://.",
            ),
            (
                {"salle": None},
                "Choisissez une salle ou un lien de visioconférence.",
            ),
            ({"membres": []}, "Choisissez au moins un membre du jury."),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assert_refused(message, **kwargs)

    def test_after_the_jury_date(self) -> None:
        self.assert_refused(
            "Le passage est après la date du jury ("
            + date_format(self.session.date_jury, "j F Y")
            + ").",
            debut=aware(self.session.date_jury + timedelta(days=1), time(9)),
        )

    def test_before_the_deposit_deadline_when_the_modality_follows_a_deposit(
        self,
    ) -> None:
        projet = Modalite.objects.get(
            competence__code="C1.1",
            competence__activite__bloc__referentiel=self.referentiel,
        )
        self.assertEqual((projet.en_presence, projet.apres_depot), (True, True))
        self.assert_refused(
            "Le passage présente un travail déposé : il a lieu après la date limite "
            "de dépôt ("
            + date_format(
                timezone.localtime(self.session.date_limite_depot), "j F Y H:i"
            )
            + ").",
            modalites=[projet],
            debut=aware(self.jour1 - timedelta(days=3), time(9)),
        )
        # A mise en situation does not follow a deposit: the same day is fine.
        self.assertEqual(
            self.place(
                debut=aware(self.jour1 - timedelta(days=3), time(9))
            ).duree_minutes,
            40,
        )

    def test_clashes_name_the_member_the_room_and_the_candidate(self) -> None:
        self.place()
        with self.assertRaises(ValidationError) as ctx:
            self.place(debut=aware(self.jour1, time(9, 20)))
        messages = ctx.exception.messages
        self.assertEqual(len(messages), 4)
        self.assertTrue(
            messages[0].startswith("Camille MARTIN passe déjà une épreuve le ")
        )
        self.assertTrue(
            messages[1].startswith(
                "La salle Campus Lyon — A101 est prise par Camille MARTIN le "
            )
        )
        self.assertTrue(
            messages[2].startswith("Alice Nom évalue déjà Camille MARTIN le ")
        )
        self.assertTrue(
            messages[3].startswith("Bruno Nom évalue déjà Camille MARTIN le ")
        )
        self.assertTrue(messages[0].endswith("à 09:00 (40 min)."))
        self.assertEqual(Passage.objects.count(), 1)

    def test_back_to_back_is_not_a_clash(self) -> None:
        self.place()
        second = self.place(
            inscription=self.dominique, debut=aware(self.jour1, time(9, 40))
        )
        self.assertEqual(timezone.localtime(second.debut).time(), time(9, 40))

    def test_conflict_of_interest(self) -> None:
        ConflitInterets.objects.create(
            membre=self.m2, inscription=self.camille, nature="famille"
        )
        self.assert_refused("Bruno Nom est en conflit d'intérêts avec Camille MARTIN.")

    def test_outside_a_members_availability(self) -> None:
        Disponibilite.objects.create(
            membre=self.m1, date=self.jour1, debut=time(13, 30), fin=time(18)
        )
        with self.assertRaises(ValidationError) as ctx:
            self.place()
        self.assertEqual(len(ctx.exception.messages), 1)
        self.assertTrue(
            ctx.exception.messages[0].startswith("Alice Nom n'est pas disponible le ")
        )
        # Inside it: placed.
        self.assertEqual(
            self.place(debut=aware(self.jour1, time(14))).membres.count(), 2
        )

    def test_accessible_room_required(self) -> None:
        decide(self.camille, ("salle_accessible", ""))
        self.assert_refused(
            "Camille MARTIN doit passer dans une salle accessible aux personnes à "
            "mobilité réduite : Campus Lyon — B203 ne l'est pas.",
            salle=self.salle_b,
        )
        self.assertEqual(self.place(salle=self.salle_a).salle, self.salle_a)

    def test_room_of_capacity_zero_and_availability_backwards(self) -> None:
        salle = Salle(site=self.site, nom="Placard", capacite=0)
        with self.assertRaisesMessage(
            ValidationError, "Une salle compte au moins une place."
        ):
            salle.full_clean()
        with self.assertRaisesMessage(
            ValidationError, "La disponibilité doit finir après son début."
        ):
            disponibilite_add(
                membre=self.m1,
                jour=self.jour1,
                debut=time(14),
                fin=time(9),
                by=self.m1.user,
            )
        with self.assertRaisesMessage(ValidationError, "La date est passée."):
            disponibilite_add(
                membre=self.m1,
                jour=timezone.localdate() - timedelta(days=1),
                debut=time(9),
                fin=time(12),
                by=self.m1.user,
            )
        self.assertEqual(
            (
                Salle.objects.filter(nom="Placard").count(),
                Disponibilite.objects.count(),
            ),
            (0, 0),
        )

    def test_video_link_sitting(self) -> None:
        passage = self.place(salle=None, lien_visio="https://visio.example.org/jury-1")
        self.assertEqual(
            (passage.salle, passage.lien_visio, passage.a_distance),
            (None, "https://visio.example.org/jury-1", True),
        )


def convocations(outbox: list[Any]) -> list[Any]:
    """The candidates' convocations among the e-mails sent (publication also
    sends the jury members their schedule: tests/…/test_plannings_jury.py)."""
    return [m for m in outbox if m.subject.startswith("Convocation")]


class ConvocationTests(PassageTestCase):
    def publish(self) -> Planning:
        with self.captureOnCommitCallbacks(execute=True):
            return publish_launch(session=self.session, by=self.admin)

    def test_publication_sends_a_convocation_with_pdf_and_ics(self) -> None:
        passage = self.place()
        self.publish()
        planning = Planning.objects.get()
        self.assertEqual(
            (planning.statut, planning.envois_total, planning.envois_faits),
            ("publie", 1, 1),
        )
        convocation = Convocation.objects.get()
        self.assertEqual(
            (convocation.version, convocation.modifiee, convocation.precedent),
            (1, False, ""),
        )
        (message,) = convocations(mail.outbox)
        self.assertEqual(
            (message.to, message.subject),
            (["camille@example.org"], "Convocation — Session juin"),
        )
        names = [a[0] for a in message.attachments]  # type: ignore[index]
        self.assertEqual(
            names, [f"convocation-{self.jour1:%Y%m%d}-0900.pdf", "convocation.ics"]
        )
        text = pdf_text(message.attachments[0][1])  # type: ignore[index]
        for expected in (
            "Convocation aux épreuves en présence du jury",
            "Camille MARTIN",
            "de 09:00 à 09:40 (40 minutes)",
            "Campus Lyon — A101",
            "3 quai Claude Bernard",
            "C2.1",
            "C2.2",
            "Une pièce d'identité avec photographie",
            "Institut Exemple de Certification",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("{{", text)
        cal = icalendar.Calendar.from_ical(message.attachments[1][1])  # type: ignore[index]
        (event,) = cal.walk("VEVENT")
        self.assertEqual(
            (
                event.decoded("dtstart"),
                event.decoded("dtend"),
                str(event["dtstart"].params["TZID"]),
                str(event["uid"]),
            ),
            (
                aware(self.jour1, time(9)).astimezone(PARIS),
                aware(self.jour1, time(9, 40)).astimezone(PARIS),
                "Europe/Paris",
                f"passage-{passage.pk}@certif",
            ),
        )
        self.assertEqual(len(cal.walk("VTIMEZONE")), 1)
        passage.refresh_from_db()
        self.assertEqual((passage.version, passage.convoque_version), (1, 1))

    def test_convocation_email_text_links_and_record(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(nom="Session d'été & automne")
        Candidat.objects.filter(pk=self.camille.candidat_id).update(prenom1="Zoé")
        self.place()
        self.publish()
        (message,) = convocations(mail.outbox)
        self.assertEqual(message.to, ["camille@example.org"])
        self.assertEqual(message.subject, "Convocation — Session d'été & automne")
        lien = "https://certif.test/epreuves/convocations/"
        self.assertEqual(
            message.body,
            "Bonjour Zoé,\n\n"
            f"Votre convocation : le {self.jour1:%d/%m/%Y} à 09:00 (40 min), Campus "
            "Lyon — A101, pour les épreuves en présence du jury : C2.1, C2.2.\n\n"
            "La convocation est jointe (PDF) avec un fichier de calendrier (.ics) ; "
            f"elle est aussi dans votre espace :\n{lien}\n",
        )
        self.assertEqual(assert_links(self, message), [lien])
        self.assertIn("Session d&#x27;été &amp; automne", html_of(message))
        convocation = Convocation.objects.get()
        stored = MessageEnvoye.objects.get(gabarit="convocation")
        self.assertEqual(
            (stored.utilisateur, stored.cle, stored.pieces_jointes, stored.corps),
            (
                self.camille.candidat.user,
                f"convocation:{convocation.pk}",
                [f"convocation-{self.jour1:%Y%m%d}-0900.pdf", "convocation.ics"],
                message.body,
            ),
        )
        self.assertEqual(convocation.envoyee_le, stored.cree_le)

    def test_convocation_links_the_reglement_in_force(self) -> None:
        certification = self.session.referentiel.certification
        brouillon = reglement_brouillon_create(
            certification=certification, by=self.admin
        )
        reglement_publish(reglement=brouillon, by=self.admin)
        self.place()
        self.publish()
        (message,) = convocations(mail.outbox)
        lien = f"https://certif.test/referentiel/certifications/{certification.pk}/reglement/"
        self.assertTrue(
            message.body.endswith(
                "Le règlement d'examen (règles de conduite, fraude, recours) :\n"
                f"{lien}\n"
            ),
            message.body,
        )
        self.assertIn(f'<a href="{lien}">', html_of(message))
        with Convocation.objects.get().fichier.open("rb") as handle:
            texte = pdf_text(handle.read())
        self.assertIn(lien, " ".join(texte.split()))

    def test_publishing_twice_is_refused_and_sends_nothing_more(self) -> None:
        self.place()
        self.publish()
        with self.assertRaisesMessage(ValidationError, "Le planning est déjà publié."):
            self.publish()
        self.assertEqual(
            (len(convocations(mail.outbox)), Convocation.objects.count()), (1, 1)
        )

    def test_a_moved_sitting_sends_a_modified_convocation_with_the_previous_slot(
        self,
    ) -> None:
        passage = self.place()
        self.publish()
        with self.captureOnCommitCallbacks(execute=True):
            passage = passage_save(
                saisi=self.saisi(debut=aware(self.jour1, time(14))),
                passage=passage,
                by=self.admin,
            )
            convocations_launch(planning=Planning.objects.get())
        self.assertEqual((passage.version, Convocation.objects.count()), (2, 2))
        latest = Convocation.objects.get(version=2)
        self.assertEqual(
            (latest.modifiee, latest.precedent),
            (True, f"{self.jour1:%d/%m/%Y} à 09:00 (40 min), Campus Lyon — A101"),
        )
        modifiee = convocations(mail.outbox)[1]
        self.assertEqual(modifiee.subject, "Convocation modifiée — Session juin")
        self.assertIn(
            f"Cette convocation remplace la précédente ({self.jour1:%d/%m/%Y} à 09:00 "
            "(40 min), Campus Lyon — A101).",
            modifiee.body,
        )
        text = pdf_text(modifiee.attachments[0][1])  # type: ignore[index]
        self.assertIn("Convocation modifiée", text)
        self.assertIn("de 14:00 à 14:40", text)


class AttendanceTests(PassageTestCase):
    def test_absent_closes_the_enrolment_as_absent(self) -> None:
        passage = self.place()
        with time_machine.travel(aware(self.jour1, time(9, 5)), tick=False):
            presence_record(passage=passage, presence="absent", by=self.m1.user)
        deliberation = Deliberation.objects.get(inscription=self.camille)
        self.assertEqual(
            (
                deliberation.decision,
                deliberation.verrouillee,
                [m.pk for m in deliberation.presents.all()],
            ),
            ("absent", True, [self.m1.pk]),
        )
        self.assertTrue(deliberation.motif.startswith("Absent à l'épreuve du "))
        self.assertTrue(deliberation.motif.endswith("(C2.1, C2.2)."))
        passage.refresh_from_db()
        self.assertEqual(
            (passage.presence, passage.presence_par), ("absent", self.m1.user)
        )

    def test_present_changes_nothing_else(self) -> None:
        passage = self.place()
        with time_machine.travel(aware(self.jour1, time(9, 5)), tick=False):
            presence_record(passage=passage, presence="present", by=self.m2.user)
        self.assertIs(Deliberation.objects.exists(), False)
        passage.refresh_from_db()
        self.assertEqual(passage.presence, "present")

    def test_only_a_member_of_the_sitting_on_the_day(self) -> None:
        passage = self.place(membres=[self.m1])
        with self.assertRaisesMessage(
            ValidationError, "Seul un membre du jury du passage constate la présence."
        ):
            presence_record(passage=passage, presence="absent", by=self.m2.user)
        with self.assertRaisesMessage(
            ValidationError, "La présence se constate le jour du passage"
        ):
            presence_record(passage=passage, presence="absent", by=self.m1.user)
        passage.refresh_from_db()
        self.assertEqual(passage.presence, "a_constater")
        self.assertIs(Deliberation.objects.exists(), False)

    def test_justified_absence_reopens_and_frees_the_modalities(self) -> None:
        passage = self.place()
        with time_machine.travel(aware(self.jour1, time(9, 5)), tick=False):
            presence_record(passage=passage, presence="absent", by=self.m1.user)
            with self.assertRaisesMessage(
                ValidationError, "Seul le président du jury justifie une absence."
            ):
                absence_justifier(passage=passage, motif="Malade", by=self.m1.user)
            absence_justifier(
                passage=passage, motif="Hospitalisation", by=self.president.user
            )
        deliberation = Deliberation.objects.get(inscription=self.camille)
        passage.refresh_from_db()
        self.assertEqual(
            (deliberation.verrouillee, passage.presence, passage.justification),
            (False, "justifiee", "Hospitalisation"),
        )
        self.assertEqual(
            deliberation.reouvertures.get().motif,  # type: ignore[attr-defined]
            "Absence justifiée : Hospitalisation",
        )
        # A new sitting in the same slot is no clash with the justified one.
        self.assertEqual(self.place().presence, "a_constater")


class FluxTests(PassageTestCase):
    def test_revoking_gives_a_new_secret(self) -> None:
        flux = flux_get_or_create(user=self.m1.user)
        self.assertEqual(flux_get_or_create(user=self.m1.user).jeton, flux.jeton)
        nouveau = flux_revoke(user=self.m1.user)
        self.assertNotEqual(nouveau.jeton, flux.jeton)
        self.assertEqual(
            list(FluxCalendrier.objects.values_list("jeton", flat=True)),
            [nouveau.jeton],
        )


class OrderTests(PassageTestCase):
    def test_modalities_in_the_referentiels_order(self) -> None:
        a1 = list(
            Modalite.objects.filter(
                competence__activite__bloc__referentiel=self.referentiel,
                competence__activite__bloc__code="A1",
            )
        )
        self.place(modalites=a1, duree_minutes=80, debut=aware(self.jour1, time(9)))
        (passage,) = passages_of(session=self.session)
        self.assertEqual(
            [m.competence.code for m in passage.modalites.all()],
            ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5"],
        )

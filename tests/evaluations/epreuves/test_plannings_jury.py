"""Jury members e-mailed their schedule: at publication (subject, recipients,
the PDF and ``.ics`` attached, absolute links on SITE_URL to their page and
their private feed), once per version of their schedule, and again to the
members whose sittings change afterwards — only them."""

from datetime import time

import icalendar
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from certif.models import MessageEnvoye
from evaluations.epreuves.models import FluxCalendrier, Passage, Planning
from evaluations.epreuves.services import passage_save
from evaluations.epreuves.tasks import (
    convocations_launch,
    envoyer_plannings_jury,
    publish_launch,
)
from evaluations.sessions.models import Session
from tests.emails import assert_links, html_of
from tests.evaluations.epreuves.base import aware
from tests.evaluations.epreuves.test_services import PassageTestCase, pdf_text

SUJET = "Vos épreuves — Session juin"
SUJET_MODIFIE = "Vos épreuves modifiées — Session juin"


def plannings(outbox: list) -> list[EmailMultiAlternatives]:  # type: ignore[type-arg]
    """The schedule e-mails of the outbox (the convocations aside)."""
    return [m for m in outbox if m.subject.startswith("Vos épreuves")]


class PlanningJuryTests(PassageTestCase):
    def setUp(self) -> None:
        # Camille before Alice (m1) alone, Dominique before Bruno (m2) alone.
        self.camille_passage = self.place(membres=[self.m1])
        self.dominique_passage = self.place(
            inscription=self.dominique,
            salle=self.salle_b,
            membres=[self.m2],
            debut=aware(self.jour2, time(14)),
        )

    def publish(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            publish_launch(session=self.session, by=self.admin)

    def test_publication_sends_each_member_their_schedule(self) -> None:
        self.publish()
        messages = sorted(plannings(mail.outbox), key=lambda m: m.to)
        self.assertEqual(
            [(m.to, m.subject) for m in messages],
            [(["alice@example.org"], SUJET), (["bruno@example.org"], SUJET)],
        )
        alice = messages[0]
        self.assertEqual(
            [(a[0], a[2]) for a in alice.attachments],
            [
                ("mes-epreuves.pdf", "application/pdf"),
                ("mes-epreuves.ics", "text/calendar"),
            ],
        )
        pdf = pdf_text(alice.attachments[0][1])
        self.assertIn("Camille MARTIN", pdf)
        self.assertNotIn("Dominique PETIT", pdf)
        (event,) = icalendar.Calendar.from_ical(alice.attachments[1][1]).walk("VEVENT")
        self.assertEqual(
            (event.decoded("dtstart"), event.decoded("dtend")),
            (aware(self.jour1, time(9)), aware(self.jour1, time(9, 40))),
        )
        jeton = FluxCalendrier.objects.get(user=self.m1.user).jeton
        page = f"https://certif.test/epreuves/jury/{self.session.pk}/"
        flux = f"https://certif.test/epreuves/flux/{jeton}.ics"
        self.assertEqual(assert_links(self, alice), [page, flux])
        self.assertIn(f"\n{page}\n", alice.body)
        self.assertIn(f"\n{flux}\n", alice.body)
        self.assertIn("Vous siégez à 1 passage, le ", alice.body)
        html = html_of(alice)
        self.assertIn(f'<a href="{page}">Mes épreuves</a>', html)
        self.assertIn(f'<a href="{flux}">{flux}</a>', html)
        # Kept for the member in « Mes messages ».
        self.assertEqual(
            list(
                MessageEnvoye.objects.filter(gabarit="planning_jury")
                .order_by("destinataire")
                .values_list("destinataire", "utilisateur_id", "pieces_jointes")
            ),
            [
                (
                    "alice@example.org",
                    self.m1.user.pk,
                    ["mes-epreuves.pdf", "mes-epreuves.ics"],
                ),
                (
                    "bruno@example.org",
                    self.m2.user.pk,
                    ["mes-epreuves.pdf", "mes-epreuves.ics"],
                ),
            ],
        )

    def test_accents_and_ampersand(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(nom="Session d'été & automne")
        self.publish()
        alice = next(m for m in plannings(mail.outbox) if m.to == ["alice@example.org"])
        self.assertEqual(alice.subject, "Vos épreuves — Session d'été & automne")
        self.assertIn("Session d&#x27;été &amp; automne", html_of(alice))
        self.assertNotIn("&#x27;", alice.body)

    def test_sent_once(self) -> None:
        self.publish()
        planning = Planning.objects.get(session=self.session)
        for _ in range(2):
            envoyer_plannings_jury.enqueue(planning.pk)
        self.assertEqual(len(plannings(mail.outbox)), 2)
        self.assertEqual(
            MessageEnvoye.objects.filter(gabarit="planning_jury").count(), 2
        )

    def test_nothing_before_publication(self) -> None:
        planning = Planning.objects.get(session=self.session)
        envoyer_plannings_jury.enqueue(planning.pk)
        self.assertEqual(plannings(mail.outbox), [])

    def move(self, passage: Passage, **kwargs: object) -> None:
        values: dict[str, object] = {
            "inscription": passage.inscription,
            "salle": passage.salle,
            "membres": list(passage.membres.all()),
            "debut": passage.debut,
        }
        values.update(kwargs)
        saisi = self.saisi(**values)
        with self.captureOnCommitCallbacks(execute=True):
            passage_save(saisi=saisi, passage=passage, by=self.admin)
            convocations_launch(planning=Planning.objects.get(session=self.session))

    def test_a_moved_sitting_resends_to_its_members_only(self) -> None:
        self.publish()
        mail.outbox.clear()
        self.move(self.camille_passage, debut=aware(self.jour1, time(15)))
        messages = plannings(mail.outbox)
        self.assertEqual(
            [(m.to, m.subject) for m in messages],
            [(["alice@example.org"], SUJET_MODIFIE)],
        )
        self.assertIn("a changé.", messages[0].body)
        (event,) = icalendar.Calendar.from_ical(messages[0].attachments[1][1]).walk(
            "VEVENT"
        )
        self.assertEqual(event.decoded("dtstart"), aware(self.jour1, time(15)))

    def test_a_member_taken_off_learns_it(self) -> None:
        self.publish()
        mail.outbox.clear()
        self.move(self.camille_passage, membres=[self.m2])
        messages = sorted(plannings(mail.outbox), key=lambda m: m.to)
        self.assertEqual(
            [(m.to, m.subject) for m in messages],
            [
                (["alice@example.org"], SUJET_MODIFIE),
                (["bruno@example.org"], SUJET_MODIFIE),
            ],
        )
        self.assertIn(
            "Vous ne siégez plus à aucun passage de la session Session juin.",
            messages[0].body,
        )
        self.assertIn("Vous siégez à 2 passages, du ", messages[1].body)

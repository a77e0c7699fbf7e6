"""The pages of the live épreuves: permitted user, outsider (404), wrong role
(403), wrong method (405), and fixed query counts with one and many rows."""

from datetime import time, timedelta

import icalendar
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.epreuves.models import (
    Convocation,
    Disponibilite,
    FluxCalendrier,
    Passage,
    Planning,
)
from evaluations.epreuves.tasks import convocations_launch, publish_launch
from evaluations.sessions.models import Session
from handicap.models import Amenagement
from tests.evaluations.epreuves.base import aware
from tests.evaluations.epreuves.test_generation import decide
from tests.evaluations.epreuves.test_services import PassageTestCase, pdf_text
from tests.evaluations.factories_jury import make_membre
from tests.factories import make_candidat, make_inscription, make_user


class ViewsTestCase(PassageTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_session = Session.objects.create(
            referentiel=cls.referentiel,
            nom="Autre session",
            date_ouverture=cls.session.date_ouverture,
            date_limite_depot=cls.session.date_limite_depot,
            date_jury=cls.session.date_jury,
            statut="ouverte",
        )
        cls.etranger = make_membre(cls.other_session, "etranger@example.org")
        cls.m3 = make_membre(cls.session, "chloe@example.org")


class PlanningViewTests(ViewsTestCase):
    def url(self) -> str:
        return reverse("evaluations:epreuves_planning", args=[self.session.pk])

    def test_admin_sees_the_day_by_room(self) -> None:
        self.place()
        self.place(
            inscription=self.dominique,
            salle=self.salle_b,
            membres=[self.m3],
            debut=aware(self.jour1, time(9)),
        )
        self.client.force_login(self.admin)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            list(response.context["salles"]),
            ["Campus Lyon — A101", "Campus Lyon — B203"],
        )
        self.assertContains(response, "Camille MARTIN")
        self.assertContains(response, "Dominique PETIT")

    def test_roles(self) -> None:
        for user, status in (
            (self.camille.candidat.user, 403),
            (self.m1.user, 403),
            (self.president.user, 403),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, status)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(self.url()).status_code, 405)
        self.assertEqual(
            self.client.get(
                reverse("evaluations:epreuves_planning", args=[999999])
            ).status_code,
            404,
        )

    def test_query_count_does_not_grow_with_the_sittings(self) -> None:
        self.client.force_login(self.admin)
        self.place()
        self.client.get(self.url())
        with self.assertNumQueries(14) as one:
            self.client.get(self.url())
        for i in range(6):
            candidat = make_candidat(f"c{i}@example.org", nom=f"Nom{i}")
            inscription = make_inscription(candidat, self.session, blocs=["A2"])
            self.place(
                inscription=inscription,
                membres=[self.m3] if i % 2 else [self.m1],
                salle=self.salle_b if i % 2 else self.salle_a,
                debut=aware(self.jour1, time(10 + i)),
            )
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["page"].object_list), 7)


class GenerationViewTests(ViewsTestCase):
    def test_generate_then_move_a_sitting(self) -> None:
        self.client.force_login(self.admin)
        url = reverse("evaluations:epreuves_generer", args=[self.session.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                {
                    "jours": self.jour1.isoformat(),
                    "debut": "09:00",
                    "fin": "17:30",
                    "pause_debut": "12:30",
                    "pause_fin": "13:30",
                    "intervalle": "10",
                    "salles": [self.salle_a.pk],
                },
            )
        self.assertRedirects(
            response, reverse("evaluations:epreuves_planning", args=[self.session.pk])
        )
        self.assertEqual(Passage.objects.count(), 2)
        passage = Passage.objects.get(inscription=self.camille)
        edit = reverse("evaluations:epreuves_passage", args=[passage.pk])
        self.assertEqual(self.client.get(edit).status_code, 200)
        response = self.client.post(
            edit,
            {
                "jour": self.jour1.isoformat(),
                "heure": "15:00",
                "duree_minutes": "80",
                "salle": self.salle_b.pk,
                "lien_visio": "",
                "modalites": [m.pk for m in self.mes],
                "membres": [self.m1.pk, self.m2.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        passage.refresh_from_db()
        self.assertEqual(
            (timezone.localtime(passage.debut).time(), passage.salle),
            (time(15), self.salle_b),
        )

    def test_a_refused_move_says_why_and_keeps_the_sitting(self) -> None:
        first = self.place()
        second = self.place(
            inscription=self.dominique,
            salle=self.salle_b,
            membres=[self.m3],
            debut=aware(self.jour1, time(11)),
        )
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("evaluations:epreuves_passage", args=[second.pk]),
            {
                "jour": self.jour1.isoformat(),
                "heure": "09:10",
                "duree_minutes": "40",
                "salle": self.salle_a.pk,
                "modalites": [m.pk for m in self.mes[:2]],
                "membres": [self.m3.pk],
            },
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].non_field_errors()
        self.assertEqual(len(errors), 1)
        self.assertTrue(
            errors[0].startswith(
                "La salle Campus Lyon — A101 est prise par Camille MARTIN le "
            )
        )
        second.refresh_from_db()
        self.assertEqual(timezone.localtime(second.debut).time(), time(11))
        self.assertEqual(first.salle, self.salle_a)

    def test_wrong_role_and_outsider(self) -> None:
        passage = self.place()
        edit = reverse("evaluations:epreuves_passage", args=[passage.pk])
        self.client.force_login(self.m1.user)
        self.assertEqual(self.client.get(edit).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(
            self.client.get(
                reverse("evaluations:epreuves_passage", args=[999999])
            ).status_code,
            404,
        )
        self.assertEqual(self.client.delete(edit).status_code, 405)


class JuryViewTests(ViewsTestCase):
    def test_member_page_availability_and_attendance(self) -> None:
        passage = self.place(membres=[self.m1])
        self.client.force_login(self.m1.user)
        page = reverse("evaluations:epreuves_mes_passages", args=[self.session.pk])
        self.assertEqual(self.client.get(page).status_code, 200)
        response = self.client.post(
            reverse(
                "evaluations:epreuves_disponibilite_ajouter", args=[self.session.pk]
            ),
            {"jour": self.jour1.isoformat(), "demi_journee": "matin"},
        )
        self.assertRedirects(response, page)
        self.assertEqual(
            list(
                Disponibilite.objects.values_list("membre_id", "date", "debut", "fin")
            ),
            [(self.m1.pk, self.jour1, time(8, 30), time(12, 30))],
        )
        response = self.client.post(
            reverse(
                "evaluations:epreuves_disponibilite_ajouter", args=[self.session.pk]
            ),
            {
                "jour": self.jour1.isoformat(),
                "demi_journee": "autre",
                "debut": "15:00",
                "fin": "14:00",
            },
            follow=True,
        )
        self.assertContains(response, "La disponibilité doit finir après son début.")
        self.assertEqual(Disponibilite.objects.count(), 1)
        presence = reverse("evaluations:epreuves_presence", args=[passage.pk])
        self.assertEqual(self.client.get(presence).status_code, 405)
        with time_machine.travel(aware(self.jour1, time(9, 2)), tick=False):
            # The login session would have expired a week later: log in that day.
            self.client.force_login(self.m1.user)
            response = self.client.post(presence, {"presence": "absent"})
        self.assertRedirects(response, page, fetch_redirect_response=False)
        self.assertEqual(
            Deliberation.objects.get(inscription=self.camille).decision, "absent"
        )

    def test_attendance_outsider_and_wrong_member(self) -> None:
        passage = self.place(membres=[self.m1])
        presence = reverse("evaluations:epreuves_presence", args=[passage.pk])
        self.client.force_login(self.m2.user)  # same session, not on the sitting
        self.assertEqual(
            self.client.post(presence, {"presence": "absent"}).status_code, 403
        )
        self.client.force_login(self.etranger.user)
        self.assertEqual(
            self.client.post(presence, {"presence": "absent"}).status_code, 404
        )
        self.client.force_login(self.camille.candidat.user)
        self.assertEqual(
            self.client.post(presence, {"presence": "absent"}).status_code, 404
        )
        passage.refresh_from_db()
        self.assertEqual(passage.presence, "a_constater")

    def test_member_page_of_another_session_is_404_and_candidates_403(self) -> None:
        page = reverse("evaluations:epreuves_mes_passages", args=[self.session.pk])
        self.client.force_login(self.etranger.user)
        self.assertEqual(self.client.get(page).status_code, 404)
        self.client.force_login(self.camille.candidat.user)
        self.assertEqual(self.client.get(page).status_code, 403)

    def test_member_page_query_count(self) -> None:
        self.client.force_login(self.m1.user)
        page = reverse("evaluations:epreuves_mes_passages", args=[self.session.pk])
        self.place()
        self.client.get(page)
        with self.assertNumQueries(11) as one:
            self.client.get(page)
        for i in range(5):
            inscription = make_inscription(
                make_candidat(f"d{i}@example.org", nom=f"Nom{i}"),
                self.session,
                blocs=["A2"],
            )
            self.place(inscription=inscription, debut=aware(self.jour1, time(10 + i)))
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(page)
        self.assertEqual(len(response.context["passages"]), 6)

    def test_schedule_ics_and_private_feed(self) -> None:
        self.place()
        self.client.force_login(self.m1.user)
        response = self.client.get(reverse("evaluations:epreuves_agenda_ics"))
        cal = icalendar.Calendar.from_ical(response.content)
        self.assertEqual(
            [str(e["summary"]) for e in cal.walk("VEVENT")],
            ["Jury — Camille MARTIN (C2.1, C2.2)"],
        )
        pdf = self.client.get(reverse("evaluations:epreuves_agenda_pdf"))
        self.assertIn("Camille MARTIN", pdf_text(b"".join(pdf.streaming_content)))
        flux_url = reverse("evaluations:epreuves_flux")
        self.client.post(flux_url, {"retour": "/"})
        jeton = FluxCalendrier.objects.get(user=self.m1.user).jeton
        self.client.logout()
        feed = reverse("evaluations:epreuves_flux_ics", args=[jeton])
        cal = icalendar.Calendar.from_ical(self.client.get(feed).content)
        (event,) = cal.walk("VEVENT")
        self.assertEqual(event.decoded("dtstart"), aware(self.jour1, time(9)))
        self.client.force_login(self.m1.user)
        self.client.post(flux_url, {"revoquer": "1", "retour": "/"})
        self.client.logout()
        self.assertEqual(self.client.get(feed).status_code, 404)
        self.assertEqual(self.client.post(feed).status_code, 405)


class CandidateViewTests(ViewsTestCase):
    def publish(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            publish_launch(session=self.session, by=self.admin)

    def test_candidate_downloads_the_convocation(self) -> None:
        self.place()
        self.publish()
        convocation = Convocation.objects.get()
        self.client.force_login(self.camille.candidat.user)
        response = self.client.get(reverse("evaluations:epreuves_mes_convocations"))
        self.assertContains(response, "Télécharger la convocation (PDF)")
        pdf = self.client.get(
            reverse("evaluations:epreuves_convocation_pdf", args=[convocation.pk])
        )
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("Camille MARTIN", pdf_text(b"".join(pdf.streaming_content)))
        ics = self.client.get(
            reverse("evaluations:epreuves_convocation_ics", args=[convocation.pk])
        )
        (event,) = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        self.assertEqual(
            (event.decoded("dtstart"), event.decoded("dtend")),
            (aware(self.jour1, time(9)), aware(self.jour1, time(9, 40))),
        )
        # Camille's convocation; the members of the sitting get their schedule.
        self.assertEqual(
            sorted((m.to[0], m.subject) for m in mail.outbox),
            [
                ("alice@example.org", "Vos épreuves — Session juin"),
                ("bruno@example.org", "Vos épreuves — Session juin"),
                ("camille@example.org", "Convocation — Session juin"),
            ],
        )

    def test_other_candidate_404_and_methods(self) -> None:
        self.place()
        self.publish()
        convocation = Convocation.objects.get()
        self.client.force_login(self.dominique.candidat.user)
        for name in ("epreuves_convocation_pdf", "epreuves_convocation_ics"):
            url = reverse(f"evaluations:{name}", args=[convocation.pk])
            self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.camille.candidat.user)
        url = reverse("evaluations:epreuves_convocation_pdf", args=[convocation.pk])
        self.assertEqual(self.client.post(url).status_code, 405)
        self.client.force_login(self.m1.user)
        self.assertEqual(
            self.client.get(
                reverse("evaluations:epreuves_mes_convocations")
            ).status_code,
            403,
        )

    def test_convocations_query_count(self) -> None:
        self.place()
        self.publish()
        self.client.force_login(self.camille.candidat.user)
        url = reverse("evaluations:epreuves_mes_convocations")
        self.client.get(url)
        with self.assertNumQueries(7) as one:
            self.client.get(url)
        planning = Planning.objects.get()
        for i in range(3):
            self.place(
                modalites=self.mes[2:],
                debut=aware(self.jour2, time(9 + 2 * i)),
            )
        with self.captureOnCommitCallbacks(execute=True):
            convocations_launch(planning=planning)
        self.assertEqual(Convocation.objects.count(), 4)
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 4)


class GridSittingTests(ViewsTestCase):
    def test_the_grid_shows_the_sitting_of_each_live_modality(self) -> None:
        self.place()
        self.client.force_login(self.m1.user)
        response = self.client.get(
            reverse("evaluations:grille", args=[self.camille.pk])
        )
        self.assertEqual(response.status_code, 200)
        lignes = {
            ligne.competence.code: ligne.passage
            for bloc in response.context["grille"].blocs
            for ligne in bloc.competences
        }
        self.assertEqual(sorted(k for k, v in lignes.items() if v), ["C2.1", "C2.2"])
        passage = lignes["C2.1"]
        self.assertEqual(
            (passage.debut, passage.lieu, passage.membres),
            (
                aware(self.jour1, time(9)),
                "Campus Lyon — A101",
                ("Alice Nom", "Bruno Nom"),
            ),
        )
        self.assertContains(response, "Campus Lyon — A101", count=2)
        # session, user, assignment (and what the grid reads beside it), scores,
        # and the sittings with their members' names in one query
        with self.assertNumQueries(5):
            self.client.get(reverse("evaluations:grille", args=[self.camille.pk]))
        # The jump list: one link per competency (the phone's previous/next
        # links aside).
        self.assertContains(
            response, '<li class="list-inline-item"><a href="#competence-', count=4
        )
        self.assertContains(response, 'rel="next"', count=3)


class PlanningByMemberAndDeadlineTests(ViewsTestCase):
    def test_sittings_of_one_member(self) -> None:
        self.place(membres=[self.m1])
        self.place(
            inscription=self.dominique,
            salle=self.salle_b,
            membres=[self.m3],
            debut=aware(self.jour2, time(9)),
        )
        self.client.force_login(self.admin)
        url = reverse("evaluations:epreuves_planning", args=[self.session.pk])
        response = self.client.get(url, {"membre": self.m3.pk})
        self.assertEqual(
            [p.inscription_id for p in response.context["par_membre"].object_list],
            [self.dominique.pk],
        )
        self.assertEqual(
            response.context["query_string"], f"jour={self.jour1}&membre={self.m3.pk}"
        )
        # A member of another session is ignored.
        response = self.client.get(url, {"membre": self.etranger.pk})
        self.assertIsNone(response.context["par_membre"])

    def test_requests_after_the_deadline_are_flagged(self) -> None:
        decide(self.camille, ("temps_majore", ""))
        self.client.force_login(self.admin)
        url = reverse("evaluations:epreuves_planning", args=[self.session.pk])
        self.client.post(
            reverse("evaluations:epreuves_reglages", args=[self.session.pk]),
            {
                "date_limite_amenagements": (
                    timezone.localdate() - timedelta(days=1)
                ).isoformat()
            },
        )
        self.assertEqual(
            Planning.objects.get().date_limite_amenagements,
            timezone.localdate() - timedelta(days=1),
        )
        response = self.client.get(url)
        self.assertEqual(
            [d.inscription_id for d in response.context["tardives"]], [self.camille.pk]
        )
        self.assertContains(
            response, "Demandes d\u2019aménagement après la date limite"
        )
        referent = make_user("ref16@example.org", Role.REFERENT_HANDICAP)
        self.client.force_login(referent)
        bureau = self.client.get(reverse("handicap:bureau"))
        self.assertContains(bureau, "après la date limite des aménagements", count=1)
        Planning.objects.update(date_limite_amenagements=timezone.localdate())
        bureau = self.client.get(reverse("handicap:bureau"))
        self.assertNotContains(bureau, "après la date limite des aménagements")


class GridFormatTests(ViewsTestCase):
    def test_the_confirmed_adapted_format_shows_on_its_modality(self) -> None:
        decide(self.camille, ("temps_majore", ""))
        demande = self.camille.demande_amenagement
        for modalite, confirme in ((self.mes[0], True), (self.mes[1], False)):
            Amenagement.objects.create(
                demande=demande,
                type="format_adapte",
                modalite=modalite,
                precision=f"Écrit au lieu de l'oral ({modalite.competence.code})",
                description="Décidé.",
                confirme_par=self.admin if confirme else None,
                confirme_le=timezone.now() if confirme else None,
            )
        self.client.force_login(self.m1.user)
        response = self.client.get(
            reverse("evaluations:grille", args=[self.camille.pk])
        )
        formats = {
            ligne.competence.code: ligne.format_adapte
            for bloc in response.context["grille"].blocs
            for ligne in bloc.competences
            if ligne.format_adapte
        }
        self.assertEqual(formats, {"C2.1": "Écrit au lieu de l'oral (C2.1)"})


class FluxRedirectTests(ViewsTestCase):
    def test_the_feed_form_never_sends_elsewhere(self) -> None:
        self.client.force_login(self.m1.user)
        url = reverse("evaluations:epreuves_flux")
        page = reverse("evaluations:epreuves_mes_passages", args=[self.session.pk])
        self.assertRedirects(
            self.client.post(url, {"retour": page}), page, fetch_redirect_response=False
        )
        self.assertRedirects(
            self.client.post(url, {"retour": "https://evil.example.com/"}),
            reverse("evaluations:epreuves_mes_sessions"),
            fetch_redirect_response=False,
        )
        self.assertEqual(FluxCalendrier.objects.filter(user=self.m1.user).count(), 1)

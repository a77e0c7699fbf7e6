"""The candidate's space: own enrolments only, what each modality expects, files
and history, upload with receipt, withdrawal, deadline, constant query count."""

import hashlib
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from certif.uploads import BUREAUTIQUE
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import BlocAcquis, Session
from tests.evaluations.factories import (
    make_livrable,
    modalites_of,
    ooxml_bytes,
    pdf_bytes,
    upload,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)


class CandidatViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        cls.referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel, nom="Session ouverte")
        cls.candidat = make_candidat("candidat@example.org")
        cls.user = cls.candidat.user
        cls.inscription = make_inscription(
            cls.candidat, cls.session, blocs=["A1", "A2"]
        )
        cls.autre = make_candidat("autre@example.org", nom="Autre")
        cls.autre_inscription = make_inscription(cls.autre, cls.session)
        cls.modalite = modalites_of(cls.inscription)[0]
        cls.dossier_url = reverse("evaluations:dossier", args=[cls.inscription.pk])
        cls.depot_url = reverse(
            "evaluations:depot", args=[cls.inscription.pk, cls.modalite.pk]
        )

    def post_files(self, *files, url=None):  # type: ignore[no-untyped-def]
        return self.client.post(url or self.depot_url, {"fichiers": list(files)})


class PermissionTests(CandidatViewTestCase):
    def setUp(self) -> None:
        self.livrable = make_livrable(self.inscription, self.modalite)

    def urls(self) -> list[tuple[str, str]]:
        pk = self.inscription.pk
        return [
            ("get", reverse("evaluations:mon_dossier")),
            ("get", self.dossier_url),
            ("post", self.depot_url),
            (
                "get",
                reverse("evaluations:depot_recu", args=[pk]) + f"?l={self.livrable.pk}",
            ),
            ("post", reverse("evaluations:livrable_retirer", args=[self.livrable.pk])),
        ]

    def test_anonymous_redirected_to_login(self) -> None:
        for method, url in self.urls():
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/connexion/?next="))

    def test_jury_and_referent_forbidden(self) -> None:
        for user in (self.jury, self.referent):
            self.client.force_login(user)
            for method, url in self.urls():
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        self.assertIsNone(Livrable.objects.get(pk=self.livrable.pk).retire_le)

    def test_other_candidate_gets_404(self) -> None:
        self.client.force_login(self.autre.user)
        for method, url in self.urls()[1:]:
            with self.subTest(url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 404)
        self.assertEqual(Livrable.objects.count(), 1)
        self.assertIsNone(Livrable.objects.get(pk=self.livrable.pk).retire_le)

    def test_administrator_reads_but_does_not_write(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(
            self.client.get(reverse("evaluations:mon_dossier")).status_code, 403
        )
        response = self.client.get(self.dossier_url)
        self.assertEqual(response.status_code, 200)
        self.assertIs(response.context["peut_deposer"], False)
        self.assertNotContains(response, 'type="file"')
        self.assertContains(response, "14/03/1995 à Paris (75056) — Féminin")
        self.assertEqual(self.post_files(upload("a.pdf")).status_code, 403)

    def test_wrong_methods(self) -> None:
        self.client.force_login(self.user)
        for method, url in [
            ("post", reverse("evaluations:mon_dossier")),
            ("post", self.dossier_url),
            ("get", self.depot_url),
            ("get", reverse("evaluations:livrable_retirer", args=[self.livrable.pk])),
        ]:
            with self.subTest(url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 405)


class SpaceTests(CandidatViewTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.user)

    def test_my_messages_are_linked_from_the_dossier_and_the_home_page(self) -> None:
        lien = '<a href="/compte/messages/">Mes messages</a>'
        for url in (reverse("evaluations:mon_dossier"), self.dossier_url):
            self.assertContains(self.client.get(url), lien, html=True)
        home = self.client.get("/")
        self.assertContains(
            home,
            "Relire les e-mails que la plateforme vous a envoyés : invitation, "
            "rappels avant la date limite, convocations, documents disponibles.",
        )
        self.assertContains(home, 'href="/compte/messages/"')
        # Someone else's dossier (the administrator's view) has no such link.
        self.client.force_login(self.admin)
        self.assertNotContains(self.client.get(self.dossier_url), lien, html=True)

    def test_list_shows_own_enrolments_only(self) -> None:
        response = self.client.get(reverse("evaluations:mon_dossier"))
        self.assertEqual(list(response.context["page"].object_list), [self.inscription])
        self.assertContains(response, "0 / 9 modalités déposées")

    def test_dossier_shows_the_blocs_of_the_path_with_the_professional_variant(
        self,
    ) -> None:
        response = self.client.get(self.dossier_url)
        dossier = response.context["dossier"]
        self.assertEqual([b.bloc.code for b in dossier.blocs], ["A1", "A2"])
        first = dossier.blocs[0].modalites[0]
        # The description (the elements) and the dossier professionnel
        # instruction that refers to them, never one instead of the other.
        self.assertEqual(
            (first.consigne, first.dossier_professionnel),
            (first.modalite.description, first.modalite.description_capitalisation),
        )
        c14 = next(
            m for b in dossier.blocs for m in b.modalites if m.competence.code == "C1.4"
        )
        self.assertContains(response, "C1.4 — Dossier professionnel")
        self.assertIn(c14.modalite.description.splitlines()[0], c14.consigne)
        self.assertIs(response.context["peut_deposer"], True)
        self.assertContains(response, "Date limite de dépôt :")

    def test_complete_path_shows_the_description(self) -> None:
        self.client.force_login(self.autre.user)
        response = self.client.get(
            reverse("evaluations:dossier", args=[self.autre_inscription.pk])
        )
        first = response.context["dossier"].blocs[0].modalites[0]
        self.assertEqual(
            (first.consigne, first.dossier_professionnel),
            (first.modalite.description, ""),
        )
        self.assertNotContains(response, "Dossier professionnel")
        self.assertEqual(len(response.context["dossier"].blocs), 5)

    def test_capitalised_bloc_shown(self) -> None:
        earlier = make_session(self.referentiel, nom="Avant", statut="close")
        old = make_inscription(self.candidat, earlier)
        BlocAcquis.objects.create(
            candidat=self.candidat,
            bloc=self.referentiel.blocs.get(code="A5"),
            session=earlier,
            inscription=old,
            acquis_le=timezone.localdate(),
        )
        response = self.client.get(self.dossier_url)
        self.assertEqual(
            [b.code for b in response.context["dossier"].capitalises], ["A5"]
        )
        self.assertContains(response, "A5 capitalisé")

    def test_upload_then_receipt(self) -> None:
        content = pdf_bytes(b"mon travail")
        response = self.post_files(
            upload("Étude de cas.pdf", content),
            upload("annexe.docx", ooxml_bytes("word")),
        )
        first, second = Livrable.objects.order_by("pk")
        receipt = (
            reverse("evaluations:depot_recu", args=[self.inscription.pk])
            + f"?l={first.pk}&l={second.pk}"
        )
        self.assertRedirects(response, receipt, fetch_redirect_response=False)
        response = self.client.get(receipt)
        self.assertContains(response, "Étude de cas.pdf (v1)")
        self.assertContains(response, hashlib.sha256(content).hexdigest())
        self.assertContains(response, f"{len(content)} octets")
        local = timezone.localtime(first.depose_le)
        self.assertContains(
            response, local.strftime("%d/%m/%Y à %H:%M:%S") + " (heure de Paris)"
        )

    def test_bad_upload_message_next_to_the_field(self) -> None:
        response = self.post_files(upload("setup.pdf", b"MZ" + b"\x00" * 100))
        self.assertEqual(response.status_code, 400)
        pk = self.modalite.pk
        self.assertEqual(
            response.context["refus"].messages,
            [
                "Le contenu de « setup.pdf » n'est pas un document PDF, DOCX, ODT, "
                "PPTX, ODP, XLSX, ODS : fichier refusé."
            ],
        )
        self.assertContains(
            response,
            f'<input class="form-control is-invalid" type="file" name="fichiers" '
            f'id="fichiers-{pk}" multiple required accept="{BUREAUTIQUE.accepte()}" '
            f'aria-describedby="erreur-{pk} aide-{pk}" aria-invalid="true" autofocus '
            f"data-depot-refus>",
            html=False,
            status_code=400,
        )
        self.assertContains(
            response,
            f'<div class="invalid-feedback d-block" id="erreur-{pk}" role="alert">'
            '<p class="mb-0">Le contenu de « setup.pdf » n&#x27;est pas un document '
            "PDF, DOCX, ODT, PPTX, ODP, XLSX, ODS : fichier refusé.</p></div>",
            status_code=400,
        )
        # One field only is marked; every form goes back to its modality.
        self.assertContains(response, "aria-invalid", count=1, status_code=400)
        self.assertContains(
            response,
            f'action="{self.depot_url}#fichiers-{pk}"',
            count=1,
            status_code=400,
        )
        self.assertContains(response, "js/dossier.js", count=1, status_code=400)
        self.assertEqual(list(response.context["messages"]), [])
        self.assertEqual(Livrable.objects.count(), 0)

    def test_every_refusal_is_shown_at_the_field(self) -> None:
        for name, content, message in (
            (
                "gros.pdf",
                pdf_bytes(b"x" * 2000),
                "Le fichier dépasse la taille maximale de 1\xa0000 octets.",
            ),
            ("vide.pdf", b"", "Le fichier « vide.pdf » est vide."),
        ):
            with self.subTest(name=name), self.settings(UPLOAD_MAX_BYTES=1000):
                response = self.post_files(upload(name, content))
                self.assertEqual(response.status_code, 400)
                refus = response.context["refus"]
                self.assertEqual(refus.modalite_id, self.modalite.pk)
                self.assertEqual(refus.messages, [message])
                self.assertContains(
                    response, f'id="erreur-{self.modalite.pk}" role="alert"', 1, 400
                )
        self.assertEqual(Livrable.objects.count(), 0)

    def test_no_file_chosen(self) -> None:
        response = self.client.post(self.depot_url, {})
        self.assertEqual(
            response.context["refus"].messages, ["Ce champ est obligatoire."]
        )
        self.assertContains(response, "Ce champ est obligatoire.", status_code=400)
        self.assertEqual(Livrable.objects.count(), 0)

    def test_modality_outside_the_path(self) -> None:
        outside = modalites_of(self.autre_inscription)[-1]
        url = reverse("evaluations:depot", args=[self.inscription.pk, outside.pk])
        response = self.post_files(upload("a.pdf"), url=url)
        self.assertIs(response.context["refus"].en_tete, True)
        # Not next to a field (the modality has no card): at the top, focused.
        self.assertContains(
            response,
            '<div class="alert alert-danger" role="alert" tabindex="-1" autofocus '
            'data-depot-refus><p class="mb-0">Cette modalité ne fait pas partie de '
            "votre parcours.</p></div>",
            status_code=400,
        )
        self.assertNotContains(response, "aria-invalid", status_code=400)
        self.assertEqual(Livrable.objects.count(), 0)

    def test_modality_of_another_referentiel_is_404(self) -> None:
        other = make_referentiel(small_data())
        modalite = other.blocs.get().activites.get().competences.get().modalite
        url = reverse("evaluations:depot", args=[self.inscription.pk, modalite.pk])
        self.assertEqual(self.post_files(upload("a.pdf"), url=url).status_code, 404)

    def test_after_the_deadline_read_only(self) -> None:
        livrable = make_livrable(self.inscription, self.modalite)
        Session.objects.filter(pk=self.session.pk).update(
            date_limite_depot=timezone.now() - timedelta(hours=1)
        )
        response = self.client.get(self.dossier_url)
        self.assertIs(response.context["peut_deposer"], False)
        self.assertContains(
            response,
            "La date limite de dépôt est passée : le dossier est en lecture seule.",
        )
        self.assertNotContains(response, 'type="file"')
        self.assertNotContains(response, "Retirer")
        response = self.post_files(upload("tard.pdf"))
        # No field any more: the message stands in its place, focused.
        self.assertContains(
            response,
            f'<div class="alert alert-danger mb-0" id="erreur-{self.modalite.pk}" '
            'role="alert" tabindex="-1" autofocus data-depot-refus><p class="mb-0">'
            "La date limite de dépôt est passée : le dossier est en lecture seule."
            "</p></div>",
            status_code=400,
        )
        self.assertNotContains(response, 'type="file"', status_code=400)
        self.client.post(reverse("evaluations:livrable_retirer", args=[livrable.pk]))
        self.assertEqual(Livrable.objects.count(), 1)
        self.assertIsNone(Livrable.objects.get().retire_le)

    def test_withdraw_and_history(self) -> None:
        v1 = make_livrable(self.inscription, self.modalite, name="rapport.pdf")
        v2 = make_livrable(self.inscription, self.modalite, name="rapport.pdf")
        response = self.client.post(
            reverse("evaluations:livrable_retirer", args=[v2.pk]), follow=True
        )
        self.assertContains(
            response,
            "« rapport.pdf » est retiré ; il reste visible dans l&#x27;historique.",
        )
        modalite = response.context["dossier"].blocs[0].modalites[0]
        self.assertEqual(
            [(x.livrable.pk, x.est_courant) for x in modalite.livrables],
            [(v1.pk, False), (v2.pk, True)],
        )
        self.assertEqual(modalite.courants, [])
        self.assertContains(response, "remplacé")
        self.assertContains(response, "retiré le")

    def test_constant_number_of_queries(self) -> None:
        make_livrable(self.inscription, self.modalite)
        self.client.get(self.dossier_url)
        with self.assertNumQueries(10):
            self.client.get(self.dossier_url)
        for modalite in modalites_of(self.inscription):
            make_livrable(self.inscription, modalite, name="a.pdf")
            make_livrable(self.inscription, modalite, name="a.pdf")
            make_livrable(self.inscription, modalite, name="b.pdf")
        with self.assertNumQueries(10):
            response = self.client.get(self.dossier_url)
        self.assertEqual(response.context["dossier"].nb_recus, 9)

    def test_list_constant_number_of_queries(self) -> None:
        self.client.get(reverse("evaluations:mon_dossier"))
        with self.assertNumQueries(8):
            self.client.get(reverse("evaluations:mon_dossier"))
        for index in range(3):
            session = make_session(self.referentiel, nom=f"S{index}")
            make_inscription(self.candidat, session)
        with self.assertNumQueries(8):
            response = self.client.get(reverse("evaluations:mon_dossier"))
        self.assertEqual(len(response.context["page"].object_list), 4)

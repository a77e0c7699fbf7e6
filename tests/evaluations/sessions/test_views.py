"""The administrator's session pages: permissions, forms, transitions, enrolment
and the session desk (filters, search, progress, constant query count)."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from certif.roles import Role
from evaluations.sessions.models import BlocAcquis, Candidat, Inscription, Session
from evaluations.sessions.selectors import progress_of, session_progress
from tests.clock import frozen
from tests.evaluations.factories import make_livrable, modalites_of
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
)


class SessionViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.candidat = make_user("candidat@example.org", Role.CANDIDAT)
        cls.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        cls.referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel, nom="Session A")

    def session_urls(self, session: Session) -> list[tuple[str, str]]:
        """(method, url) of every page of a session."""
        pk = session.pk
        return [
            ("get", reverse("evaluations:session_detail", args=[pk])),
            ("get", reverse("evaluations:session_edit", args=[pk])),
            ("post", reverse("evaluations:session_transition", args=[pk, "evaluer"])),
            ("get", reverse("evaluations:session_inscrire", args=[pk])),
            ("get", reverse("evaluations:session_inscrire_existant", args=[pk])),
            ("get", reverse("evaluations:session_import", args=[pk])),
            ("get", reverse("evaluations:session_import_preview", args=[pk, 1])),
            ("post", reverse("evaluations:session_import_confirm", args=[pk, 1])),
        ]

    def all_urls(self) -> list[tuple[str, str]]:
        return [
            ("get", reverse("evaluations:session_list")),
            ("get", reverse("evaluations:session_create")),
            ("get", reverse("evaluations:session_import_example")),
            *self.session_urls(self.session),
        ]


class PermissionTests(SessionViewTestCase):
    def test_anonymous_redirected_to_login(self) -> None:
        for method, url in self.all_urls():
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"/connexion/?next={url}", fetch_redirect_response=False
                )

    def test_other_roles_forbidden(self) -> None:
        for user in (self.candidat, self.jury, self.referent):
            self.client.force_login(user)
            for method, url in self.all_urls():
                with self.subTest(user=user.email, url=url):
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 403)
                    self.assertTemplateUsed(response, "403.html")
        self.assertEqual(
            Session.objects.get(pk=self.session.pk).statut, Session.Statut.OUVERTE
        )

    def test_unknown_session(self) -> None:
        self.client.force_login(self.admin)
        missing = Session(pk=999999)
        for method, url in self.session_urls(missing):
            with self.subTest(url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 404)

    def test_wrong_methods(self) -> None:
        self.client.force_login(self.admin)
        pk = self.session.pk
        for method, url in [
            ("post", reverse("evaluations:session_list")),
            ("post", reverse("evaluations:session_detail", args=[pk])),
            ("get", reverse("evaluations:session_transition", args=[pk, "ouvrir"])),
            ("get", reverse("evaluations:session_import_confirm", args=[pk, 1])),
            ("delete", reverse("evaluations:session_edit", args=[pk])),
            ("put", reverse("evaluations:session_inscrire", args=[pk])),
        ]:
            with self.subTest(url=url, method=method):
                self.assertEqual(getattr(self.client, method)(url).status_code, 405)

    def test_unknown_transition(self) -> None:
        self.client.force_login(self.admin)
        url = reverse("evaluations:session_transition", args=[self.session.pk, "x"])
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_administrator_pages(self) -> None:
        self.client.force_login(self.admin)
        for method, url in self.all_urls():
            if method == "post" or "import/1/" in url:
                continue
            with self.subTest(url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 200)


class SessionFormTests(SessionViewTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def test_create(self) -> None:
        today = timezone.localdate()
        response = self.client.post(
            reverse("evaluations:session_create"),
            {
                "nom": "Session d'été",
                "referentiel": self.referentiel.pk,
                "date_ouverture": today.isoformat(),
                "date_limite_depot": (today + timedelta(days=10)).isoformat()
                + "T18:30",
                "date_jury": (today + timedelta(days=20)).isoformat(),
                "lieu_jury": "Lyon, salle du conseil",
            },
        )
        session = Session.objects.get(nom="Session d'été")
        self.assertRedirects(response, session.get_absolute_url())
        self.assertEqual(session.statut, Session.Statut.BROUILLON)
        self.assertEqual(session.lieu_jury, "Lyon, salle du conseil")
        local = timezone.localtime(session.date_limite_depot)
        self.assertEqual((local.hour, local.minute), (18, 30))

    def test_create_refuses_a_too_long_place(self) -> None:
        today = timezone.localdate()
        response = self.client.post(
            reverse("evaluations:session_create"),
            {
                "nom": "Session longue",
                "referentiel": self.referentiel.pk,
                "date_ouverture": today.isoformat(),
                "date_limite_depot": (today + timedelta(days=10)).isoformat()
                + "T18:30",
                "date_jury": (today + timedelta(days=20)).isoformat(),
                "lieu_jury": "x" * 201,
            },
        )
        self.assertContains(
            response,
            "Assurez-vous que cette valeur comporte au plus 200 caractères "
            "(actuellement 201).",
        )
        self.assertIs(Session.objects.filter(nom="Session longue").exists(), False)

    def test_create_refuses_bad_dates(self) -> None:
        today = timezone.localdate()
        response = self.client.post(
            reverse("evaluations:session_create"),
            {
                "nom": "Mauvaise",
                "referentiel": self.referentiel.pk,
                "date_ouverture": today.isoformat(),
                "date_limite_depot": (today + timedelta(days=10)).isoformat()
                + "T18:30",
                "date_jury": (today + timedelta(days=2)).isoformat(),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "La date du jury doit suivre la date limite de dépôt."
        )
        self.assertEqual(Session.objects.filter(nom="Mauvaise").count(), 0)

    def test_draft_referentiel_not_offered(self) -> None:
        from tests.factories import small_data

        draft = make_referentiel(small_data(), publish=False)
        response = self.client.get(reverse("evaluations:session_create"))
        self.assertEqual(
            list(response.context["form"].fields["referentiel"].queryset),
            [self.referentiel],
        )
        self.assertNotEqual(draft.pk, self.referentiel.pk)

    def test_edit(self) -> None:
        url = reverse("evaluations:session_edit", args=[self.session.pk])
        response = self.client.get(url)
        self.assertContains(response, 'value="Session A"')
        data = {
            "nom": "Session A bis",
            "referentiel": self.referentiel.pk,
            "date_ouverture": self.session.date_ouverture.isoformat(),
            "date_limite_depot": timezone.localtime(
                self.session.date_limite_depot
            ).strftime("%Y-%m-%dT%H:%M"),
            "date_jury": self.session.date_jury.isoformat(),
        }
        response = self.client.post(url, data)
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertEqual(Session.objects.get(pk=self.session.pk).nom, "Session A bis")


class TransitionViewTests(SessionViewTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def test_open_then_refused_evaluation(self) -> None:
        draft = make_session(self.referentiel, nom="Brouillon", statut="brouillon")
        url = reverse("evaluations:session_transition", args=[draft.pk, "ouvrir"])
        response = self.client.post(url, follow=True)
        self.assertRedirects(response, draft.get_absolute_url())
        self.assertContains(response, "La session est maintenant « Ouverte ».")
        url = reverse("evaluations:session_transition", args=[draft.pk, "evaluer"])
        response = self.client.post(url, follow=True)
        self.assertContains(
            response,
            "Aucun candidat n&#x27;est inscrit : il n&#x27;y a rien à évaluer.",
        )
        self.assertEqual(Session.objects.get(pk=draft.pk).statut, "ouverte")

    def test_wrong_order_refused(self) -> None:
        url = reverse("evaluations:session_transition", args=[self.session.pk, "clore"])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "statut actuel : « Ouverte »")
        self.assertEqual(Session.objects.get(pk=self.session.pk).statut, "ouverte")


class EnrolViewTests(SessionViewTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def identity(self, **overrides: object) -> dict[str, object]:
        return {
            "email": "nouveau@example.org",
            "nom_naissance": "NOUVEAU",
            "prenom1": "Noé",
            "date_naissance": "1990-01-31",
            "sexe": "M",
            "commune_naissance": "Marseille",
            "code_insee_naissance": "13055",
            "voie_acces": "apprentissage",
            "parcours": "blocs",
            "blocs": [self.referentiel.blocs.get(code="A3").pk],
            **overrides,
        }

    @frozen()
    def test_new_candidate(self) -> None:
        url = reverse("evaluations:session_inscrire", args=[self.session.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, self.identity(), follow=True)
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertContains(
            response,
            "Inscription de Noé NOUVEAU enregistrée ; une invitation a été envoyée à nouveau@example.org.",
        )
        self.assertContains(response, "invité le 18/03/2026, compte non activé")
        inscription = Inscription.objects.get(
            candidat__user__email="nouveau@example.org"
        )
        self.assertEqual(inscription.voie_acces, "apprentissage")
        self.assertEqual([b.code for b in inscription.blocs.all()], ["A3"])
        self.assertEqual(mail.outbox[0].to, ["nouveau@example.org"])

    def test_new_candidate_errors_shown(self) -> None:
        url = reverse("evaluations:session_inscrire", args=[self.session.pk])
        response = self.client.post(
            url, self.identity(code_insee_naissance="ABCDE", blocs=[])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Le code INSEE compte 5 caractères")
        self.assertContains(response, "Choisissez au moins un bloc de compétences.")
        self.assertEqual(Candidat.objects.count(), 0)

    def test_duplicate_identity_shown(self) -> None:
        make_candidat("autre@example.org", nom="Nouveau", prenom="Noe")
        Candidat.objects.filter(user__email="autre@example.org").update(
            date_naissance="1990-01-31"
        )
        url = reverse("evaluations:session_inscrire", args=[self.session.pk])
        response = self.client.post(url, self.identity())
        self.assertContains(response, "existe déjà (autre@example.org)")
        self.assertEqual(Candidat.objects.count(), 1)

    def test_existing_candidate(self) -> None:
        existing = make_candidat("existant@example.org")
        url = reverse("evaluations:session_inscrire_existant", args=[self.session.pk])
        response = self.client.post(
            url,
            {
                "email": "EXISTANT@example.org",
                "voie_acces": "vae",
                "parcours": "complet",
            },
        )
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertEqual(Inscription.objects.get(candidat=existing).voie_acces, "vae")
        response = self.client.post(
            url,
            {
                "email": "inconnu@example.org",
                "voie_acces": "vae",
                "parcours": "complet",
            },
        )
        self.assertContains(response, "Aucun candidat n&#x27;a cette adresse e-mail")

    def test_enrolment_closed(self) -> None:
        closed = make_session(self.referentiel, nom="Évaluée", statut="en_evaluation")
        url = reverse("evaluations:session_inscrire", args=[closed.pk])
        response = self.client.get(url, follow=True)
        self.assertRedirects(response, closed.get_absolute_url())
        self.assertContains(response, "Les inscriptions sont fermées")


class DeskTests(SessionViewTestCase):
    """The session desk: rows, filters, search, pagination."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("evaluations:session_detail", args=[cls.session.pk])

    def enrol(self, n: int, *, start: int = 0) -> list[Inscription]:
        return [
            make_inscription(
                make_candidat(f"c{i}@example.org", nom=f"Nom{i:03d}", prenom="Prénom"),
                self.session,
            )
            for i in range(start, start + n)
        ]

    def rows(self, query: str = "") -> list[tuple[str, int, int]]:
        self.client.force_login(self.admin)
        response = self.client.get(self.url + query)
        self.assertEqual(response.status_code, 200)
        return [
            (row.email, row.nb_recus, row.nb_attendus)
            for row in response.context["rows"]
        ]

    def test_progress_counts_current_non_withdrawn_files_in_the_path(self) -> None:
        from evaluations.livrables.services import livrable_retirer

        complet, partiel, _vide, blocs = self.enrol(4)
        # A file sent before the path was narrowed to A1: outside the path now.
        hors_parcours = next(
            m for m in modalites_of(blocs) if m.competence.activite.bloc.code != "A1"
        )
        make_livrable(blocs, hors_parcours)
        blocs.blocs.set(self.referentiel.blocs.filter(code="A1"))
        blocs.parcours = "blocs"
        blocs.save()
        for modalite in modalites_of(complet):
            make_livrable(complet, modalite)
        make_livrable(complet, modalites_of(complet)[0])  # a new version
        first, second = modalites_of(partiel)[:2]
        make_livrable(partiel, first)
        make_livrable(partiel, first, name="autre.pdf")
        withdrawn = make_livrable(partiel, second)
        livrable_retirer(livrable=withdrawn, by=partiel.candidat.user)
        self.assertEqual(
            self.rows(),
            [
                ("c0@example.org", 18, 18),
                ("c1@example.org", 1, 18),
                ("c2@example.org", 0, 18),
                ("c3@example.org", 0, 5),
            ],
        )
        self.assertEqual(
            self.rows("?progression=complet"), [("c0@example.org", 18, 18)]
        )
        self.assertEqual(
            self.rows("?progression=incomplet"), [("c1@example.org", 1, 18)]
        )
        self.assertEqual(
            [r[0] for r in self.rows("?progression=aucun")],
            ["c2@example.org", "c3@example.org"],
        )
        self.assertEqual(
            [r[0] for r in self.rows("?parcours=blocs")], ["c3@example.org"]
        )
        # The filter's session-wide count agrees with the rows' count.
        ids = [complet.pk, partiel.pk, _vide.pk, blocs.pk]
        self.assertEqual(
            session_progress(session=self.session),
            progress_of(inscription_ids=ids),
        )
        self.assertEqual(progress_of(inscription_ids=ids)[blocs.pk], (5, 0))

    def test_search_and_access_route(self) -> None:
        inscriptions = self.enrol(3)
        Inscription.objects.filter(pk=inscriptions[1].pk).update(voie_acces="vae")
        self.assertEqual([r[0] for r in self.rows("?q=nom002")], ["c2@example.org"])
        self.assertEqual(
            [r[0] for r in self.rows("?q=C1%40EXAMPLE")], ["c1@example.org"]
        )
        self.assertEqual(
            [r[0] for r in self.rows("?voie_acces=vae")], ["c1@example.org"]
        )
        self.assertEqual(
            self.rows("?voie_acces=inconnue&progression=x")[0][0], "c0@example.org"
        )

    def test_capitalised_blocs_shown(self) -> None:
        (inscription,) = self.enrol(1)
        earlier = make_session(self.referentiel, nom="Avant", statut="close")
        old = make_inscription(inscription.candidat, earlier)
        BlocAcquis.objects.create(
            candidat=inscription.candidat,
            bloc=self.referentiel.blocs.get(code="A2"),
            session=earlier,
            inscription=old,
            acquis_le=timezone.localdate(),
        )
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertContains(response, "A2 capitalisé")

    def test_paginated_by_fifty(self) -> None:
        self.enrol(51)
        self.client.force_login(self.admin)
        response = self.client.get(self.url + "?page=2")
        self.assertEqual(len(response.context["rows"]), 1)
        self.assertContains(response, "51 candidats")
        self.assertContains(response, "Page 2 sur 2")

    def test_constant_number_of_queries(self) -> None:
        (first,) = self.enrol(1)
        make_livrable(first, modalites_of(first)[0])
        self.client.force_login(self.admin)
        filtered = self.url + "?progression=incomplet&q=nom"
        self.client.get(self.url)
        with self.assertNumQueries(10):
            self.client.get(self.url)
        with self.assertNumQueries(13):
            self.client.get(filtered)
        for inscription in self.enrol(30, start=1):
            make_livrable(inscription, modalites_of(inscription)[0])
        with self.assertNumQueries(10):
            self.client.get(self.url)
        with self.assertNumQueries(13):
            response = self.client.get(filtered)
        self.assertEqual(len(response.context["rows"]), 31)


class DeskPaginationTests(SessionViewTestCase):
    """The desk's pages read their rows by the page's keys (the paginator slices
    the ordered keys, the rows are read after): each page shows exactly the rows
    of its rank in the order name, first name, enrolment."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("evaluations:session_detail", args=[cls.session.pk])
        # 110 enrolments, names out of creation order, each name twice (the
        # enrolment's key breaks the tie); one in four by VAE, one in three on
        # blocs.
        cls.attendu = []
        for i in range(110):
            nom = f"Nom{(i * 37) % 55:03d}"
            inscription = make_inscription(
                make_candidat(f"p{i:03d}@example.org", nom=nom, prenom="Léa"),
                cls.session,
                blocs=["A1"] if i % 3 == 0 else None,
                voie_acces="vae" if i % 4 == 0 else "formation_continue",
            )
            cls.attendu.append(
                (
                    nom.upper(),
                    inscription.pk,
                    f"p{i:03d}@example.org",
                    i % 4 == 0,
                    i % 3 == 0,
                )
            )
        cls.attendu.sort()

    def page(self, query: str) -> tuple[list[str], int, str]:
        self.client.force_login(self.admin)
        response = self.client.get(self.url + query)
        self.assertEqual(response.status_code, 200)
        page = response.context["page"]
        return (
            [ligne.email for ligne in response.context["rows"]],
            page.number,
            response.content.decode(),
        )

    def emails(
        self, *, vae: bool | None = None, blocs: bool | None = None
    ) -> list[str]:
        return [
            email
            for _nom, _pk, email, par_vae, par_blocs in self.attendu
            if (vae is None or par_vae == vae) and (blocs is None or par_blocs == blocs)
        ]

    def test_first_middle_and_last_page(self) -> None:
        tous = self.emails()
        for query, number, rows in [
            ("", 1, tous[:50]),
            ("?page=1", 1, tous[:50]),
            ("?page=2", 2, tous[50:100]),
            ("?page=3", 3, tous[100:]),
        ]:
            with self.subTest(query=query):
                self.assertEqual(self.page(query)[:2], (rows, number))
        self.assertEqual(len(tous[100:]), 10)

    def test_beyond_the_last_page_and_invalid_numbers(self) -> None:
        tous = self.emails()
        for query, number, rows in [
            ("?page=4", 3, tous[100:]),
            ("?page=999", 3, tous[100:]),
            ("?page=0", 3, tous[100:]),
            ("?page=abc", 1, tous[:50]),
            ("?page=", 1, tous[:50]),
        ]:
            with self.subTest(query=query):
                self.assertEqual(self.page(query)[:2], (rows, number))

    def test_the_same_name_is_ordered_by_enrolment(self) -> None:
        rows, _number, html = self.page("?q=NOM007")
        doubles = [email for nom, _pk, email, *_ in self.attendu if nom == "NOM007"]
        self.assertEqual(len(doubles), 2)
        self.assertEqual(rows, doubles)
        self.assertIn("2 candidats", html)

    def test_search_and_filters_paginate_their_rows(self) -> None:
        vae = self.emails(vae=True)
        self.assertEqual(len(vae), 28)
        self.assertEqual(self.page("?voie_acces=vae")[:2], (vae, 1))
        complet = self.emails(blocs=False)
        self.assertEqual(len(complet), 73)
        for query, number, rows in [
            ("?parcours=complet", 1, complet[:50]),
            ("?parcours=complet&page=2", 2, complet[50:]),
            ("?parcours=complet&page=9", 2, complet[50:]),
        ]:
            with self.subTest(query=query):
                rows_, number_, html = self.page(query)
                self.assertEqual((rows_, number_), (rows, number))
                self.assertIn("73 candidats", html)
        # « Nom0 » matches every name: the search pages like the whole list.
        tous = self.emails()
        self.assertEqual(self.page("?q=Nom0&page=2")[:2], (tous[50:100], 2))
        blocs_vae = self.emails(vae=True, blocs=True)
        self.assertEqual(
            self.page("?q=nom&parcours=blocs&voie_acces=vae")[:2], (blocs_vae, 1)
        )
        self.assertEqual(self.page("?q=inconnu&page=2")[:2], ([], 1))

    def test_page_links_keep_the_filters(self) -> None:
        _rows, _number, html = self.page("?parcours=complet&q=nom&page=2")
        self.assertIn(
            '<a class="page-link" href="?parcours=complet&amp;q=nom&amp;page=1">'
            "Précédente</a>",
            html,
        )
        self.assertIn("Page 2 sur 2", html)


class ReinviteTests(SessionViewTestCase):
    def setUp(self) -> None:
        from evaluations.sessions.services import IdentiteData, candidat_enrol

        with self.captureOnCommitCallbacks(execute=True):
            self.inscription = candidat_enrol(
                identite=IdentiteData(
                    email="invite@example.org",
                    nom_naissance="INVITE",
                    prenom1="Ines",
                    date_naissance=timezone.localdate() - timedelta(days=9000),
                    sexe="F",
                    commune_naissance="Lyon",
                    code_insee_naissance="69123",
                ),
                session=self.session,
                voie_acces="vae",
                parcours="complet",
                by=self.admin,
            )
        mail.outbox.clear()
        self.url = reverse(
            "evaluations:session_reinviter",
            args=[self.session.pk, self.inscription.pk],
        )

    def test_desk_row_form_carries_a_valid_csrf_field(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        html = client.get(self.session.get_absolute_url()).content.decode()
        (token,) = re.findall(
            rf'<form method="post" action="{re.escape(self.url)}" class="d-inline">'
            r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
            html,
        )
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url, {"csrfmiddlewaretoken": token})
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertEqual(len(mail.outbox), 1)

    def test_administrator_resends(self) -> None:
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, follow=True)
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertContains(response, "Invitation renvoyée à invite@example.org.")
        self.assertEqual([m.to for m in mail.outbox], [["invite@example.org"]])
        record = self.inscription.candidat.history.first()
        self.assertEqual(record.history_user, self.admin)

    def test_refused_once_the_password_is_chosen(self) -> None:
        user = self.inscription.candidat.user
        user.set_password("Un-Mot-De-Passe-42")
        user.save()
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, follow=True)
        self.assertContains(response, "Ines INVITE a déjà choisi son mot de passe")
        self.assertEqual(mail.outbox, [])

    def test_permissions(self) -> None:
        response = self.client.post(self.url)
        self.assertRedirects(
            response, f"/connexion/?next={self.url}", fetch_redirect_response=False
        )
        for user in (self.candidat, self.jury, self.referent):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        other = make_session(self.referentiel, nom="Autre")
        url = reverse(
            "evaluations:session_reinviter", args=[other.pk, self.inscription.pk]
        )
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertEqual(mail.outbox, [])


class HomeAndNavigationTests(SessionViewTestCase):
    def test_administrator(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.get("/")
        self.assertIn(
            ("Sessions", "/sessions/"),
            [(a.title, a.url) for a in response.context["actions"]],
        )
        self.assertContains(
            response, '<a class="nav-link" href="/sessions/">Sessions</a>', html=True
        )
        self.assertNotContains(response, 'href="/candidat/"')

    def test_candidate(self) -> None:
        self.client.force_login(self.candidat)
        response = self.client.get("/")
        self.assertIn(
            ("Mon dossier", "/candidat/"),
            [(a.title, a.url) for a in response.context["actions"]],
        )
        self.assertContains(
            response, '<a class="nav-link" href="/candidat/">Mon dossier</a>', html=True
        )
        self.assertNotContains(response, 'href="/sessions/"')

"""A candidate's documents, downloads and the administrator's revocation."""

from django.test import TestCase

from certif.navigation import home_actions_for
from certif.roles import Role
from evaluations.documents.models import Document
from evaluations.documents.services import document_issue
from evaluations.documents.snapshots import document_snapshot
from evaluations.documents.tasks import emission_launch
from tests.evaluations.documents.test_documents import current, file_bytes
from tests.evaluations.factories_documents import make_scenario, mark_published
from tests.factories import make_user


class Personas(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        mark_published(cls.sc.session)
        emission_launch(session=cls.sc.session, by=cls.sc.admin)
        cls.marie = cls.sc.certifie.candidat.user
        cls.hugo = cls.sc.partiel.candidat.user
        cls.jury = cls.sc.membre.user
        cls.outsider_jury = make_user("autre-jury@test.fr", Role.MEMBRE_JURY)
        cls.referent = make_user("referent@test.fr", Role.REFERENT_HANDICAP)
        cls.sans_role = make_user("personne@test.fr")
        cls.parchemin = current(cls.sc.certifie.pk, "parchemin")
        cls.releve = current(cls.sc.certifie.pk, "releve")
        cls.pv = current(None, "pv", cls.sc.session.pk)


class MesDocumentsTests(Personas):
    url = "/documents/"

    def test_candidate_sees_own_documents(self) -> None:
        self.client.force_login(self.marie)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [d.nature for d in response.context["page"].object_list],
            ["parchemin", "releve"],
        )
        self.assertContains(response, self.parchemin.code_affiche)
        self.assertContains(response, f"/documents/{self.parchemin.pk}/telecharger/")
        self.assertNotContains(response, self.pv.code_affiche)

    def test_candidate_without_documents(self) -> None:
        self.client.force_login(make_user("seul@test.fr", Role.CANDIDAT))
        response = self.client.get(self.url)
        self.assertContains(response, "Aucun document n'a encore été émis")

    def test_revoked_document_is_shown_as_such(self) -> None:
        Document.objects.filter(pk=self.parchemin.pk).update(
            statut="revoque",
            revoque_le=self.parchemin.emis_le,
            motif_revocation="Erreur matérielle.",
        )
        self.client.force_login(self.marie)
        response = self.client.get(self.url)
        self.assertContains(response, "Révoqué")
        self.assertContains(response, "Erreur matérielle.")

    def test_query_count_does_not_grow(self) -> None:
        self.client.force_login(self.hugo)
        with self.assertNumQueries(5):
            self.client.get(self.url)
        for version in range(2, 5):
            Document.objects.create(
                nature="releve",
                session=self.sc.session,
                inscription=self.sc.partiel,
                code=f"ABCDEFGHIJKLMN{version:02d}",
                version=version,
                fichier="documents/x.pdf",
                nom_fichier="x.pdf",
                sha256="0" * 64,
                snapshot={},
                statut="revoque",
                revoque_le=self.parchemin.emis_le,
                motif_revocation="Test.",
            )
        with self.assertNumQueries(5):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 5)

    def test_wrong_role(self) -> None:
        self.client.force_login(self.jury)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_anonymous(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/connexion/?next={self.url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.marie)
        self.assertEqual(self.client.post(self.url).status_code, 405)


class DownloadTests(Personas):
    def url(self, document: Document) -> str:
        return f"/documents/{document.pk}/telecharger/"

    def test_owner_downloads_the_issued_file(self) -> None:
        self.client.force_login(self.marie)
        response = self.client.get(self.url(self.parchemin))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            b"".join(response.streaming_content), file_bytes(self.parchemin)
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="{self.parchemin.nom_fichier}"',
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_other_candidate_gets_404(self) -> None:
        self.client.force_login(self.hugo)
        self.assertEqual(self.client.get(self.url(self.parchemin)).status_code, 404)

    def test_candidate_never_gets_the_pv(self) -> None:
        self.client.force_login(self.marie)
        self.assertEqual(self.client.get(self.url(self.pv)).status_code, 404)

    def test_jury_member_gets_the_pv_of_their_session_only(self) -> None:
        self.client.force_login(self.jury)
        response = self.client.get(self.url(self.pv))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), file_bytes(self.pv))
        self.assertEqual(self.client.get(self.url(self.releve)).status_code, 404)
        self.client.force_login(self.outsider_jury)
        self.assertEqual(self.client.get(self.url(self.pv)).status_code, 404)

    def test_referent_handicap_gets_404(self) -> None:
        self.client.force_login(self.referent)
        self.assertEqual(self.client.get(self.url(self.parchemin)).status_code, 404)

    def test_admin_downloads_anything(self) -> None:
        self.client.force_login(self.sc.admin)
        for document in (self.parchemin, self.pv):
            response = self.client.get(self.url(document))
            self.assertEqual(response.status_code, 200)
            # Consumed, the test client closes the file without closing the
            # database connection (a bare close() would, on PostgreSQL).
            self.assertEqual(b"".join(response.streaming_content), file_bytes(document))

    def test_user_without_role_gets_403(self) -> None:
        self.client.force_login(self.sans_role)
        self.assertEqual(self.client.get(self.url(self.parchemin)).status_code, 403)

    def test_anonymous(self) -> None:
        url = self.url(self.parchemin)
        self.assertRedirects(self.client.get(url), f"/connexion/?next={url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.marie)
        self.assertEqual(self.client.post(self.url(self.parchemin)).status_code, 405)


class RevokeViewTests(Personas):
    def url(self, document: Document) -> str:
        return f"/documents/{document.pk}/revoquer/"

    def test_admin_sees_the_form(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.get(self.url(self.parchemin))
        self.assertContains(response, "Motif de la révocation")
        self.assertContains(response, "Marie DUPONT")

    def test_admin_revokes_with_a_reason(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(
            self.url(self.parchemin), {"motif": "Diplôme obtenu par fraude."}
        )
        self.assertRedirects(response, f"/documents/sessions/{self.sc.session.pk}/")
        document = Document.objects.get(pk=self.parchemin.pk)
        self.assertEqual(
            (document.statut, document.motif_revocation, document.revoque_par),
            ("revoque", "Diplôme obtenu par fraude.", self.sc.admin),
        )

    def test_reason_required(self) -> None:
        self.client.force_login(self.sc.admin)
        response = self.client.post(self.url(self.parchemin), {"motif": ""})
        self.assertContains(response, "Indiquez le motif de la révocation.")
        self.assertEqual(Document.objects.get(pk=self.parchemin.pk).statut, "valide")

    def test_only_awards_can_be_revoked_here(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.get(self.url(self.releve)).status_code, 404)

    def test_unknown_document(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(
            self.client.get("/documents/999999/revoquer/").status_code, 404
        )

    def test_non_admin_gets_403(self) -> None:
        for user in (self.marie, self.jury, self.sc.president.user):
            self.client.force_login(user)
            response = self.client.post(self.url(self.parchemin), {"motif": "Non."})
            self.assertEqual(response.status_code, 403)
        self.assertEqual(Document.objects.get(pk=self.parchemin.pk).statut, "valide")

    def test_anonymous(self) -> None:
        url = self.url(self.parchemin)
        self.assertRedirects(self.client.post(url), f"/connexion/?next={url}")

    def test_wrong_method(self) -> None:
        self.client.force_login(self.sc.admin)
        self.assertEqual(self.client.put(self.url(self.parchemin)).status_code, 405)


class HomeAndNavTests(Personas):
    def test_candidate_action(self) -> None:
        titles = [a.title for a in home_actions_for(user=self.marie)]
        self.assertIn("Mes documents", titles)
        self.assertNotIn("Émission des documents", titles)

    def test_admin_action(self) -> None:
        titles = [a.title for a in home_actions_for(user=self.sc.admin)]
        self.assertIn("Émission des documents", titles)
        self.assertNotIn("Mes documents", titles)

    def test_jury_has_neither(self) -> None:
        titles = [a.title for a in home_actions_for(user=self.jury)]
        self.assertNotIn("Mes documents", titles)
        self.assertNotIn("Émission des documents", titles)

    def test_nav_links(self) -> None:
        self.client.force_login(self.marie)
        self.assertContains(self.client.get("/"), 'href="/documents/"')
        self.client.force_login(self.sc.admin)
        self.assertContains(self.client.get("/"), 'href="/documents/sessions/"')


class IssueServiceTests(Personas):
    def test_unchanged_snapshot_issues_nothing(self) -> None:
        self.assertIsNone(
            document_issue(
                nature="pv",
                session_id=self.sc.session.pk,
                inscription_id=None,
                snapshot=document_snapshot(self.pv),
                by=self.sc.admin,
            )
        )
        self.assertEqual(Document.objects.filter(nature="pv").count(), 1)

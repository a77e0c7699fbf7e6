"""Filing, instructing and deciding an appeal, through the services: what is
stored (text, documents with size and SHA-256), each refusal with its French
message and nothing stored, the deadline on a controlled clock, the e-mails of
each step (once each), a revised decision re-opening the deliberation, the new
vote and the documents re-issued, and the enrolment's history."""

import hashlib

from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from certif.models import MessageEnvoye
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.deliberation.selectors import historique_for
from evaluations.deliberation.services import deliberation_record
from evaluations.documents.models import Document
from evaluations.livrables.services import Depot
from evaluations.recours.models import PIECES_MAX, TEXTE_MAX, PieceRecours, Recours
from evaluations.recours.services import (
    recours_decider,
    recours_deposer,
    recours_documents_reissue,
    recours_instruire,
)
from evaluations.sessions.models import Inscription
from tests.clock import frozen
from tests.emails import assert_links
from tests.evaluations.factories import pdf_bytes, upload
from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.livrables.test_services import stored_files
from tests.evaluations.recours.factories import (
    DERNIER_JOUR,
    LENDEMAIN,
    RecoursTestCase,
    file_appeal,
    moment,
    published_scenario,
)
from tests.evaluations.resultats.factories import document_text

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@override_settings(EMAIL_BACKEND=LOCMEM)
class FilingTests(RecoursTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = published_scenario()
        cls.zoe = cls.sc.echec

    def test_an_appeal_is_stored_with_its_documents(self) -> None:
        before = stored_files()
        recours = self.file(self.zoe, pieces=("preuve.pdf", "annexe.pdf"))
        self.assertEqual(recours.statut, Recours.Statut.DEPOSE)
        self.assertEqual(recours.texte, "Le critère C1.1.1 a été mal apprécié.")
        self.assertEqual(recours.depose_le, moment(1))
        self.assertEqual(recours.reference, f"R2026-{recours.pk:05d}")
        pieces = list(recours.pieces.order_by("pk"))
        self.assertEqual(
            [(p.nom_original, p.taille, p.sha256, p.type_mime) for p in pieces],
            [
                (
                    nom,
                    len(pdf_bytes()),
                    hashlib.sha256(pdf_bytes()).hexdigest(),
                    "application/pdf",
                )
                for nom in ("preuve.pdf", "annexe.pdf")
            ],
        )
        self.assertEqual(len(stored_files() - before), 2)
        self.assertEqual(
            [h.statut for h in recours.history.order_by("history_id")], ["depose"]
        )

    def test_the_candidate_the_administrator_and_the_president_are_told_once(
        self,
    ) -> None:
        recours = self.file(self.zoe, pieces=("preuve.pdf",))
        reference = recours.reference
        self.assertEqual(
            sorted((m.to[0], m.subject) for m in mail.outbox),
            [
                ("admin@test.fr", f"Nouveau recours {reference} — Session juin"),
                (
                    "president@test.fr",
                    f"Nouveau recours {reference} — Session juin",
                ),
                ("zoe@test.fr", f"Recours {reference} reçu"),
            ],
        )
        accuse = next(m for m in mail.outbox if m.to == ["zoe@test.fr"])
        self.assertIn(
            "Votre recours contre la décision du jury de la session « Session juin » "
            f"a été reçu le 19 mars 2026 à 10:30. Sa référence : {reference}.",
            accuse.body,
        )
        self.assertIn(f"https://certif.test/resultats/{self.zoe.pk}/", accuse.body)
        html = accuse.alternatives[0][0]  # type: ignore[index]
        self.assertIn(f"<strong>{reference}</strong>", str(html))
        for message in mail.outbox:
            assert_links(self, message)
        signale = next(m for m in mail.outbox if m.to == ["admin@test.fr"])
        self.assertIn("1 document joint.", signale.body)
        self.assertIn(f"https://certif.test/recours/{recours.pk}/", signale.body)
        self.assertEqual(
            MessageEnvoye.objects.filter(cle__startswith=f"recours:{recours.pk}:")
            .order_by("cle")
            .count(),
            3,
        )

    def test_refused_while_another_appeal_is_undecided(self) -> None:
        premier = self.file(self.zoe)
        with self.assertRaisesMessage(
            ValidationError,
            f"Votre recours {premier.reference} est en cours d'examen : un autre "
            "recours ne peut être formé qu'après sa décision.",
        ):
            file_appeal(self.zoe)
        self.assertEqual(Recours.objects.count(), 1)

    def test_a_new_appeal_after_the_decision(self) -> None:
        premier = self.file(self.zoe)
        self.instruct(premier)
        self.decide(premier, issue="maintenue", motif="Appréciation confirmée.")
        second = self.file(self.zoe, at=moment(5))
        self.assertEqual(second.statut, Recours.Statut.DEPOSE)

    def test_the_last_day_is_accepted(self) -> None:
        recours = self.file(self.zoe, at=DERNIER_JOUR)
        self.assertEqual(recours.statut, Recours.Statut.DEPOSE)

    def test_the_next_day_is_refused_with_the_closing_date(self) -> None:
        before = stored_files()
        with self.assertRaisesMessage(
            ValidationError, "Le délai de recours est clos depuis le 19 mai 2026."
        ):
            file_appeal(self.zoe, pieces=("preuve.pdf",), at=LENDEMAIN)
        self.assertEqual(Recours.objects.count(), 0)
        self.assertEqual(PieceRecours.objects.count(), 0)
        self.assertEqual(stored_files(), before)
        self.assertEqual(mail.outbox, [])

    def test_refused_for_a_withdrawn_enrolment(self) -> None:
        Inscription.objects.filter(pk=self.zoe.pk).update(
            desiste_le=moment(-20).date(), desistement_motif="Raisons personnelles."
        )
        with self.assertRaisesMessage(
            ValidationError,
            "Vous vous êtes désisté de cette session : le jury n'a pas statué sur "
            "votre candidature, aucun recours n'est possible.",
        ):
            file_appeal(self.zoe)
        self.assertEqual(Recours.objects.count(), 0)

    def test_refused_while_the_decision_is_reexamined(self) -> None:
        Deliberation.objects.filter(inscription=self.zoe).update(verrouillee=False)
        with self.assertRaisesMessage(
            ValidationError,
            "La décision du jury vous concernant est en cours de réexamen : un "
            "recours se forme contre une décision arrêtée.",
        ):
            file_appeal(self.zoe)

    def test_text_required_without_nul_and_bounded(self) -> None:
        for texte, message in (
            ("   ", "Exposez les motifs de votre recours."),
            ("Motif\x00caché", "Le texte contient un caractère nul."),
            ("x" * (TEXTE_MAX + 1), f"Le texte dépasse {TEXTE_MAX} caractères."),
        ):
            with self.subTest(texte=texte[:10]):
                with self.assertRaises(ValidationError) as caught:
                    file_appeal(self.zoe, texte=texte)
                self.assertEqual(caught.exception.message_dict, {"texte": [message]})
        self.assertEqual(Recours.objects.count(), 0)

    def test_a_bad_document_stores_nothing(self) -> None:
        before = stored_files()
        with (
            self.assertRaisesMessage(
                ValidationError,
                "Le contenu de « faux.pdf » n'est pas un document PDF, DOCX, ODT, PPTX, "
                "ODP, XLSX, ODS : fichier refusé.",
            ),
            frozen(moment(1)),
        ):
            recours_deposer(
                inscription=self.zoe,
                texte="Texte.",
                pieces=[
                    Depot(fichier=upload("bon.pdf"), nom="bon.pdf"),
                    Depot(fichier=upload("faux.pdf", b"MZ\x90\x00"), nom="faux.pdf"),
                ],
                by=self.zoe.candidat.user,
            )
        self.assertEqual(Recours.objects.count(), 0)
        self.assertEqual(PieceRecours.objects.count(), 0)
        self.assertEqual(stored_files(), before)

    def test_too_many_documents(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            file_appeal(
                self.zoe, pieces=tuple(f"p{i}.pdf" for i in range(PIECES_MAX + 1))
            )
        self.assertEqual(
            caught.exception.message_dict,
            {"pieces": [f"Joignez au plus {PIECES_MAX} documents."]},
        )


class BeforePublicationTests(RecoursTestCase):
    def test_refused_before_the_results_are_published(self) -> None:
        with frozen():
            sc = make_scenario()
        with self.assertRaisesMessage(
            ValidationError,
            "Les résultats de cette session ne sont pas encore publiés : un recours "
            "se forme après leur publication.",
        ):
            file_appeal(sc.echec)
        self.assertEqual(Recours.objects.count(), 0)


@override_settings(EMAIL_BACKEND=LOCMEM)
class HandlingTests(RecoursTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = published_scenario()
        cls.zoe = cls.sc.echec
        cls.recours = file_appeal(cls.zoe)

    def test_instruction_then_maintained(self) -> None:
        recours = self.instruct(self.recours)
        self.assertEqual(
            (recours.statut, recours.instruit_le, recours.instruit_par),
            (Recours.Statut.EN_INSTRUCTION, moment(2), self.sc.admin),
        )
        recours = self.decide(
            recours, issue="maintenue", motif="Les grilles confirment l'appréciation."
        )
        self.assertEqual(
            (recours.statut, recours.issue, recours.motif_decision, recours.decide_le),
            (
                Recours.Statut.DECIDE,
                Recours.Issue.MAINTENUE,
                "Les grilles confirment l'appréciation.",
                moment(3),
            ),
        )
        self.assertIsNone(recours.reouverture)
        self.assertIs(Deliberation.objects.get(inscription=self.zoe).verrouillee, True)
        reference = recours.reference
        self.assertEqual(
            [m.subject for m in mail.outbox],
            [
                f"Recours {reference} en instruction",
                f"Recours {reference} : Décision maintenue",
            ],
        )
        self.assertIn(
            "Motif : Les grilles confirment l'appréciation.", mail.outbox[1].body
        )
        self.assertEqual(
            [h.statut for h in recours.history.order_by("history_id")],
            ["depose", "en_instruction", "decide"],
        )

    def test_each_transition_once(self) -> None:
        self.instruct(self.recours)
        with self.assertRaisesMessage(
            ValidationError, "Ce recours est déjà « En instruction »."
        ):
            recours_instruire(recours=self.recours, by=self.sc.admin)
        self.decide(self.recours, issue="maintenue", motif="Motif.")
        with self.assertRaisesMessage(
            ValidationError,
            "Seul un recours en instruction se décide ; celui-ci est « Décidé ».",
        ):
            recours_decider(
                recours=self.recours, issue="revisee", motif="Autre.", by=self.sc.admin
            )
        self.assertEqual(len(mail.outbox), 2)  # instruction, decision: once each

    def test_a_decision_needs_the_instruction_an_outcome_and_a_motive(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "Seul un recours en instruction se décide ; celui-ci est « Déposé ».",
        ):
            recours_decider(
                recours=self.recours, issue="maintenue", motif="M.", by=self.sc.admin
            )
        self.instruct(self.recours)
        for issue, motif, erreurs in (
            ("", "Motif.", {"issue": ["Choisissez l'issue du recours."]}),
            ("revisee", "  ", {"motif": ["Indiquez le motif de la décision."]}),
        ):
            with self.subTest(issue=issue), self.assertRaises(ValidationError) as c:
                recours_decider(
                    recours=self.recours, issue=issue, motif=motif, by=self.sc.admin
                )
            self.assertEqual(c.exception.message_dict, erreurs)
        self.assertEqual(
            Recours.objects.get(pk=self.recours.pk).statut,
            Recours.Statut.EN_INSTRUCTION,
        )
        self.assertIs(Deliberation.objects.get(inscription=self.zoe).verrouillee, True)

    def test_maintained_issues_the_addendum(self) -> None:
        self.instruct(self.recours)
        self.decide(self.recours, issue="maintenue", motif="Grilles confirmées.")
        addendum = Document.objects.get(nature=Document.Nature.ADDENDUM)
        self.assertEqual(
            (addendum.session_id, addendum.inscription_id, addendum.version),
            (self.sc.session.pk, None, 1),
        )
        texte = " ".join(document_text(addendum).split())
        self.assertIn(
            "Addendum au procès-verbal de délibération Petite certification — "
            "RNCP99999 · référentiel version 1 Session : Session juin Séance du "
            "jury : 18 mars 2026, Salle du conseil, Lyon Recours décidés : 1 "
            "recours : 1 décision maintenue, aucune décision révisée",
            texte,
        )
        self.assertIn(
            f"Recours {self.recours.reference} — Zoé MARTIN Formé le : 19 mars 2026 "
            "Décision contestée : Non validé Issue : Décision maintenue, le 21 mars "
            "2026 Motif : Grilles confirmées. Addendum établi le 21 mars 2026",
            texte,
        )

    def test_revised_reopens_the_deliberation_then_the_new_vote_reissues(
        self,
    ) -> None:
        self.instruct(self.recours)
        recours = self.decide(
            self.recours,
            issue="revisee",
            motif="Le critère C1.1.1 était acquis.",
        )
        reouverture = ReouvertureDeliberation.objects.get()
        self.assertEqual(recours.reouverture, reouverture)
        self.assertEqual(
            (reouverture.motif, reouverture.par, reouverture.le),
            (
                f"Recours {recours.reference} : Le critère C1.1.1 était acquis.",
                self.sc.president.user,
                moment(3),
            ),
        )
        self.assertIs(Deliberation.objects.get(inscription=self.zoe).verrouillee, False)
        with self.assertRaisesMessage(
            ValidationError,
            "Les documents se rééditent une fois le nouveau vote du jury verrouillé",
        ):
            recours_documents_reissue(recours=recours, by=self.sc.admin)
        addendum = Document.objects.get(nature=Document.Nature.ADDENDUM)
        self.assertIn(
            "Décision contestée : Non validé Issue : Décision révisée, le 21 mars "
            "2026 Motif : Le critère C1.1.1 était acquis. Nouvelle décision du "
            "jury : nouveau vote du jury en attente",
            " ".join(document_text(addendum).split()),
        )
        releve_v1 = Document.objects.get(
            inscription=self.zoe, nature="releve", statut="valide"
        )
        # The president votes again on the deliberation page: B1 validated.
        with frozen(moment(4)):
            deliberation_record(
                inscription=self.zoe,
                motif="Révision à la suite du recours.",
                presents=[self.sc.president, self.sc.membre],
                blocs_decides=["B1"],
                motif_ecart="Recours : le critère C1.1.1 était acquis.",
                by=self.sc.president.user,
            )
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(5)):
            issued = recours_documents_reissue(recours=recours, by=self.sc.admin)
        self.assertEqual(
            sorted((d.nature, d.version) for d in issued),
            [("attestation", 1), ("lettre", 2), ("releve", 2)],
        )
        releve_v1.refresh_from_db()
        self.assertEqual(releve_v1.statut, Document.Statut.REVOQUE)
        addendum = Document.objects.get(
            nature=Document.Nature.ADDENDUM, statut="valide"
        )
        self.assertEqual(addendum.version, 2)
        self.assertIn(
            "Décision contestée : Non validé Issue : Décision révisée, le 21 mars "
            "2026 Motif : Le critère C1.1.1 était acquis. Nouvelle décision du "
            "jury : Validation partielle (B1), votée le 22 mars 2026",
            " ".join(document_text(addendum).split()),
        )
        recours.refresh_from_db()
        self.assertEqual(recours.documents_reedites_le, moment(5))
        reference = recours.reference
        self.assertEqual(
            [m.subject for m in mail.outbox],
            [
                f"Recours {reference} en instruction",
                f"Recours {reference} : Décision révisée",
                f"Recours {reference} : nouvelle décision du jury publiée",
            ],
        )
        self.assertIn(
            "Le jury a validé 1 bloc de compétences de la certification",
            mail.outbox[2].body,
        )
        for message in mail.outbox:
            self.assertEqual(
                assert_links(self, message),
                [f"https://certif.test/resultats/{self.zoe.pk}/"],
            )
        # Once: asking again re-issues nothing and sends nothing.
        with self.captureOnCommitCallbacks(execute=True), frozen(moment(6)):
            self.assertEqual(
                recours_documents_reissue(recours=recours, by=self.sc.admin), []
            )
        self.assertEqual(len(mail.outbox), 3)

    def test_every_step_is_in_the_enrolments_history(self) -> None:
        self.instruct(self.recours)
        self.decide(self.recours, issue="maintenue", motif="Confirmé.")
        reference = self.recours.reference
        lignes = [
            (e.objet, e.avant, e.apres)
            for e in historique_for(inscription=self.zoe)
            if e.objet.startswith("Recours")
        ]
        self.assertEqual(
            lignes,
            [
                (
                    f"Recours {reference}",
                    "En instruction",
                    "Décidé — Décision maintenue — « Confirmé. »",
                ),
                (f"Recours {reference}", "Déposé", "En instruction"),
                (f"Recours {reference}", "—", "Déposé"),
            ],
        )

"""Candidates: account and identity, invitation e-mail, enrolment and
capitalised blocs."""

import re
from datetime import date

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from certif.models import MessageEnvoye, User
from certif.roles import Role, roles_of
from evaluations.sessions.models import BlocAcquis, Candidat, Inscription
from evaluations.sessions.services import (
    IdentiteData,
    candidat_create,
    candidat_enrol,
    inscription_create,
)
from tests.clock import frozen
from tests.emails import assert_links, html_of
from tests.evaluations.factories import make_candidat_complet
from tests.factories import make_inscription, make_referentiel, make_session, make_user


def identite(**overrides: object) -> IdentiteData:
    values = {
        "email": "Nina.Roux@Example.org",
        "nom_naissance": "ROUX",
        "prenom1": "Nina",
        "prenom2": "Claire",
        "date_naissance": date(1992, 7, 1),
        "sexe": "F",
        "commune_naissance": "Lyon",
        "code_insee_naissance": "69123",
        **overrides,
    }
    return IdentiteData(**values)  # type: ignore[arg-type]


class CandidatTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel)


@override_settings(SITE_URL="https://certif.example.org")
class CreateTests(CandidatTestCase):
    def test_account_identity_and_invitation(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            candidat = candidat_create(identite=identite(), by=self.admin)
        user = User.objects.get(email="nina.roux@example.org")
        self.assertEqual(candidat.user, user)
        self.assertIs(user.has_usable_password(), False)
        self.assertEqual(roles_of(user), frozenset({Role.CANDIDAT.value}))
        self.assertEqual(candidat.prenoms, "Nina Claire")
        self.assertIsNotNone(candidat.invite_le)
        self.assertEqual(candidat.history.earliest().history_user, self.admin)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["nina.roux@example.org"])
        self.assertEqual(
            message.subject, "Votre compte sur la plateforme de certification"
        )
        self.assertIn("Bonjour Nina ROUX,", message.body)
        self.assertIn("valable 7 jours", message.body)
        match = re.search(
            r"https://certif\.example\.org/mot-de-passe/nouveau/([^/]+)/([^/]+)/",
            str(message.body),
        )
        assert match is not None
        self.assertEqual(force_str(urlsafe_base64_decode(match[1])), str(user.pk))
        self.assertIs(default_token_generator.check_token(user, match[2]), True)

    def test_invitation_email_with_accents_and_apostrophe(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            candidat = candidat_create(
                identite=identite(
                    email="zoe.lhote@example.org",
                    nom_naissance="L'HÔTE",
                    prenom1="Zoé",
                    nom_usage="L'HÔTE & FILS",
                ),
                by=self.admin,
            )
        (message,) = mail.outbox
        self.assertEqual(message.to, ["zoe.lhote@example.org"])
        lines = str(message.body).splitlines()
        self.assertEqual(lines[0], "Bonjour Zoé L'HÔTE & FILS,")
        self.assertEqual(
            lines[4],
            "Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours) :",
        )
        self.assertEqual(
            lines[7],
            "Votre identifiant de connexion est votre adresse e-mail : "
            "zoe.lhote@example.org",
        )
        (lien,) = assert_links(self, message)
        self.assertTrue(
            lien.startswith("https://certif.example.org/mot-de-passe/nouveau/"), lien
        )
        self.assertIn("Bonjour Zoé L&#x27;HÔTE &amp; FILS,", html_of(message))
        # The link sets a password: « Mes messages » keeps the subject only.
        stored = MessageEnvoye.objects.get()
        self.assertEqual(
            (stored.utilisateur, stored.sujet, stored.corps),
            (
                candidat.user,
                "Votre compte sur la plateforme de certification",
                "Le contenu de ce message, confidentiel, n'est pas conservé ici.\n",
            ),
        )

    def test_invitation_link_lets_the_candidate_choose_a_password(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            candidat_create(identite=identite(), by=self.admin)
        match = re.search(
            r"https?://[^/]+(/mot-de-passe/\S+)", str(mail.outbox[0].body)
        )
        assert match is not None
        path = match[1]
        response = self.client.get(path, follow=True)
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            response.redirect_chain[-1][0],
            {
                "new_password1": "Un-Mot-De-Passe-Solide-42",
                "new_password2": "Un-Mot-De-Passe-Solide-42",
            },
        )
        self.assertRedirects(response, "/mot-de-passe/nouveau/fait/")
        user = User.objects.get(email="nina.roux@example.org")
        self.assertIs(user.check_password("Un-Mot-De-Passe-Solide-42"), True)

    @override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,  # discard port: nothing listens, the connection is refused
        EMAIL_TIMEOUT=2,
    )
    def test_mail_server_down_keeps_the_candidate(self) -> None:
        # The sender logs the failure by the message's id, and keeps the record.
        with (
            self.assertLogs("certif.messages", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            candidat = candidat_create(identite=identite(), by=self.admin)
        self.assertEqual(Candidat.objects.get().pk, candidat.pk)
        message = MessageEnvoye.objects.get()
        self.assertEqual(
            [r.getMessage() for r in logs.records],
            [f"E-mail non envoyé (message {message.pk})"],
        )

    def test_invalid_identity(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(
                    email="pas-une-adresse",
                    sexe="X",
                    code_insee_naissance="7505",
                ),
                by=self.admin,
            )
        self.assertEqual(
            raised.exception.message_dict,
            {
                "email": ["Adresse e-mail invalide."],
                "sexe": ["Le sexe à l'état civil s'écrit M ou F."],
                "code_insee_naissance": [
                    "Le code INSEE compte 5 caractères, par exemple 75056 ou 2A004."
                ],
            },
        )
        self.assertEqual(Candidat.objects.count(), 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_birth_place_is_commune_or_country(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            candidat_create(identite=identite(pays_naissance="Belgique"), by=self.admin)
        self.assertEqual(list(raised.exception.message_dict), ["pays_naissance"])
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(commune_naissance="", code_insee_naissance=""),
                by=self.admin,
            )
        self.assertEqual(
            sorted(raised.exception.message_dict),
            ["code_insee_naissance", "commune_naissance"],
        )
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(
                    commune_naissance="",
                    code_insee_naissance="",
                    pays_naissance="99131",
                ),
                by=self.admin,
            )
        self.assertEqual(
            raised.exception.message_dict,
            {"commune_naissance": ["Indiquez la ville de naissance à l'étranger."]},
        )
        abroad = candidat_create(
            identite=identite(
                commune_naissance="Liège",
                code_insee_naissance="",
                pays_naissance="99131",
            ),
            by=self.admin,
        )
        self.assertEqual(
            (abroad.pays_naissance, abroad.commune_naissance, abroad.lieu_naissance),
            ("99131", "Liège", "Liège (Belgique)"),
        )

    def test_place_of_birth_as_documents_print_it(self) -> None:
        def lieu(commune: str, code_insee: str = "", pays: str = "") -> str:
            return Candidat(
                commune_naissance=commune,
                code_insee_naissance=code_insee,
                pays_naissance=pays,
            ).lieu_naissance_document

        self.assertEqual(lieu("Lyon", "69123"), "Lyon (69)")
        self.assertEqual(lieu("Ajaccio", "2A004"), "Ajaccio (2A)")
        self.assertEqual(lieu("Fort-de-France", "97209"), "Fort-de-France (972)")
        self.assertEqual(lieu("Mamoudzou", "97611"), "Mamoudzou (976)")
        self.assertEqual(lieu("Tunis", pays="99351"), "Tunis (Tunisie)")
        self.assertEqual(lieu("", pays="99351"), "Tunisie")

    def test_birth_country_by_name_is_stored_as_its_insee_code(self) -> None:
        candidat = candidat_create(
            identite=identite(
                email="amine@example.org",
                commune_naissance="Casablanca",
                code_insee_naissance="",
                pays_naissance=" maroc ",
            ),
            by=self.admin,
        )
        self.assertEqual(candidat.pays_naissance, "99350")
        self.assertEqual(candidat.pays_naissance_libelle, "Maroc")

    def test_birth_country_off_the_insee_list_refused(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(
                    commune_naissance="Ys",
                    code_insee_naissance="",
                    pays_naissance="Atlantide",
                ),
                by=self.admin,
            )
        self.assertEqual(
            raised.exception.message_dict,
            {
                "pays_naissance": [
                    "« Atlantide » n'est pas un pays de la liste INSEE : indiquez son "
                    "code (99xxx, par exemple 99350 pour le Maroc) ou son nom tel que "
                    "la liste l'écrit."
                ]
            },
        )
        self.assertEqual(Candidat.objects.count(), 0)

    def test_control_character_in_a_name_refused(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(nom_naissance="DU\x0bPONT"), by=self.admin
            )
        self.assertEqual(
            raised.exception.message_dict,
            {
                "nom_naissance": [
                    "Ce texte contient un caractère de contrôle invisible : retapez-le."
                ]
            },
        )

    @frozen()
    def test_birth_date_in_the_past(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            candidat_create(
                identite=identite(date_naissance=date(2026, 3, 18)), by=self.admin
            )
        self.assertEqual(
            raised.exception.message_dict,
            {"date_naissance": ["La date de naissance doit être dans le passé."]},
        )

    def test_corsican_insee_code_accepted(self) -> None:
        candidat = candidat_create(
            identite=identite(code_insee_naissance="2b033", commune_naissance="Bastia"),
            by=self.admin,
        )
        self.assertEqual(candidat.code_insee_naissance, "2B033")

    def test_duplicate_email_refused(self) -> None:
        make_user("nina.roux@example.org", Role.MEMBRE_JURY)
        with self.assertRaisesMessage(
            ValidationError, "Un compte existe déjà avec cette adresse e-mail."
        ):
            candidat_create(identite=identite(), by=self.admin)
        self.assertEqual(Candidat.objects.count(), 0)

    def test_duplicate_identity_refused_never_merged(self) -> None:
        make_candidat_complet(
            "autre@example.org",
            nom_naissance="Roux",
            prenom1="Nína",
            date_naissance=date(1992, 7, 1),
        )
        with self.assertRaisesMessage(
            ValidationError,
            "Un candidat de même nom de naissance, prénom et date de naissance "
            "existe déjà (autre@example.org)",
        ):
            candidat_create(identite=identite(), by=self.admin)
        self.assertEqual(Candidat.objects.count(), 1)


class EnrolTests(CandidatTestCase):
    def test_complete_path_has_every_bloc(self) -> None:
        inscription = candidat_enrol(
            identite=identite(),
            session=self.session,
            voie_acces="vae",
            parcours="complet",
            by=self.admin,
        )
        self.assertEqual(
            [bloc.code for bloc in inscription.blocs.order_by("ordre")],
            ["A1", "A2", "A3", "A4", "A5"],
        )
        self.assertEqual(inscription.history.earliest().history_user, self.admin)

    def test_enrolment_failure_rolls_back_candidate_and_invitation(self) -> None:
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaisesMessage(
                ValidationError, "Choisissez au moins un bloc de compétences."
            ),
        ):
            candidat_enrol(
                identite=identite(),
                session=self.session,
                voie_acces="vae",
                parcours="blocs",
                by=self.admin,
            )
        self.assertEqual(Candidat.objects.count(), 0)
        self.assertEqual(User.objects.filter(email="nina.roux@example.org").count(), 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_blocs_path(self) -> None:
        candidat = make_candidat_complet("a@example.org")
        blocs = list(self.referentiel.blocs.filter(code__in=["A2", "A4"]))
        inscription = inscription_create(
            candidat=candidat,
            session=self.session,
            voie_acces="candidat_libre",
            parcours="blocs",
            blocs=blocs,
            by=self.admin,
        )
        self.assertEqual(
            sorted(bloc.code for bloc in inscription.blocs.all()), ["A2", "A4"]
        )

    def test_acquired_blocs_excluded_across_versions(self) -> None:
        candidat = make_candidat_complet("a@example.org")
        earlier = make_session(self.referentiel, nom="Avant", statut="close")
        first = make_inscription(candidat, earlier)
        for code in ("A1", "A3"):
            BlocAcquis.objects.create(
                candidat=candidat,
                bloc=self.referentiel.blocs.get(code=code),
                session=earlier,
                inscription=first,
                acquis_le=timezone.localdate(),
            )
        inscription = inscription_create(
            candidat=candidat,
            session=self.session,
            voie_acces="vae",
            parcours="complet",
            by=self.admin,
        )
        self.assertEqual(
            sorted(bloc.code for bloc in inscription.blocs.all()), ["A2", "A4", "A5"]
        )
        other = make_session(self.referentiel, nom="Encore")
        with self.assertRaisesMessage(
            ValidationError, "Tous ces blocs sont déjà acquis"
        ):
            inscription_create(
                candidat=candidat,
                session=other,
                voie_acces="vae",
                parcours="blocs",
                blocs=list(self.referentiel.blocs.filter(code__in=["A1", "A3"])),
                by=self.admin,
            )

    def test_closed_enrolment_and_double_enrolment_refused(self) -> None:
        candidat = make_candidat_complet("a@example.org")
        make_inscription(candidat, self.session)
        with self.assertRaisesMessage(
            ValidationError, "Ce candidat est déjà inscrit à cette session."
        ):
            inscription_create(
                candidat=candidat,
                session=self.session,
                voie_acces="vae",
                parcours="complet",
                by=self.admin,
            )
        closed = make_session(self.referentiel, nom="Fermée", statut="en_evaluation")
        with self.assertRaisesMessage(
            ValidationError,
            "Les inscriptions sont fermées : la session est au statut « En évaluation ».",
        ):
            inscription_create(
                candidat=candidat,
                session=closed,
                voie_acces="vae",
                parcours="complet",
                by=self.admin,
            )
        self.assertEqual(Inscription.objects.count(), 1)

    def test_bloc_from_another_referentiel_refused(self) -> None:
        from tests.factories import small_data

        other = make_referentiel(small_data())
        candidat = make_candidat_complet("a@example.org")
        with self.assertRaisesMessage(
            ValidationError, "Un bloc choisi n'appartient pas au référentiel."
        ):
            inscription_create(
                candidat=candidat,
                session=self.session,
                voie_acces="vae",
                parcours="blocs",
                blocs=list(other.blocs.all()),
                by=self.admin,
            )

"""Session services: creation, edition and the status transitions with their
preconditions."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.selectors import inscriptions_for_jury, lignes_jury
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.selectors import DeskFilters, lignes_bureau, session_desk
from evaluations.sessions.services import (
    IdentiteData,
    SessionData,
    candidat_identite_update,
    inscription_create,
    session_close,
    session_create,
    session_mark_deliberated,
    session_open,
    session_start_evaluation,
    session_update,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)


class SessionServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel(small_data(blocs=2))
        cls.draft = make_referentiel({**small_data(), "version": "2"}, publish=False)

    def data(self, **overrides: object) -> SessionData:
        today = timezone.localdate()
        values = {
            "referentiel": self.referentiel,
            "nom": "  Session d'automne  ",
            "date_ouverture": today,
            "date_limite_depot": timezone.now() + timedelta(days=20),
            "date_jury": today + timedelta(days=30),
            **overrides,
        }
        return SessionData(**values)  # type: ignore[arg-type]


class CreateTests(SessionServiceTestCase):
    def test_creates_a_draft_with_history(self) -> None:
        session = session_create(data=self.data(), by=self.admin)
        self.assertEqual(session.nom, "Session d'automne")
        self.assertEqual(session.statut, Session.Statut.BROUILLON)
        record = session.history.get()
        self.assertEqual(record.history_user, self.admin)
        self.assertEqual(record.history_type, "+")

    def test_refuses_an_unpublished_referentiel(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "Une session ne s'ouvre que sur une version publiée"
        ):
            session_create(data=self.data(referentiel=self.draft), by=self.admin)
        self.assertEqual(Session.objects.count(), 0)

    def test_refuses_dates_out_of_order(self) -> None:
        today = timezone.localdate()
        with self.assertRaises(ValidationError) as raised:
            session_create(
                data=self.data(
                    date_ouverture=today + timedelta(days=40),
                    date_jury=today + timedelta(days=5),
                ),
                by=self.admin,
            )
        self.assertEqual(
            raised.exception.message_dict,
            {
                "date_limite_depot": [
                    "La date limite de dépôt doit suivre la date d'ouverture."
                ],
                "date_jury": ["La date du jury doit suivre la date limite de dépôt."],
            },
        )


class UpdateTests(SessionServiceTestCase):
    def test_referentiel_frozen_once_candidates_enrolled(self) -> None:
        session = make_session(self.referentiel, statut="brouillon")
        make_inscription(make_candidat("c@example.org"), session)
        other = make_referentiel(small_data(blocs=3) | {"version": "3"})
        with self.assertRaisesMessage(
            ValidationError, "le référentiel de la session ne peut plus changer"
        ):
            session_update(
                session=session, data=self.data(referentiel=other), by=self.admin
            )
        session.refresh_from_db()
        self.assertEqual(session.referentiel, self.referentiel)

    def test_updates_name_and_dates(self) -> None:
        session = make_session(self.referentiel, statut="ouverte")
        session = session_update(
            session=session, data=self.data(nom="Renommée"), by=self.admin
        )
        self.assertEqual(Session.objects.get(pk=session.pk).nom, "Renommée")

    def test_closed_session_is_not_edited(self) -> None:
        session = make_session(self.referentiel, statut="close")
        with self.assertRaisesMessage(
            ValidationError, "Une session délibérée ou close ne peut plus"
        ):
            session_update(session=session, data=self.data(), by=self.admin)


class TransitionTests(SessionServiceTestCase):
    def test_open(self) -> None:
        session = make_session(self.referentiel, statut="brouillon")
        session = session_open(session=session, by=self.admin)
        self.assertEqual(session.statut, Session.Statut.OUVERTE)
        self.assertEqual(session.history.first().history_user, self.admin)

    def test_open_refused_when_deadline_passed(self) -> None:
        session = make_session(
            self.referentiel, statut="brouillon", deadline_in_days=-1
        )
        with self.assertRaisesMessage(
            ValidationError, "La date limite de dépôt est passée"
        ):
            session_open(session=session, by=self.admin)
        self.assertEqual(
            Session.objects.get(pk=session.pk).statut, Session.Statut.BROUILLON
        )

    def test_open_refused_when_referentiel_archived(self) -> None:
        session = make_session(self.referentiel, statut="brouillon")
        self.referentiel.statut = "archive"
        self.referentiel.save()
        with self.assertRaisesMessage(
            ValidationError, "Le référentiel de la session n'est pas (ou plus) publié."
        ):
            session_open(session=session, by=self.admin)

    def test_open_refused_from_wrong_status(self) -> None:
        session = make_session(self.referentiel, statut="ouverte")
        with self.assertRaisesMessage(
            ValidationError,
            "Cette action n'est possible que pour une session au statut "
            "« Brouillon » (statut actuel : « Ouverte »).",
        ):
            session_open(session=session, by=self.admin)

    def test_start_evaluation_needs_an_enrolment(self) -> None:
        session = make_session(self.referentiel, statut="ouverte")
        with self.assertRaisesMessage(
            ValidationError, "Aucun candidat n'est inscrit : il n'y a rien à évaluer."
        ):
            session_start_evaluation(session=session, by=self.admin)
        make_inscription(make_candidat("c@example.org"), session)
        # Before the deadline: only when confirmed.
        session = session_start_evaluation(
            session=session, by=self.admin, avant_limite=True
        )
        self.assertEqual(session.statut, Session.Statut.EN_EVALUATION)

    def test_deliberated_needs_every_enrolment_locked(self) -> None:
        session = make_session(self.referentiel, statut="en_evaluation")
        first = make_inscription(make_candidat("a@example.org"), session)
        second = make_inscription(make_candidat("b@example.org", nom="Durand"), session)
        Deliberation.objects.create(
            inscription=first,
            decision="certifie",
            motif="Tout est acquis.",
            decidee_le=timezone.now(),
            decidee_par=self.admin,
        )
        Deliberation.objects.create(
            inscription=second,
            decision="non_valide",
            motif="Rouverte.",
            verrouillee=False,
            decidee_le=timezone.now(),
            decidee_par=self.admin,
        )
        with self.assertRaisesMessage(
            ValidationError, "1 inscription sans délibération verrouillée"
        ):
            session_mark_deliberated(session=session, by=self.admin)
        Deliberation.objects.filter(inscription=second).update(verrouillee=True)
        session = session_mark_deliberated(session=session, by=self.admin)
        self.assertEqual(session.statut, Session.Statut.DELIBEREE)

    def test_close_needs_deliberated(self) -> None:
        session = make_session(self.referentiel, statut="en_evaluation")
        with self.assertRaisesMessage(ValidationError, "« Délibérée »"):
            session_close(session=session, by=self.admin)
        session.statut = Session.Statut.DELIBEREE
        session.save()
        session = session_close(session=session, by=self.admin)
        self.assertEqual(session.statut, Session.Statut.CLOSE)
        self.assertIsNotNone(session.close_le)


class SessionOrderTests(SessionServiceTestCase):
    """The enrolments' copies of their candidate's names (``tri_nom_naissance``,
    ``tri_prenom1``), which order the session desk and the jury page, follow the
    candidate: set at enrolment, rewritten by an identity correction."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session = make_session(cls.referentiel)
        cls.autre = make_session(cls.referentiel, nom="Session de printemps")
        cls.candidats = {
            nom: make_candidat(f"{nom.lower()}@example.org", nom=nom, prenom="Léa")
            for nom in ("Alpha", "Bravo", "Charlie")
        }

    def desk(self, session: Session) -> list[str]:
        keys = session_desk(session=session, filters=DeskFilters())
        return [
            ligne.nom
            for ligne in lignes_bureau(
                session=session,
                page=keys[:50],  # type: ignore[arg-type]
            )
        ]

    def jury(self, session: Session) -> list[str]:
        keys = inscriptions_for_jury(session=session)
        return [
            ligne.nom
            for ligne in lignes_jury(
                session=session,
                page=keys[:50],  # type: ignore[arg-type]
                membres=[],
                editable=False,
            )
        ]

    def test_an_enrolment_without_the_copies_is_refused_by_the_database(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Inscription.objects.create(
                candidat=self.candidats["Alpha"], session=self.session
            )
        self.assertFalse(Inscription.objects.filter(session=self.session).exists())

    def test_an_enrolment_copies_its_candidate_s_names(self) -> None:
        inscription = inscription_create(
            candidat=self.candidats["Bravo"],
            session=self.session,
            voie_acces="vae",
            parcours=Inscription.Parcours.COMPLET,
            by=self.admin,
        )
        inscription.refresh_from_db()
        self.assertEqual(
            (inscription.tri_nom_naissance, inscription.tri_prenom1), ("BRAVO", "Léa")
        )

    def test_an_identity_correction_reorders_every_session_of_the_candidate(
        self,
    ) -> None:
        for candidat in self.candidats.values():
            make_inscription(candidat, self.session)
            make_inscription(candidat, self.autre)
        self.assertEqual(
            self.desk(self.session), ["ALPHA Léa", "BRAVO Léa", "CHARLIE Léa"]
        )
        charlie = self.candidats["Charlie"]
        historique = Inscription.history.filter(candidat=charlie).count()
        candidat_identite_update(
            candidat=charlie,
            identite=IdentiteData(
                email="charlie@example.org",
                nom_naissance="AARON",
                prenom1="Zoé",
                date_naissance=charlie.date_naissance,
                sexe="F",
                commune_naissance="Paris",
                code_insee_naissance="75056",
            ),
            by=self.admin,
        )
        for session in (self.session, self.autre):
            with self.subTest(session=session.nom):
                self.assertEqual(
                    self.desk(session), ["AARON Zoé", "ALPHA Léa", "BRAVO Léa"]
                )
                self.assertEqual(
                    self.jury(session), ["Zoé AARON", "Léa ALPHA", "Léa BRAVO"]
                )
        self.assertEqual(
            set(
                Inscription.objects.filter(candidat=charlie).values_list(
                    "tri_nom_naissance", "tri_prenom1"
                )
            ),
            {("AARON", "Zoé")},
        )
        # the first first name breaks a tie of birth names
        alpha = self.candidats["Alpha"]
        candidat_identite_update(
            candidat=alpha,
            identite=IdentiteData(
                email="alpha@example.org",
                nom_naissance="AARON",
                prenom1="Anna",
                date_naissance=alpha.date_naissance,
                sexe="F",
                commune_naissance="Paris",
                code_insee_naissance="75056",
            ),
            by=self.admin,
        )
        self.assertEqual(
            self.desk(self.autre), ["AARON Anna", "AARON Zoé", "BRAVO Léa"]
        )
        # the enrolments' history does not record the copies
        self.assertEqual(
            Inscription.history.filter(candidat=charlie).count(), historique
        )

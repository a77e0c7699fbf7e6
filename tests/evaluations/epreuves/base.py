"""A session with live épreuves: the seed référentiel (9 mises en situation and 6
projets are live), a jury (president, two members), two candidates each assessed
by two members, a site with a room accessible to reduced mobility and one not."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.test import TestCase
from django.utils import timezone

from certif.roles import Role
from evaluations.epreuves.generation import ParametresGeneration
from evaluations.epreuves.models import Salle, Site
from evaluations.sessions.models import Session
from referentiel.models import Modalite
from tests.evaluations.factories_jury import make_affectation, make_membre
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_user,
)


def aware(jour: date, heure: time) -> datetime:
    return timezone.make_aware(datetime.combine(jour, heure))


def build_world(cls: Any) -> None:
    """Set the session and its people on ``cls`` (a test case class, or a test
    case of a ``TransactionTestCase``)."""
    cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
    cls.referentiel = make_referentiel()
    today = timezone.localdate()
    cls.session = Session.objects.create(
        referentiel=cls.referentiel,
        nom="Session juin",
        date_ouverture=today - timedelta(days=10),
        date_limite_depot=aware(today + timedelta(days=5), time(12)),
        date_jury=today + timedelta(days=20),
        statut="ouverte",
    )
    cls.jour1 = today + timedelta(days=7)
    cls.jour2 = today + timedelta(days=8)
    cls.president = make_membre(cls.session, "presidente@example.org", president=True)
    cls.m1 = make_membre(cls.session, "alice@example.org")
    cls.m2 = make_membre(cls.session, "bruno@example.org")
    cls.camille = make_inscription(
        make_candidat("camille@example.org", nom="Martin", prenom="Camille"),
        cls.session,
        blocs=["A2"],
    )
    cls.dominique = make_inscription(
        make_candidat("dominique@example.org", nom="Petit", prenom="Dominique"),
        cls.session,
        blocs=["A2"],
    )
    for inscription in (cls.camille, cls.dominique):
        make_affectation(cls.m1, inscription)
        make_affectation(cls.m2, inscription)
    cls.site = Site.objects.create(
        nom="Campus Lyon", adresse="3 quai Claude Bernard\n69007 Lyon"
    )
    cls.salle_a = Salle.objects.create(
        site=cls.site, nom="A101", capacite=6, accessible_pmr=True
    )
    cls.salle_b = Salle.objects.create(
        site=cls.site, nom="B203", capacite=6, accessible_pmr=False
    )
    cls.mes = list(
        Modalite.objects.filter(
            competence__activite__bloc__referentiel=cls.referentiel,
            competence__activite__bloc__code="A2",
        ).order_by("competence__ordre")
    )


class EpreuvesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_world(cls)

    def parametres(self, **kwargs: Any) -> ParametresGeneration:
        values: dict[str, Any] = {
            "jours": [self.jour1],
            "debut": time(9),
            "fin": time(17, 30),
            "pause_debut": time(12, 30),
            "pause_fin": time(13, 30),
            "intervalle": 10,
            "salles": [self.salle_a.pk, self.salle_b.pk],
        }
        values.update(kwargs)
        return ParametresGeneration(**values)

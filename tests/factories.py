"""Personas and objects for tests. Real database rows, no mocks."""

import io
import json
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from certif.models import User
from certif.roles import Role
from certif.services import roles_setup, user_ensure
from referentiel.models import Bloc, Certificateur, Certification, Referentiel
from referentiel.services import referentiel_import, referentiel_publish

if TYPE_CHECKING:
    from evaluations.sessions.models import Candidat, Inscription, Session

PASSWORD = "mot-de-passe-de-test"


def make_user(
    email: str, *roles: Role, first_name: str = "Prénom", last_name: str = "Nom"
) -> User:
    roles_setup()
    user, _ = user_ensure(
        email=email,
        first_name=first_name,
        last_name=last_name,
        roles=list(roles),
        password=PASSWORD,
    )
    return user


@cache
def _fixture_text() -> str:
    return (settings.BASE_DIR / "fixtures" / "referentiel.json").read_text(
        encoding="utf-8"
    )


def seed_data() -> dict[str, Any]:
    """A fresh copy of the seed référentiel document."""
    return json.loads(_fixture_text())


def small_data(*, blocs: int = 1, criteres: int = 1) -> dict[str, Any]:
    """A minimal document: ``blocs`` blocs of one activity, one competency and
    ``criteres`` criteria each."""
    return {
        "certification": {
            "code": "RNCP99999",
            "intitule": "Petite certification",
            "niveau": 5,
        },
        "version": "1",
        "dispositions": [],
        "blocs": [
            {
                "code": f"B{b}",
                "intitule": f"Bloc {b}",
                "activites": [
                    {
                        "code": f"A{b}.1",
                        "intitule": f"Activité {b}",
                        "competences": [
                            {
                                "code": f"C{b}.1",
                                "intitule": f"Compétence {b}",
                                "details": "- en faisant\nafin de réussir.",
                                "modalite": {
                                    "type": "cas_pratique",
                                    "intitule": "Cas pratique : Analyse réflexive",
                                    "description": "Décrire.",
                                    "description_capitalisation": "Dossier professionnel.",
                                },
                                "criteres": [
                                    {"code": f"C{b}.1.{k}", "intitule": f"Critère {k}."}
                                    for k in range(1, criteres + 1)
                                ],
                            }
                        ],
                    }
                ],
            }
            for b in range(1, blocs + 1)
        ],
    }


def make_referentiel(
    data: dict[str, Any] | None = None,
    *,
    publish: bool = True,
    certificateur: bool = True,
) -> Referentiel:
    """A référentiel imported from ``data`` (the seed by default); its
    certification gets a complete certifier and registration unless
    ``certificateur`` is False, so that official documents can be issued."""
    referentiel = referentiel_import(data=data if data is not None else seed_data())
    if publish:
        referentiel = referentiel_publish(referentiel=referentiel)
    if certificateur:
        make_certificateur(referentiel.certification)
    return referentiel


def make_session(
    referentiel: Referentiel,
    *,
    nom: str = "Session de test",
    statut: str = "ouverte",
    deadline_in_days: int = 30,
) -> "Session":
    from datetime import timedelta

    from django.utils import timezone

    from evaluations.sessions.models import Session

    today = timezone.localdate()
    # A session past its deposits sits today: its jury may vote.
    date_jury = (
        today + timedelta(days=deadline_in_days + 10)
        if statut in Session.STATUTS_INSCRIPTION
        else today
    )
    return Session.objects.create(
        referentiel=referentiel,
        nom=nom,
        date_ouverture=today - timedelta(days=10),
        date_limite_depot=timezone.now() + timedelta(days=deadline_in_days),
        date_jury=date_jury,
        statut=statut,
    )


def make_candidat(
    email: str, *, nom: str = "Dupont", prenom: str = "Marie"
) -> "Candidat":
    from datetime import date

    from evaluations.sessions.models import Candidat

    user = make_user(email, Role.CANDIDAT, first_name=prenom, last_name=nom)
    return Candidat.objects.create(
        user=user,
        nom_naissance=nom.upper(),
        prenom1=prenom,
        date_naissance=date(1995, 3, 14),
        sexe="F",
        commune_naissance="Paris",
        code_insee_naissance="75056",
    )


def make_inscription(
    candidat: "Candidat",
    session: "Session",
    *,
    blocs: list[str] | None = None,
    voie_acces: str = "formation_continue",
) -> "Inscription":
    """Enrol on the whole certification, or on the blocs whose codes are given."""
    from evaluations.sessions.models import Inscription

    inscription = Inscription.objects.create(
        candidat=candidat,
        session=session,
        **Inscription.tri_of(candidat),
        voie_acces=voie_acces,
        parcours=Inscription.Parcours.COMPLET
        if blocs is None
        else Inscription.Parcours.BLOCS,
    )
    queryset = session.referentiel.blocs.all()
    if blocs is not None:
        queryset = queryset.filter(code__in=blocs)
    inscription.blocs.set(queryset)
    return inscription


def make_certificateur(
    certification: Certification, *, specimen: bool = False
) -> Certificateur:
    """A complete certifier (signature image included) for ``certification``, whose
    registration and bloc codes are filled in: official documents can be issued."""
    certificateur = Certificateur.objects.filter(siret="73282932000074").first()
    if certificateur is None:
        buffer = io.BytesIO()
        Image.new("RGB", (60, 24), "white").save(buffer, "PNG")
        certificateur = Certificateur(
            raison_sociale="Institut Exemple de Certification",
            siret="73282932000074",
            adresse="12 rue des Écoles\n69002 Lyon",
            ville="Lyon",
            signataire_nom="Claire Martin",
            signataire_qualite="Directrice générale",
            recours=(
                "Recours écrit auprès du certificateur (12 rue des Écoles, 69002 Lyon) "
                "dans les deux mois suivant la notification de la décision."
            ),
            cdc_id_client_emetteur="EMET0001",
            cdc_id_client_certificateur="CERT0001",
            cdc_id_contrat="C-1",
            specimen=specimen,
        )
        certificateur.signature.save("signature.png", ContentFile(buffer.getvalue()))
    certification.certificateur = certificateur
    certification.nsf = "326n"
    certification.date_enregistrement = date(2024, 3, 28)
    certification.date_fin_enregistrement = date(2029, 3, 28)
    certification.save()
    for bloc in Bloc.objects.filter(referentiel__certification=certification):
        bloc.code_rncp = f"{certification.code}BC{bloc.ordre + 1:02d}"
        bloc.save(update_fields=["code_rncp"])
    return certificateur

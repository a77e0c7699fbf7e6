"""Demo data of the handicap app (run by ``evaluations.demo``): Hugo Leroy
(candidat2) in the "Session d'hiver 2026" has a decided request — extra time and a
third party's assistance, a small PDF document — and an avis motivé proposing the
exemption of one oral-expression criterion of C1.5 (the jury's decision on it is
the deliberation's demo step). Idempotent: each step is skipped when already
done."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from certif.models import User
from evaluations.sessions.models import Inscription
from handicap.models import Amenagement, DemandeAmenagement
from handicap.services import (
    AmenagementSaisi,
    PropositionSaisie,
    demande_decider,
    demande_deposer,
    demande_instruire,
)
from referentiel.models import Critere

Log = Callable[[str], None]

SESSION = "Session d'hiver 2026"
CANDIDAT = "candidat2@certif.localhost"
REFERENT = "referent@certif.localhost"
PRESIDENT = "president@certif.localhost"
CRITERE_COMPETENCE = "C1.5"
CRITERE_DEBUT = "Les éléments de langage utilisés respectent les codes professionnels"

# A one-page PDF with the text "Certificat medical (demonstration)".
_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 66>>stream
BT /F1 14 Tf 72 770 Td (Certificat medical \\(demonstration\\)) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def demo_pdf(name: str = "certificat-demonstration.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


def demo_handicap(log: Log) -> None:
    """One candidate with a decided request and an avis proposing an exemption."""
    try:
        _demo(log)
    except ValidationError as exc:
        log(
            f"Handicap : données de démonstration incomplètes ({' '.join(exc.messages)})"
        )


def _demo(log: Log) -> None:
    inscription = (
        Inscription.objects.filter(session__nom=SESSION, candidat__user__email=CANDIDAT)
        .select_related("session", "candidat__user")
        .first()
    )
    if inscription is None:
        log(f"Handicap : pas d'inscription de {CANDIDAT} à « {SESSION} », ignoré")
        return
    referent = User.objects.filter(email=REFERENT).first()
    if referent is None:
        log(f"Handicap : compte {REFERENT} absent, ignoré")
        return
    demande = DemandeAmenagement.objects.filter(inscription=inscription).first()
    if demande is None:
        demande = demande_deposer(
            inscription=inscription,
            besoins=(
                "Je suis atteint d'un bégaiement sévère : les prises de parole "
                "longues devant un public me demandent beaucoup plus de temps, et "
                "j'ai besoin de pauses pendant les mises en situation orales."
            ),
            modalites=[],
            consentement=True,
            pieces=[demo_pdf()],
            by=inscription.candidat.user,
        )
        log("Handicap : demande d'aménagement de Hugo Leroy déposée")
    critere = (
        Critere.objects.filter(
            referentiel=inscription.session.referentiel,
            competence__code=CRITERE_COMPETENCE,
            intitule__startswith=CRITERE_DEBUT,
            competence__activite__bloc__inscriptions=inscription,
        )
        .select_related("competence__activite")
        .first()
    )
    if demande.statut == DemandeAmenagement.Statut.DEPOSEE:
        demande = demande_instruire(demande=demande, by=referent)
    if demande.statut == DemandeAmenagement.Statut.EN_INSTRUCTION:
        demande_decider(
            demande=demande,
            amenagements=[
                AmenagementSaisi(
                    type=Amenagement.Type.TEMPS_MAJORE,
                    description=(
                        "Un tiers-temps supplémentaire pour chaque mise en situation "
                        "professionnelle orale, avec une pause de cinq minutes."
                    ),
                ),
                AmenagementSaisi(
                    type=Amenagement.Type.ASSISTANCE_TIERS,
                    precision="Secrétaire-lecteur",
                    description=(
                        "Un secrétaire lit à voix haute les supports écrits que le "
                        "candidat désigne pendant la présentation."
                    ),
                ),
            ],
            avis=(
                "Les aménagements de temps et d'assistance permettent au candidat "
                "de démontrer ses compétences dans les mises en situation orales. "
                "Le critère relatif aux codes du langage professionnel à l'oral "
                "mesure une aisance d'élocution que le trouble du candidat ne lui "
                "permet pas d'atteindre, sans lien avec sa capacité à concevoir et "
                "défendre un plan d'action commerciale, qu'il exercera par écrit."
            ),
            propositions=[
                PropositionSaisie(
                    critere=critere,
                    motif=(
                        "Le critère évalue l'élocution orale ; le poste visé par le "
                        "candidat s'exerce principalement à l'écrit."
                    ),
                )
            ]
            if critere is not None
            else [],
            by=referent,
        )
        log("Handicap : demande décidée (temps majoré, assistance d'un tiers)")
    else:
        log("Handicap : demande de Hugo Leroy inchangée")

"""Every model of the app, so that Django registers them under the ``evaluations``
label. Code imports a model from its area (``evaluations.sessions.models``…); this
module exists for Django and for the tests."""

from evaluations.declarations.models import DeclarationCDC, LotCDC, RappelDeclarations
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.documents.models import Document, EmissionSession
from evaluations.epreuves.models import (
    Convocation,
    Disponibilite,
    FluxCalendrier,
    Passage,
    Planning,
    Salle,
    Site,
)
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.livrables.models import Livrable
from evaluations.notation.models import (
    Consolidation,
    DerogationValidation,
    Evaluation,
    Resultat,
)
from evaluations.recours.models import PieceRecours, Recours
from evaluations.resultats.models import PublicationResultats, ResultatPublie
from evaluations.sessions.models import (
    BlocAcquis,
    Candidat,
    EcritureRefusee,
    Inscription,
    Session,
    VoieAcces,
)
from evaluations.statistiques.models import Export, StatistiqueLigne, StatistiqueSession

__all__ = [
    "Affectation",
    "BlocAcquis",
    "Candidat",
    "ConflitInterets",
    "Consolidation",
    "Convocation",
    "DeclarationCDC",
    "Deliberation",
    "DerogationValidation",
    "Disponibilite",
    "Document",
    "EcritureRefusee",
    "EmissionSession",
    "Evaluation",
    "Export",
    "FluxCalendrier",
    "Inscription",
    "Livrable",
    "LotCDC",
    "MembreJury",
    "Passage",
    "PieceRecours",
    "Planning",
    "PublicationResultats",
    "RappelDeclarations",
    "Recours",
    "ReouvertureDeliberation",
    "Resultat",
    "ResultatPublie",
    "Salle",
    "Session",
    "Site",
    "StatistiqueLigne",
    "StatistiqueSession",
    "VoieAcces",
]

"""Sessions, candidates, enrolments, deliverables, juries, scores, deliberation,
capitalised blocs and issued documents. One module per area; import models from
``evaluations.models``."""

from evaluations.models.deliberation import (
    BlocAcquis,
    Deliberation,
    ReouvertureDeliberation,
)
from evaluations.models.documents import Document, EmissionSession
from evaluations.models.jury import (
    Affectation,
    ConflitInterets,
    Consolidation,
    Evaluation,
    MembreJury,
    Resultat,
)
from evaluations.models.sessions import (
    Candidat,
    Inscription,
    Livrable,
    Session,
    VoieAcces,
)

__all__ = [
    "Affectation",
    "BlocAcquis",
    "Candidat",
    "ConflitInterets",
    "Consolidation",
    "Deliberation",
    "Document",
    "EmissionSession",
    "Evaluation",
    "Inscription",
    "Livrable",
    "MembreJury",
    "ReouvertureDeliberation",
    "Resultat",
    "Session",
    "VoieAcces",
]

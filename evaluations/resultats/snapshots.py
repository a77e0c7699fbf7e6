"""The frozen data of a result letter, built at the publication of the results
from the enrolment's relevé (one home of the blocs' and competencies' status:
``inscription_snapshots``) and what the publication adds."""

from django.utils import timezone

from evaluations.documents.snapshots import LettreSnapshot, inscription_snapshots
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.selectors import (
    date_limite_recours,
    delai_recours_mois,
    phrase_decision,
    reglement_url,
    validite_of,
)
from evaluations.sessions.models import Inscription


def lettre_snapshot(*, inscription_id: int) -> LettreSnapshot:
    """The letter of an enrolment whose session's results are published (raises
    ``DocumentsIndisponiblesError`` without a locked deliberation)."""
    inscription = Inscription.objects.select_related(
        "session__referentiel__certification", "session__publication_resultats"
    ).get(pk=inscription_id)
    publication: PublicationResultats = inscription.session.publication_resultats
    if publication.publiee_le is None:
        raise ValueError("The results of this session are not published.")
    releve = inscription_snapshots(inscription_id=inscription_id).releve
    certification = inscription.session.referentiel.certification
    validite = validite_of(
        certification=certification, depuis=releve.date_decision_date
    )
    limite = date_limite_recours(inscription)
    assert limite is not None  # noqa: S101 - published, checked above
    return LettreSnapshot(
        releve=releve,
        publiee_le=timezone.localdate(publication.publiee_le).isoformat(),
        date_limite_recours=limite.isoformat(),
        delai_recours_mois=delai_recours_mois(certification=certification),
        validite_blocs_mois=validite.mois,
        blocs_valables_jusqu_au=validite.jusqu_au.isoformat()
        if validite.jusqu_au
        else "",
        reglement_url=reglement_url(certification=certification),
        decision_phrase=phrase_decision(releve),
    )

"""Publication of a timetable and the convocations: one per version of a
sitting, issued once (PDF sealed, e-mail with the PDF and the ``.ics``)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.messages import message_send
from certif.models import User
from certif.sceau import seal_pdf
from evaluations.epreuves.documents import convocation_ics, convocation_pdf
from evaluations.epreuves.models import (
    Convocation,
    Passage,
    Planning,
)
from evaluations.epreuves.selectors import (
    convocation_snapshot,
)
from evaluations.epreuves.services import planning_lock
from evaluations.sessions.models import Session


@transaction.atomic
def planning_publish(*, session: Session, by: User) -> Planning:
    """Publish the timetable: every candidate gets a convocation (in the
    background, ``tasks.envoyer_convocations``)."""
    planning = planning_lock(session_id=session.pk)
    errors = []
    if planning.est_publie:
        errors.append(_("Le planning est déjà publié."))
    if planning.generation_en_cours:
        errors.append(_("Attendez la fin de la génération."))
    if not Passage.objects.filter(session=session).exists():
        errors.append(_("Le planning ne compte aucun passage."))
    if errors:
        raise ValidationError(errors)
    planning.statut = Planning.Statut.PUBLIE
    planning.publie_le = timezone.now()
    planning._history_user = by
    planning.save()
    return planning


def convocations_a_envoyer(*, planning: Planning) -> list[int]:
    return list(
        Passage.objects.filter(
            session_id=planning.session_id,
            convoque_version__lt=F("version"),
            presence=Passage.Presence.A_CONSTATER,
        )
        .order_by("debut", "pk")
        .values_list("pk", flat=True)
    )


def convocation_issue(*, passage_id: int) -> Convocation | None:
    """Issue and send the convocation of one sitting's current version, once:
    under the sitting's row lock, nothing is done if that version was already
    convoked (a second run, another worker). The e-mail (template
    ``emails/convocation/``) carries the PDF and the ``.ics``; a mail failure is
    logged and the convocation stays on the candidate's page."""
    with transaction.atomic():
        passage = (
            Passage.objects.select_for_update(of=("self",))
            .select_related("inscription__candidat__user")
            .get(pk=passage_id)
        )
        if passage.convoque_version >= passage.version:
            return None
        precedente = (
            Convocation.objects.filter(passage=passage).order_by("-version").first()
        )
        snapshot = convocation_snapshot(
            passage_id=passage.pk,
            precedent=precedente.creneau if precedente else "",
        )
        rendered = convocation_pdf(snapshot)
        content = seal_pdf(
            rendered.content,
            reason=_("Convocation — %(nom)s")
            % {"nom": snapshot.certificateur or snapshot.session},
        )
        convocation = Convocation(
            passage=passage,
            version=passage.version,
            modifiee=precedente is not None,
            precedent=snapshot.precedent,
            creneau=snapshot.creneau_lieu,
        )
        convocation.fichier.save(rendered.filename, ContentFile(content), save=False)
        convocation.full_clean()
        convocation.save()
        passage.convoque_version = passage.version
        passage.save(update_fields=["convoque_version"])
    ics = convocation_ics(snapshot)
    envoye = message_send(
        gabarit="convocation",
        destinataire=snapshot.email,
        utilisateur=passage.inscription.candidat.user,
        contexte={
            "prenom": snapshot.prenom,
            "session": snapshot.session,
            "creneau": snapshot.creneau,
            "lieu": snapshot.lieu_court,
            "modalites": snapshot.modalites_court,
            "modifiee": convocation.modifiee,
            "precedent": convocation.precedent,
            "reglement_url": snapshot.reglement_url,
        },
        cle=f"convocation:{convocation.pk}",
        pieces_jointes=[
            (rendered.filename, content, "application/pdf"),
            ("convocation.ics", ics, "text/calendar"),
        ],
    )
    if envoye is not None:
        Convocation.objects.filter(pk=convocation.pk).update(envoyee_le=envoye.cree_le)
    return convocation


def convocations_progress(*, planning_id: int, total: int, faits: int) -> None:
    Planning.objects.filter(pk=planning_id).update(
        envois_total=total, envois_faits=faits
    )

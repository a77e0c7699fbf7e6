"""E-mailing jury members their schedule: when the timetable is published, and
again to the members whose sittings changed afterwards. Each e-mail (template
``emails/planning_jury/``) carries the member's sittings of the session as a PDF
and an ``.ics``, and the address of their private calendar feed.

Sent once per member and version of their schedule: the key of the message
(``certif.messages.message_send``, unique) holds the session, the member and a
fingerprint of what their schedule says (each sitting's id, version, times,
room or link). A second run sends nothing; a change sends only to the members
whose schedule it changed, the member taken off a sitting included."""

import hashlib
import logging
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.messages import absolute_url, message_send
from certif.models import MessageEnvoye, User
from evaluations.epreuves.documents import agenda_ics, planning_pdf
from evaluations.epreuves.models import Passage, Planning
from evaluations.epreuves.selectors import passages_for_user
from evaluations.epreuves.services import flux_get_or_create
from evaluations.jury.models import MembreJury

logger = logging.getLogger(__name__)

GABARIT = "planning_jury"


def _prefixe(session_id: int, user_id: int) -> str:
    return f"planning-jury:{session_id}:{user_id}:"


def empreinte_of(passages: list[Passage]) -> str:
    """The version of a member's schedule: changes whenever a sitting of theirs
    is added, removed, moved or changed (its version), never otherwise."""
    contenu = "|".join(
        f"{p.pk}:{p.version}:{p.debut.isoformat()}:{p.fin.isoformat()}:"
        f"{p.salle_id or ''}:{p.lien_visio}"
        for p in sorted(passages, key=lambda p: p.pk)
    )
    return hashlib.sha256(contenu.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class PlanningJury:
    """What a member's schedule e-mail says and carries."""

    user: User
    session: str
    passages: list[Passage]
    cle: str
    modifie: bool


def destinataires_of(*, session_id: int) -> list[User]:
    """The members to write to: those with a sitting in the session, and those
    already sent a schedule for it (a member taken off every sitting learns it).
    Two queries."""
    ids = set(
        MembreJury.objects.filter(
            session_id=session_id, passages__session_id=session_id
        ).values_list("user_id", flat=True)
    )
    for cle in MessageEnvoye.objects.filter(
        gabarit=GABARIT, cle__startswith=f"planning-jury:{session_id}:"
    ).values_list("cle", flat=True):
        ids.add(int(cle.split(":")[2]))
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def planning_jury_of(*, session_id: int, session_nom: str, user: User) -> PlanningJury:
    passages = list(passages_for_user(user=user).filter(session_id=session_id))
    prefixe = _prefixe(session_id, user.pk)
    return PlanningJury(
        user=user,
        session=session_nom,
        passages=passages,
        cle=f"{prefixe}{empreinte_of(passages)}",
        modifie=MessageEnvoye.objects.filter(
            gabarit=GABARIT, cle__startswith=prefixe
        ).exists(),
    )


def planning_jury_send(*, planning: PlanningJury, session_id: int) -> bool:
    """Send one member their schedule, unless this version of it was already
    sent. True when an e-mail was recorded and queued."""
    if MessageEnvoye.objects.filter(cle=planning.cle).exists():
        return False
    user = planning.user
    pdf = planning_pdf(
        titre=_("Épreuves de %(nom)s — %(session)s")
        % {"nom": user.get_full_name() or user.email, "session": planning.session},
        passages=planning.passages,
    )
    ics = agenda_ics(
        nom=_("Épreuves — %(session)s") % {"session": planning.session},
        passages=planning.passages,
    )
    flux = flux_get_or_create(user=user)
    locaux = [timezone.localtime(p.debut) for p in planning.passages]
    envoye = message_send(
        gabarit=GABARIT,
        destinataire=user.email,
        utilisateur=user,
        contexte={
            "nom": user.get_full_name() or user.email,
            "session": planning.session,
            "modifie": planning.modifie,
            "nb_passages": len(planning.passages),
            "premier": min(locaux) if locaux else None,
            "dernier": max(locaux) if locaux else None,
            "url_passages": absolute_url(
                reverse("evaluations:epreuves_mes_passages", args=[session_id])
            ),
            "url_flux": absolute_url(
                reverse("evaluations:epreuves_flux_ics", args=[flux.jeton])
            ),
        },
        cle=planning.cle,
        pieces_jointes=[
            ("mes-epreuves.pdf", pdf.content, "application/pdf"),
            ("mes-epreuves.ics", ics, "text/calendar"),
        ],
    )
    return envoye is not None


def plannings_jury_envoyer(*, planning: Planning) -> int:
    """Send every member of a published timetable the version of their schedule
    they have not received yet; the number of e-mails sent. A failure for one
    member is logged and the others still get theirs."""
    if not planning.est_publie:
        return 0
    session = planning.session
    envoyes = 0
    for user in destinataires_of(session_id=session.pk):
        try:
            envoyes += planning_jury_send(
                planning=planning_jury_of(
                    session_id=session.pk, session_nom=session.nom, user=user
                ),
                session_id=session.pk,
            )
        except Exception:
            logger.exception(
                "Planning du membre %s (session %s) non envoyé", user.pk, session.pk
            )
    return envoyes

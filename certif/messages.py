"""The e-mails of the platform: one sender for all of them.

Each e-mail is a template folder ``templates/emails/<gabarit>/`` with ``sujet.txt``,
``corps.txt`` (the plain-text part, rendered without HTML escaping) and
``corps.html`` (the HTML part, extending ``emails/base.html``). ``message_send``
renders the three with the caller's context plus ``site_url``, refuses any
template syntax left in the result, records the message (``MessageEnvoye``: the
recipient reads it again on « Mes messages ») and sends it once the transaction
commits. A non-empty ``cle`` makes it idempotent: the same key is never recorded
nor sent twice, even by two processes at once (unique constraint). A message
whose body must not be kept (health data, a password link) is sent with
``archiver_corps=False``: the record keeps its subject and a neutral text."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from certif.models import MessageEnvoye, User

logger = logging.getLogger(__name__)

# Piece of a template that must never reach a recipient.
TEMPLATE_SYNTAX = ("{%", "%}", "{{", "}}", "{#", "#}")

PieceJointe = tuple[str, bytes, str]

# How many items (candidates, grids) an e-mail lists; it counts the others and
# links to the page that lists them all (a body stays within MessageEnvoye.corps).
LISTE_MAX = 50

# What « Mes messages » shows of a message whose body is not kept.
CORPS_NON_CONSERVE = _(
    "Le contenu de ce message, confidentiel, n'est pas conservé ici."
)


class GabaritInvalideError(ValueError):
    """A rendered e-mail still holds template syntax."""


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) as an absolute address on ``SITE_URL``."""
    return f"{settings.SITE_URL}{path}"


def _render(name: str, context: Mapping[str, Any], *, autoescape: bool) -> str:
    template = get_template(name)
    # The backend's template wraps Django's; the plain-text part is rendered
    # without HTML escaping (« l'épreuve », not « l&#x27;épreuve »).
    return str(template.template.render(Context(dict(context), autoescape=autoescape)))  # type: ignore[attr-defined]


def message_render(
    *, gabarit: str, contexte: Mapping[str, Any]
) -> tuple[str, str, str]:
    """(subject on one line, plain text, HTML) of ``gabarit`` for ``contexte``."""
    context = {"site_url": settings.SITE_URL, **contexte}
    sujet = " ".join(
        _render(f"emails/{gabarit}/sujet.txt", context, autoescape=False).split()
    )
    texte = _render(f"emails/{gabarit}/corps.txt", context, autoescape=False).strip()
    html = _render(f"emails/{gabarit}/corps.html", context, autoescape=True)
    for part in (sujet, texte, html):
        for marker in TEMPLATE_SYNTAX:
            if marker in part:
                raise GabaritInvalideError(
                    f"template syntax {marker!r} left in e-mail {gabarit!r}"
                )
    return sujet, texte + "\n", html


def _deliver(
    *,
    pk: int,
    sujet: str,
    texte: str,
    html: str,
    to: str,
    pieces: Sequence[PieceJointe],
    connexion: BaseEmailBackend | None,
) -> None:
    message = EmailMultiAlternatives(sujet, texte, None, [to], connection=connexion)
    message.attach_alternative(html, "text/html")
    for nom, contenu, type_mime in pieces:
        message.attach(nom, contenu, type_mime)
    try:
        message.send()
    except Exception:
        # The message stays recorded; the log names it by its id, never by its
        # recipient (no personal data in the logs).
        logger.exception("E-mail non envoyé (message %s)", pk)


def message_send(
    *,
    gabarit: str,
    destinataire: str,
    contexte: Mapping[str, Any],
    utilisateur: User | None = None,
    cle: str = "",
    pieces_jointes: Sequence[PieceJointe] = (),
    archiver_corps: bool = True,
    connexion: BaseEmailBackend | None = None,
) -> MessageEnvoye | None:
    """Record and send (after commit) the e-mail ``gabarit`` to ``destinataire``.
    Returns the recorded message, or ``None`` when ``cle`` was already used (the
    message went out before: nothing is sent again). A mail server failure is
    logged and never undoes the caller's transaction. ``archiver_corps=False``
    records the subject and ``CORPS_NON_CONSERVE`` instead of the body (the
    e-mail itself is sent whole). ``connexion``: one open connection to the mail
    server shared by a batch of messages."""
    sujet, texte, html = message_render(gabarit=gabarit, contexte=contexte)
    message = MessageEnvoye(
        utilisateur=utilisateur,
        destinataire=destinataire,
        gabarit=gabarit,
        sujet=sujet[:255],
        corps=texte if archiver_corps else f"{CORPS_NON_CONSERVE}\n",
        pieces_jointes=[nom for nom, _contenu, _type in pieces_jointes],
        cle=cle,
    )
    message.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if cle and MessageEnvoye.objects.filter(cle=cle).exists():
            return None
        raise
    pieces = list(pieces_jointes)
    pk = message.pk
    transaction.on_commit(
        lambda: _deliver(
            pk=pk,
            sujet=sujet,
            texte=texte,
            html=html,
            to=destinataire,
            pieces=pieces,
            connexion=connexion,
        ),
        robust=True,
    )
    return message


def messages_of(*, user: User) -> Any:
    """The messages ``user`` received, newest first."""
    return MessageEnvoye.objects.filter(utilisateur=user).order_by("-cree_le", "-pk")

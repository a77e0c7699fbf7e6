"""Reads of the documents area: the visibility of issued documents, the
public verification lookup and the pages of the emission."""

import hashlib
import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document, EmissionSession, normalize_code
from evaluations.resultats.models import resultats_publies_q
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Bloc, Certification


def documents_visible_to(*, user: User) -> QuerySet[Document]:
    """Administrators see every document; a candidate their own (never a PV nor
    its addendum) once the results of their session are published; a jury
    member the PV and its addendum of the sessions they sit on."""
    queryset = Document.objects.select_related(
        "session", "inscription__candidat", "remplace"
    )
    if is_admin(user):
        return queryset
    condition = Q(pk__in=[])
    if has_role(user, Role.CANDIDAT):
        condition |= (
            Q(inscription__candidat__user=user)
            & ~Q(nature__in=Document.SESSION_NATURES)
            & resultats_publies_q()
        )
    if has_role(user, Role.MEMBRE_JURY, Role.PRESIDENT):
        condition |= Q(nature__in=Document.SESSION_NATURES, session__membres__user=user)
    return queryset.filter(condition).distinct()


def get_document_for(user: User, pk: int) -> Document:
    return get_object_or_404(documents_visible_to(user=user), pk=pk)


def get_distinction_for_admin(user: User, pk: int) -> Document:
    """An award the administrator may revoke (404 for other natures)."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        Document.objects.select_related("session", "inscription__candidat"),
        pk=pk,
        nature__in=Document.AWARDS,
    )


def get_document_for_admin(user: User, pk: int) -> Document:
    """Any issued document, for an administrator (re-issuing)."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        Document.objects.select_related("session", "inscription__candidat"), pk=pk
    )


def documents_a_reediter() -> QuerySet[Document]:
    """Valid documents that should be re-issued: those issued from a version-1
    snapshot (before the certifier, the registration and the signatory were
    printed; relevés with a template comment leaked into the file), and those
    that print the INSEE code of a country (« née à 99351 ») as the place of
    birth of a holder born abroad."""
    return (
        Document.objects.filter(statut=Document.Statut.VALIDE)
        .filter(
            ~Q(snapshot__has_key="schema")
            | Q(snapshot__titulaire__lieu_naissance__regex=r"^99[0-9]{3}$")
        )
        .select_related("session", "inscription__candidat")
        .order_by("session_id", "nature", "pk")
    )


def documents_of_candidate(*, user: User) -> QuerySet[Document]:
    """The candidate's own documents, newest first ("Mes documents"), once the
    results of their session are published."""
    return (
        Document.objects.filter(resultats_publies_q(), inscription__candidat__user=user)
        .exclude(nature__in=Document.SESSION_NATURES)
        .select_related("session")
        .defer("snapshot")
        .order_by("-emis_le", "nature", "-version", "-pk")
    )


def distinction_by_code(*, code: str) -> Document:
    """The award or result letter with this code, for the public verification
    page (404 for an unknown code or another kind of document)."""
    normalized = normalize_code(code)
    if not normalized:
        raise Http404
    return get_object_or_404(
        Document.objects.select_related("remplace_par"),
        code=normalized,
        nature__in=Document.VERIFIABLES,
    )


def sha256_of_upload(upload: UploadedFile[bytes]) -> str:
    """The SHA-256 of an uploaded file, read in chunks (never stored)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def sessions_for_emission() -> QuerySet[Session]:
    """Sessions with at least one deliberation, with their counts, for the
    administrator's list. The document count is a subquery: joined with the
    deliberations, it would multiply the rows (500 by 1,000 for a session of 500
    candidates)."""
    documents = (
        Document.objects.filter(session=OuterRef("pk"), statut=Document.Statut.VALIDE)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Session.objects.filter(inscriptions__deliberation__isnull=False)
        .select_related("referentiel__certification")
        .annotate(
            nb_deliberations=Count("inscriptions__deliberation"),
            nb_non_verrouillees=Count(
                "inscriptions__deliberation",
                filter=Q(inscriptions__deliberation__verrouillee=False),
            ),
            nb_documents=Coalesce(Subquery(documents), 0),
        )
        .order_by("-date_jury", "nom")
    )


def get_session_for_emission(user: User, pk: int) -> Session:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(sessions_for_emission(), pk=pk)


def site_url_manquant() -> str | None:
    """With DEBUG off, the address printed into documents must be public HTTPS:
    an issued document is frozen with it."""
    if settings.DEBUG:
        return None
    parts = urlsplit(settings.SITE_URL)
    host = (parts.hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback or host == "0.0.0.0"  # noqa: S104 - compared, not bound
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if parts.scheme != "https" or not host or loopback:
        return _(
            "une adresse publique en https:// pour SITE_URL (actuellement « %(url)s »)"
        ) % {"url": settings.SITE_URL}
    return None


def documents_officiels_manquants(*, certification_id: int) -> list[str]:
    """What official documents of this certification lack: its registration, its
    certifier's identity and signatory, the RNCP codes of its blocs, a public
    SITE_URL. Empty when they can be issued. A certifier in specimen mode (the
    demo) issues marked specimens whatever is missing."""
    certification = Certification.objects.select_related("certificateur").get(
        pk=certification_id
    )
    if certification.certificateur and certification.certificateur.specimen:
        return []
    manquants = certification.manquants()
    sans_code = sorted(
        set(
            Bloc.objects.filter(
                referentiel__certification=certification, code_rncp=""
            ).values_list("code", flat=True)
        )
    )
    if sans_code:
        manquants.append(
            _("le code RNCP des blocs %(blocs)s") % {"blocs": ", ".join(sans_code)}
        )
    site = site_url_manquant()
    if site:
        manquants.append(site)
    return manquants


def manquants_message(manquants: list[str]) -> str:
    return _("Aucun document officiel ne peut être émis : il manque %(liste)s.") % {
        "liste": " ; ".join(manquants)
    }


def emission_blocker(*, session: Session) -> str | None:
    """Why the session's documents cannot be issued now, or None."""
    manquants = documents_officiels_manquants(
        certification_id=session.referentiel.certification_id
    )
    if manquants:
        return manquants_message(manquants)
    counts = Deliberation.objects.filter(inscription__session=session).aggregate(
        total=Count("pk"), ouvertes=Count("pk", filter=Q(verrouillee=False))
    )
    if not counts["total"]:
        return _("Aucune délibération n'a encore eu lieu dans cette session.")
    if counts["ouvertes"]:
        return _(
            "Des délibérations sont rouvertes : verrouillez-les avant d'émettre "
            "les documents."
        )
    return None


def locked_inscription_ids(*, session: Session) -> list[int]:
    return list(
        Inscription.objects.filter(
            session=session, deliberation__verrouillee=True
        ).values_list("pk", flat=True)
    )


def emissions_of_session(*, session: Session) -> QuerySet[EmissionSession]:
    return EmissionSession.objects.filter(session=session).select_related("lancee_par")


def get_emission_for(user: User, pk: int) -> EmissionSession:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        EmissionSession.objects.select_related("session", "lancee_par"), pk=pk
    )


def documents_of_session(*, session: Session) -> QuerySet[Document]:
    return (
        Document.objects.filter(session=session)
        .select_related("inscription__candidat")
        .order_by(
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "nature",
            "-version",
        )
    )


def current_documents_of_session(*, session_id: int) -> QuerySet[Document]:
    """The valid documents of a session, for the ZIP archive."""
    return (
        Document.objects.filter(session_id=session_id, statut=Document.Statut.VALIDE)
        .select_related("inscription__candidat")
        .order_by("nature", "inscription__candidat__nom_naissance", "pk")
    )

"""Writes of the deliverables area: upload (checked on content, streamed into
private storage under a random name with its SHA-256) and withdrawal.

Nothing is ever overwritten or deleted by a candidate: a re-upload of a file with
the same name is a new version pointing at the previous one (``remplace``), and a
withdrawn file keeps its row, marked ``retire_le``. On any error, nothing is kept:
no row, and no file on disk."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.formats import taille_lisible
from certif.messages import absolute_url, message_send
from certif.models import MessageEnvoye, User
from certif.uploads import BUREAUTIQUE, HashingFile, upload_check
from evaluations.livrables.documents import recu_pdf
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import recu_of
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.selectors import reglement_a_accepter
from evaluations.sessions.services import inscription_create
from evaluations.sessions.verrou import inscription_lock
from referentiel.models import Modalite


def depot_ferme_message(session: Session) -> str:
    if session.statut != Session.Statut.OUVERTE:
        return _(
            "Les dépôts sont fermés : la session est au statut « %(statut)s »."
        ) % {"statut": session.statut_candidat}
    return _("La date limite de dépôt est passée : le dossier est en lecture seule.")


@dataclass(frozen=True)
class Depot:
    """A file to upload: its stream and the name the browser sent."""

    fichier: Any
    nom: str


def check_depot(*, inscription: Inscription, modalite: Modalite) -> None:
    """Refuse an upload outside the open period, outside the candidate's path, or
    after the candidate withdrew."""
    if inscription.est_desistee:
        raise ValidationError(
            _("Vous vous êtes désisté de cette session : plus aucun dépôt.")
        )
    if inscription.est_reportee:
        raise ValidationError(
            _(
                "Votre inscription est reportée à une session ultérieure : déposez "
                "dans celle-ci."
            )
        )
    if not inscription.session.depots_ouverts():
        raise ValidationError(depot_ferme_message(inscription.session))
    reglement = reglement_a_accepter(inscription=inscription)
    if reglement is not None:
        raise ValidationError(
            _(
                "Lisez et acceptez le règlement d'examen (version %(version)d) avant "
                "de déposer : il est en haut de votre dossier."
            )
            % {"version": reglement.version}
        )
    if not inscription.blocs.filter(pk=modalite.competence.activite.bloc_id).exists():
        raise ValidationError(_("Cette modalité ne fait pas partie de votre parcours."))


def livrables_deposer(
    *,
    inscription: Inscription,
    modalite: Modalite,
    depots: Sequence[Depot],
    by: User,
) -> list[Livrable]:
    """Upload one or more files for a modality, all or nothing. A file with the
    same name as a current one becomes its new version."""
    if not depots:
        raise ValidationError(_("Choisissez au moins un fichier."))
    saved: list[str] = []
    try:
        with transaction.atomic():
            # Locked: uploads of one enrolment are serialised, versions stay a chain.
            inscription = (
                Inscription.objects.select_for_update(of=("self",))
                .select_related("session")
                .get(pk=inscription.pk)
            )
            modalite = Modalite.objects.select_related("competence__activite").get(
                pk=modalite.pk
            )
            check_depot(inscription=inscription, modalite=modalite)
            quota = _Quota.of(inscription)
            return [
                _deposer_un(
                    inscription=inscription,
                    modalite=modalite,
                    depot=depot,
                    by=by,
                    saved=saved,
                    quota=quota,
                )
                for depot in depots
            ]
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


@dataclass
class _Quota:
    """What a candidate's deliverables of one enrolment already use, against
    ``LIVRABLES_QUOTA_FICHIERS`` and ``LIVRABLES_QUOTA_OCTETS`` (every version
    and withdrawn file counts: nothing is deleted). Read under the enrolment's
    lock, so that two uploads at once cannot both pass."""

    fichiers: int
    octets: int

    @classmethod
    def of(cls, inscription: Inscription) -> "_Quota":
        totals = Livrable.objects.filter(inscription=inscription).aggregate(
            fichiers=Count("pk"), octets=Sum("taille")
        )
        return cls(totals["fichiers"], totals["octets"] or 0)

    def check_count(self) -> None:
        limit = settings.LIVRABLES_QUOTA_FICHIERS
        if self.fichiers + 1 > limit:
            raise ValidationError(
                ngettext(
                    "Votre dossier a atteint la limite de %(n)d fichier déposé "
                    "(versions et fichiers retirés compris) : demandez à "
                    "l'administrateur de la session.",
                    "Votre dossier a atteint la limite de %(n)d fichiers déposés "
                    "(versions et fichiers retirés compris) : demandez à "
                    "l'administrateur de la session.",
                    limit,
                )
                % {"n": limit}
            )

    def check_size(self, nom: str, taille: int) -> None:
        limit = settings.LIVRABLES_QUOTA_OCTETS
        if self.octets + taille > limit:
            raise ValidationError(
                _(
                    "« %(nom)s » dépasserait l'espace de votre dossier "
                    "(%(quota)s, versions et fichiers retirés compris ; "
                    "%(libre)s libres) : déposez un fichier plus léger ou demandez "
                    "à l'administrateur de la session."
                )
                % {
                    "nom": nom,
                    "quota": taille_lisible(limit),
                    "libre": taille_lisible(max(limit - self.octets, 0)),
                }
            )

    def add(self, taille: int) -> None:
        self.fichiers += 1
        self.octets += taille


def _deposer_un(
    *,
    inscription: Inscription,
    modalite: Modalite,
    depot: Depot,
    by: User,
    saved: list[str],
    quota: _Quota,
) -> Livrable:
    controle = upload_check(nom=depot.nom, fichier=depot.fichier, formats=BUREAUTIQUE)
    nom, mime = controle.nom, controle.type_mime
    quota.check_count()
    declared = getattr(depot.fichier, "size", None)
    if declared is not None:
        quota.check_size(nom, declared)
    precedent = (
        Livrable.objects.filter(
            inscription=inscription,
            modalite=modalite,
            nom_original__iexact=nom,
            remplace_par__isnull=True,
        )
        .order_by("-version")
        .first()
    )
    livrable = Livrable(
        inscription=inscription,
        modalite=modalite,
        nom_original=nom,
        type_mime=mime,
        version=precedent.version + 1 if precedent else 1,
        remplace=precedent,
        depose_par=by,
    )
    field = Livrable._meta.get_field("fichier")
    name = field.generate_filename(livrable, nom)
    saved.append(name)
    stream = HashingFile(depot.fichier)
    stored = default_storage.save(name, stream)
    if stored != name:
        saved.append(stored)
    if stream.read_size == 0:
        raise ValidationError(_("Le fichier « %(nom)s » est vide.") % {"nom": nom})
    quota.check_size(nom, stream.read_size)
    quota.add(stream.read_size)
    livrable.fichier.name = stored
    livrable.taille = stream.read_size
    livrable.sha256 = stream.digest.hexdigest()
    livrable.full_clean()
    livrable.save()
    return livrable


RECU_GABARIT = "recu_depot"


def recu_cle(livrable_id: int) -> str:
    """The key that makes the receipt e-mail of a deposit go out once."""
    return f"recu:{livrable_id}"


def recu_send(*, livrable_id: int) -> MessageEnvoye | None:
    """E-mail the receipt of one deposit to its candidate, the PDF attached and
    a link to the dossier. Once per deposit: called again (a task run twice), it
    neither renders nor sends anything and returns None."""
    cle = recu_cle(livrable_id)
    if MessageEnvoye.objects.filter(cle=cle).exists():
        return None
    livrable = Livrable.objects.select_related("inscription__candidat__user").get(
        pk=livrable_id
    )
    recu = recu_of(livrable=livrable)
    rendered = recu_pdf(recu)
    dossier = reverse("evaluations:dossier", kwargs={"pk": livrable.inscription_id})
    return message_send(
        gabarit=RECU_GABARIT,
        destinataire=recu.email,
        contexte={
            "recu": recu,
            "dossier_url": absolute_url(f"{dossier}#modalite-{livrable.modalite_id}"),
        },
        utilisateur=livrable.inscription.candidat.user,
        cle=cle,
        pieces_jointes=[(rendered.filename, rendered.content, rendered.content_type)],
    )


@transaction.atomic
def livrable_retirer(*, livrable: Livrable, by: User) -> Livrable:
    """Mark a file withdrawn (it stays in the history); only while uploads are
    open."""
    livrable = (
        Livrable.objects.select_for_update(of=("self",))
        .select_related("inscription__session")
        .get(pk=livrable.pk)
    )
    if not livrable.inscription.session.depots_ouverts():
        raise ValidationError(depot_ferme_message(livrable.inscription.session))
    if livrable.retire_le is not None:
        raise ValidationError(_("Ce fichier est déjà retiré."))
    livrable.retire_le = timezone.now()
    livrable.retire_par = by
    livrable.full_clean()
    livrable.save(update_fields=["retire_le", "retire_par"])
    return livrable


@transaction.atomic
def inscription_reporter(
    *, inscription: Inscription, session: Session, motif: str, by: User
) -> Inscription:
    """Defer an enrolment to a later session of the same certification, before
    the jury voted: a new enrolment there (same route and path, blocs already
    acquired left out), which carries the current deposits over when both sessions
    use the same référentiel version (the stored files are shared, never copied
    nor overwritten); the original enrolment is evaluated no more and points to
    the new one. Returns the new enrolment."""
    inscription = inscription_lock(inscription_id=inscription.pk)
    cible = Session.objects.select_related("referentiel").get(pk=session.pk)
    origine = inscription.session
    errors: list[str] = []
    if not motif.strip():
        errors.append(_("Indiquez le motif du report."))
    if cible.referentiel.certification_id != origine.referentiel.certification_id:
        errors.append(_("Le report se fait vers une session de la même certification."))
    if cible.pk == origine.pk or cible.date_jury <= origine.date_jury:
        errors.append(_("Le report se fait vers une session ultérieure."))
    if origine.est_terminee:
        errors.append(_("La session est délibérée ou close : il n'y a plus de report."))
    if errors:
        raise ValidationError(errors)
    codes = set(inscription.blocs.values_list("code", flat=True))
    nouvelle = inscription_create(
        candidat=inscription.candidat,
        session=cible,
        voie_acces=inscription.voie_acces,
        parcours=inscription.parcours,
        blocs=list(cible.referentiel.blocs.filter(code__in=codes)),
        by=by,
    )
    if cible.referentiel_id == origine.referentiel_id:
        blocs = set(nouvelle.blocs.values_list("pk", flat=True))
        for livrable in Livrable.objects.filter(
            inscription=inscription,
            retire_le__isnull=True,
            remplace_par__isnull=True,
            modalite__competence__activite__bloc__in=blocs,
        ).order_by("pk"):
            copie = Livrable(
                inscription=nouvelle,
                modalite_id=livrable.modalite_id,
                nom_original=livrable.nom_original,
                type_mime=livrable.type_mime,
                version=1,
                depose_par=livrable.depose_par,
                taille=livrable.taille,
                sha256=livrable.sha256,
            )
            copie.fichier.name = livrable.fichier.name
            copie.full_clean()
            copie.save()
    inscription.reportee_vers = nouvelle
    inscription.report_motif = motif.strip()
    inscription._history_user = by
    inscription.full_clean(exclude=["candidat", "session"], validate_unique=False)
    inscription.save(update_fields=["reportee_vers", "report_motif"])
    return nouvelle

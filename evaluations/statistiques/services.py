"""Writes of the statistics area: an export is asked, claimed by its background
task, written row by row with its progress, and finished (or failed, with its
reason). Running the task twice is harmless: a finished export is left as it is;
an export a dead worker left « en cours » is written again from the start."""

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from certif.models import User
from evaluations.deliberation.models import Deliberation
from evaluations.notation.models import Consolidation, Evaluation, Resultat
from evaluations.sessions.models import Candidat, Inscription, Session, VoieAcces
from evaluations.statistiques.documents import (
    Cellule,
    Classeur,
    rapport_pdf,
)
from evaluations.statistiques.models import (
    Export,
    StatistiqueLigne,
    StatistiqueSession,
)
from evaluations.statistiques.selectors import (
    Filtre,
    LigneResultat,
    Perimetre,
    consolidations_of,
    empreinte_of,
    inscriptions_statistiques,
    lots_of,
    notes_rows,
    perimetre_statistiques,
    presents_of,
    rapport_of,
    resultats_lots,
    resultats_rows,
)
from referentiel.models import Certification

# --- The stored figures of the sessions -------------------------------------------


def _empreintes(sessions: QuerySet[Session]) -> dict[int, str]:
    """The fingerprint of each session's deliberations: how many, and the last
    decision's time (a vote, a new vote after a re-opening or an absence all set
    ``decidee_le``). One query; a session without deliberation has none."""
    return {
        row["inscription__session_id"]: empreinte_of(row["n"], row["derniere"])
        for row in Deliberation.objects.filter(inscription__session__in=sessions)
        .values("inscription__session_id")
        .annotate(n=Count("pk"), derniere=Max("decidee_le"))
        .order_by()
    }


def _lignes(session_ids: list[int]) -> list[StatistiqueLigne]:
    """The figures of these sessions, aggregated by the database (four queries,
    whatever the number of sessions)."""
    presents = presents_of(Inscription.objects.filter(session_id__in=session_ids))
    presents_pk = presents.values("pk")
    lignes: list[StatistiqueLigne] = []
    valides = {
        (row["deliberation__inscription__session_id"], row["bloc__code"]): row["n"]
        for row in Deliberation.blocs_valides.through.objects.filter(
            deliberation__inscription__in=presents_pk
        )
        .values("deliberation__inscription__session_id", "bloc__code")
        .annotate(n=Count("pk"))
        .order_by()
    }
    for bloc in (
        Inscription.blocs.through.objects.filter(inscription__in=presents_pk)
        .values("inscription__session_id", "bloc__code")
        .annotate(n=Count("pk"), intitule=Min("bloc__intitule"))
        .order_by()
    ):
        session_id, code = bloc["inscription__session_id"], bloc["bloc__code"]
        lignes.append(
            StatistiqueLigne(
                session_id=session_id,
                niveau=StatistiqueLigne.Niveau.BLOC,
                code=code,
                intitule=bloc["intitule"],
                effectif=bloc["n"],
                nombre=valides.get((session_id, code), 0),
            )
        )
    consolidations = Consolidation.objects.filter(inscription__in=presents_pk)
    non_acquis = Q(resultat=Resultat.NON_ACQUIS)
    for competence in (
        consolidations.values("inscription__session_id", "critere__competence__code")
        .annotate(
            evalues=Count("inscription", distinct=True),
            non_acquis=Count("inscription", distinct=True, filter=non_acquis),
            intitule=Min("critere__competence__intitule"),
        )
        .order_by()
    ):
        lignes.append(
            StatistiqueLigne(
                session_id=competence["inscription__session_id"],
                niveau=StatistiqueLigne.Niveau.COMPETENCE,
                code=competence["critere__competence__code"],
                intitule=competence["intitule"],
                effectif=competence["evalues"],
                nombre=competence["non_acquis"],
            )
        )
    for critere in (
        consolidations.values("inscription__session_id", "critere__code")
        .annotate(
            evalues=Count("pk"),
            non_acquis=Count("pk", filter=non_acquis),
            intitule=Min("critere__intitule"),
        )
        .order_by()
    ):
        lignes.append(
            StatistiqueLigne(
                session_id=critere["inscription__session_id"],
                niveau=StatistiqueLigne.Niveau.CRITERE,
                code=critere["critere__code"],
                intitule=critere["intitule"],
                effectif=critere["evalues"],
                nombre=critere["non_acquis"],
            )
        )
    return lignes


def statistiques_refresh(*, perimetre: Perimetre) -> int:
    """Bring the stored figures of the sessions of ``perimetre`` up to date;
    return how many sessions were aggregated again. One query when nothing
    changed (the fingerprints come with the page's shared counts); otherwise a fixed number more, whatever the number of sessions. The
    rows of the sessions to recompute are locked, and their fingerprint read
    again after the lock: two pages refreshing at once aggregate once."""
    actuelles = perimetre.empreintes
    connues = dict(
        StatistiqueSession.objects.filter(
            session__in=perimetre.sessions.values("pk")
        ).values_list("session_id", "empreinte")
    )
    perimees = sorted(
        pk for pk, empreinte in actuelles.items() if connues.get(pk) != empreinte
    )
    if not perimees:
        return 0
    with transaction.atomic():
        StatistiqueSession.objects.bulk_create(
            [StatistiqueSession(session_id=pk, empreinte="") for pk in perimees],
            ignore_conflicts=True,
        )
        verrouillees = list(
            StatistiqueSession.objects.select_for_update()
            .filter(session_id__in=perimees)
            .order_by("session_id")
        )
        # Read again after the lock: another request may have just done it.
        actuelles = _empreintes(Session.objects.filter(pk__in=perimees))
        a_refaire = [
            s for s in verrouillees if s.empreinte != actuelles.get(s.session_id, "")
        ]
        if not a_refaire:
            return 0
        ids = [s.session_id for s in a_refaire]
        StatistiqueLigne.objects.filter(session_id__in=ids).delete()
        StatistiqueLigne.objects.bulk_create(_lignes(ids), batch_size=2000)
        maintenant = timezone.now()
        for statistique in a_refaire:
            statistique.empreinte = actuelles.get(statistique.session_id, "")
            statistique.calculee_le = maintenant
        StatistiqueSession.objects.bulk_update(a_refaire, ["empreinte", "calculee_le"])
    return len(a_refaire)


# Rows read and written per chunk; the progress is saved after each chunk.
EXPORT_LOT = 2000


@transaction.atomic
def export_create(*, nature: str, filtre: Filtre, by: User) -> Export:
    parametres: dict[str, int] = filtre.as_params()
    if nature == Export.Nature.RAPPORT and filtre.certification is None:
        raise ValidationError(
            _("Choisissez la certification du rapport annuel dans les filtres.")
        )
    export = Export(nature=nature, parametres=parametres, demande_par=by)
    export.full_clean()
    export.save()
    return export


def _claim(export_id: int) -> Export | None:
    """Take the export under its row lock: ``None`` when it is already finished."""
    with transaction.atomic():
        export = (
            Export.objects.select_for_update()
            .select_related("demande_par")
            .get(pk=export_id)
        )
        if export.statut in {Export.Statut.TERMINE, Export.Statut.ECHOUE}:
            return None
        export.statut = Export.Statut.EN_COURS
        export.traites = 0
        export.save(update_fields=["statut", "traites", "modifie_le"])
        return export


def _progress(export: Export, *, traites: int, total: int | None = None) -> None:
    fields = {"traites": traites, "modifie_le": timezone.now()}
    if total is not None:
        fields["total"] = total
    Export.objects.filter(pk=export.pk).update(**fields)


def _nom(inscription: Inscription) -> tuple[str, str, str]:
    c = inscription.candidat
    return c.nom_naissance, c.nom_usage, c.prenoms


RESULTATS_COLONNES = (
    _l("Session"),
    _l("Date du jury"),
    _l("Nom de naissance"),
    _l("Nom d'usage"),
    _l("Prénoms"),
    _l("Date de naissance"),
    _l("E-mail"),
    _l("Voie d'accès"),
    _l("Parcours"),
    _l("Blocs évalués"),
    _l("Décision"),
    _l("Blocs validés"),
    _l("Décision le"),
    _l("Date limite de dépôt"),
    _l("Désistement le"),
    _l("Reportée vers la session"),
)


class Libelles(NamedTuple):
    """The labels of the coded values, translated once per export (asking Django
    for each row's display cost more than writing the row)."""

    voies: dict[str, str]
    parcours: dict[str, str]
    decisions: dict[str, str]


def libelles_resultats() -> Libelles:
    return Libelles(
        voies={v: str(label) for v, label in VoieAcces.choices},
        parcours={v: str(label) for v, label in Inscription.Parcours.choices},
        decisions={v: str(label) for v, label in Deliberation.Decision.choices},
    )


def _resultat_ligne(ligne: LigneResultat, libelles: Libelles) -> list[Cellule]:
    """The cells of one enrolment, as ``RESULTATS_COLONNES`` names them (an
    unknown code is written as it is, as ``get_FOO_display`` does)."""
    return [
        ligne.session,
        ligne.date_jury,
        ligne.nom_naissance,
        ligne.nom_usage,
        Candidat.prenoms_of(ligne.prenom1, ligne.prenom2, ligne.prenom3),
        ligne.date_naissance,
        ligne.email,
        libelles.voies.get(ligne.voie_acces, ligne.voie_acces),
        libelles.parcours.get(ligne.parcours, ligne.parcours),
        ", ".join(ligne.blocs_evalues),
        libelles.decisions.get(ligne.decision, ligne.decision)
        if ligne.decision is not None
        else "",
        ", ".join(ligne.blocs_valides) if ligne.decision is not None else "",
        ligne.decidee_le,
        ligne.date_limite_depot,
        ligne.desiste_le,
        ligne.reportee_vers or "",
    ]


NOTES_COLONNES = (
    _l("Session"),
    _l("Nom de naissance"),
    _l("Nom d'usage"),
    _l("Prénoms"),
    _l("Bloc"),
    _l("Compétence"),
    _l("Critère"),
    _l("Intitulé du critère"),
    _l("Évaluateur"),
    _l("Résultat de l'évaluateur"),
    _l("Commentaire de l'évaluateur"),
    _l("Résultat du jury"),
)


def _note_ligne(evaluation: Evaluation, consolide: str) -> list[Cellule]:
    inscription = evaluation.affectation.inscription
    critere = evaluation.critere
    evaluateur = evaluation.affectation.membre.user
    nom_naissance, nom_usage, prenoms = _nom(inscription)
    return [
        inscription.session.nom,
        nom_naissance,
        nom_usage,
        prenoms,
        critere.competence.activite.bloc.code,
        critere.competence.code,
        critere.code,
        critere.intitule,
        evaluateur.get_full_name() or evaluateur.email,
        evaluation.get_resultat_display(),
        evaluation.commentaire,
        str(Resultat(consolide).label) if consolide else "",
    ]


def _write_rows(export: Export, classeur: Classeur) -> None:
    inscriptions = inscriptions_statistiques(
        user=export.demande_par, filtre=Filtre.from_params(export.parametres)
    )
    if export.nature == Export.Nature.RESULTATS:
        _progress(export, traites=0, total=resultats_rows(inscriptions).count())
        classeur.feuille("Résultats", RESULTATS_COLONNES)
        libelles = libelles_resultats()
        traites = 0
        for lot in resultats_lots(inscriptions, EXPORT_LOT):
            for ligne in lot:
                classeur.ligne(_resultat_ligne(ligne, libelles))
            traites += len(lot)
            _progress(export, traites=traites)
        return
    notes = notes_rows(inscriptions)
    _progress(export, traites=0, total=notes.count())
    classeur.feuille("Notes du jury", NOTES_COLONNES)
    traites = 0
    for evaluations in lots_of(notes.iterator(chunk_size=EXPORT_LOT), EXPORT_LOT):
        consolides = consolidations_of(
            {e.affectation.inscription_id for e in evaluations}
        )
        for evaluation in evaluations:
            cle = (evaluation.affectation.inscription_id, evaluation.critere_id)
            classeur.ligne(_note_ligne(evaluation, consolides.get(cle, "")))
        traites += len(evaluations)
        _progress(export, traites=traites)


def _finish(
    export: Export, fichier: File[bytes] | ContentFile[bytes], nom: str
) -> None:
    with transaction.atomic():
        locked = Export.objects.select_for_update().get(pk=export.pk)
        if locked.statut != Export.Statut.EN_COURS:
            return
        locked.fichier.save(nom, fichier, save=False)
        locked.nom_fichier = nom
        locked.statut = Export.Statut.TERMINE
        locked.termine_le = timezone.now()
        locked.traites = locked.total
        locked.save()


def export_fail(*, export_id: int, message: str) -> None:
    Export.objects.filter(pk=export_id).update(
        statut=Export.Statut.ECHOUE,
        message=message[:2000],
        termine_le=timezone.now(),
    )


def export_run(*, export_id: int) -> None:
    """Write the export's file, with its progress (the background task's body)."""
    export = _claim(export_id)
    if export is None:
        return
    horodatage = timezone.localtime().strftime("%Y%m%d-%H%M")
    if export.nature == Export.Nature.RAPPORT:
        filtre = Filtre.from_params(export.parametres)
        if filtre.certification is None:
            raise ValidationError(_("Le rapport annuel porte sur une certification."))
        certification = Certification.objects.select_related("certificateur").get(
            pk=filtre.certification
        )
        fin = filtre.annee or timezone.localdate().year
        statistiques_refresh(
            perimetre=perimetre_statistiques(
                user=export.demande_par,
                filtre=Filtre(certification=certification.pk),
            )
        )
        _progress(export, traites=0, total=1)
        rendu = rapport_pdf(
            rapport_of(user=export.demande_par, certification=certification, fin=fin)
        )
        _finish(export, ContentFile(rendu.content), rendu.filename)
        return
    classeur = Classeur()
    try:
        _write_rows(export, classeur)
    except Exception:
        classeur.discard()
        raise
    with tempfile.TemporaryDirectory() as dossier:
        path = Path(dossier) / "export.xlsx"
        classeur.save(path)
        with path.open("rb") as handle:
            _finish(export, File(handle), f"{export.nature}-{horodatage}.xlsx")


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of exports finished more than
    ``EXPORTS_CONSERVATION_JOURS`` days ago (they hold personal data) and mark
    them expired; the rows stay as the trace of who asked what. Each export is
    claimed under its row lock, so two runs never delete twice. Returns the
    number of files deleted."""
    limite = (now or timezone.now()) - timedelta(
        days=settings.EXPORTS_CONSERVATION_JOURS
    )
    ids = list(
        Export.objects.filter(
            statut__in=[Export.Statut.TERMINE, Export.Statut.ECHOUE],
            termine_le__lt=limite,
        )
        .exclude(fichier="")
        .values_list("pk", flat=True)
    )
    purges = 0
    for pk in ids:
        with transaction.atomic():
            export = (
                Export.objects.select_for_update()
                .filter(pk=pk, termine_le__lt=limite)
                .exclude(fichier="")
                .first()
            )
            if export is None:
                continue
            nom, storage = export.fichier.name, export.fichier.storage
            export.fichier = ""
            export.statut = Export.Statut.EXPIRE
            export.save(update_fields=["fichier", "statut", "modifie_le"])
            transaction.on_commit(
                lambda nom=nom, storage=storage: storage.delete(nom)  # type: ignore[misc]
            )
        purges += 1
    return purges

"""The timetable generator's writes: its parameters, the request, and the run
(``tasks.generer``) that reads what the timetable lacks, places it with the pure
``planner`` and writes the sittings, all under the planning's row lock."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.epreuves.models import (
    DUREE_MAX_MINUTES,
    Disponibilite,
    Passage,
    Planning,
    Salle,
)
from evaluations.epreuves.planner import (
    APlacer,
    Journee,
    Occupation,
    Planificateur,
    SalleLibre,
)
from evaluations.epreuves.selectors import (
    duree_passage,
    passages_a_faire,
)
from evaluations.epreuves.services import paris_tz, planning_lock
from evaluations.sessions.models import Session
from referentiel.models import Modalite

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParametresGeneration:
    jours: list[date]
    debut: time
    fin: time
    pause_debut: time | None
    pause_fin: time | None
    intervalle: int
    salles: list[int]

    def as_json(self) -> dict[str, object]:
        return {
            "jours": [d.isoformat() for d in self.jours],
            "debut": self.debut.strftime("%H:%M"),
            "fin": self.fin.strftime("%H:%M"),
            "pause_debut": self.pause_debut.strftime("%H:%M")
            if self.pause_debut
            else "",
            "pause_fin": self.pause_fin.strftime("%H:%M") if self.pause_fin else "",
            "intervalle": self.intervalle,
            "salles": self.salles,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "ParametresGeneration":
        def _t(value: object) -> time | None:
            return time.fromisoformat(str(value)) if value else None

        jours = data.get("jours", [])
        salles = data.get("salles", [])
        assert isinstance(jours, list)  # noqa: S101 - written by as_json
        assert isinstance(salles, list)  # noqa: S101 - written by as_json
        return cls(
            jours=[date.fromisoformat(str(j)) for j in jours],
            debut=_t(data["debut"]) or time(9),
            fin=_t(data["fin"]) or time(18),
            pause_debut=_t(data.get("pause_debut")),
            pause_fin=_t(data.get("pause_fin")),
            intervalle=int(str(data.get("intervalle", 0))),
            salles=[int(s) for s in salles],
        )


def parametres_errors(*, session: Session, p: ParametresGeneration) -> list[str]:
    errors = []
    if not p.jours:
        errors.append(_("Indiquez au moins un jour d'épreuves."))
    if any(j < timezone.localdate() for j in p.jours):
        errors.append(_("Un jour d'épreuves est passé."))
    if any(j > session.date_jury for j in p.jours):
        errors.append(
            _("Un jour d'épreuves est après la date du jury (%(date)s).")
            % {"date": date_format(session.date_jury, "j F Y")}
        )
    if p.fin <= p.debut:
        errors.append(_("La journée doit finir après son début."))
    if (p.pause_debut is None) != (p.pause_fin is None):
        errors.append(_("Indiquez le début et la fin de la pause, ou aucun des deux."))
    elif p.pause_debut and p.pause_fin and p.pause_fin <= p.pause_debut:
        errors.append(_("La pause doit finir après son début."))
    if not 0 <= p.intervalle <= 120:
        errors.append(_("L'intervalle entre deux passages va de 0 à 120 minutes."))
    if not p.salles:
        errors.append(_("Choisissez au moins une salle."))
    return errors


@transaction.atomic
def generation_request(
    *, session: Session, parametres: ParametresGeneration, by: User
) -> Planning:
    """Record the generator's parameters and queue it (``tasks.generer``)."""
    planning = planning_lock(session_id=session.pk)
    errors = parametres_errors(session=session, p=parametres)
    if planning.generation_en_cours:
        errors.append(_("Une génération est déjà en cours."))
    if errors:
        raise ValidationError(errors)
    planning.parametres = parametres.as_json()
    planning.generation = Planning.Generation.DEMANDEE
    planning.a_placer = 0
    planning.places = 0
    planning.non_places = []
    planning._history_user = by
    planning.save()
    return planning


# Sittings created by the generator are written in batches of this size, each
# batch recording its progress.
GENERATION_LOT = 200


def generation_run(*, planning_id: int, by: User) -> Planning:
    """Place every sitting the timetable lacks. Safe to run twice: what is placed
    is not placed again (``passages_a_faire``), and the whole placement happens
    under the planning's lock, so nothing else moves meanwhile."""
    with transaction.atomic():
        planning = Planning.objects.select_for_update().get(pk=planning_id)
        if not planning.generation_en_cours:
            return planning
        session = Session.objects.get(pk=planning.session_id)
        p = ParametresGeneration.from_json(planning.parametres)
        a_faire = passages_a_faire(session=session)
        salles = {
            s.pk: s
            for s in Salle.objects.filter(pk__in=p.salles).select_related("site")
        }
        dispos: dict[int, dict[date, list[tuple[time, time]]]] = {}
        for d in Disponibilite.objects.filter(membre__session=session):
            dispos.setdefault(d.membre_id, {}).setdefault(d.date, []).append(
                (d.debut, d.fin)
            )
        planificateur = Planificateur(
            jours=p.jours,
            journee=Journee(p.debut, p.fin, p.pause_debut, p.pause_fin),
            salles=[
                SalleLibre(s.pk, s.accessible_pmr, str(s))
                for s in sorted(salles.values(), key=lambda s: (s.site.nom, s.nom))
            ],
            tz=paris_tz(),
            disponibilites=dispos,
            intervalle=p.intervalle,
            dernier_jour=session.date_jury,
        )
        occupations = []
        membres_de: dict[int, list[int]] = {}
        for passage_id, membre_id in Passage.membres.through.objects.filter(
            passage__session=session
        ).values_list("passage_id", "membrejury_id"):
            membres_de.setdefault(passage_id, []).append(membre_id)
        # Rooms are shared between sessions: every sitting in them counts.
        for row in (
            Passage.objects.filter(Q(session=session) | Q(salle_id__in=list(salles)))
            .exclude(presence=Passage.Presence.JUSTIFIEE)
            .values("pk", "debut", "fin", "inscription_id", "salle_id")
        ):
            occupations.append(
                Occupation(
                    row["debut"],
                    row["fin"],
                    tuple(membres_de.get(row["pk"], ())),
                    row["inscription_id"],
                    row["salle_id"],
                )
            )
        planificateur.occuper(occupations)
        items = []
        non_places: list[list[str]] = []
        for cle, item in enumerate(a_faire):
            duree = duree_passage(
                modalites=list(item.modalites), majoration=item.amenagements.majoration
            )
            if duree > DUREE_MAX_MINUTES:
                non_places.append(
                    [
                        item.candidat,
                        _codes(item.modalites),
                        _("Le passage durerait plus de 8 heures."),
                    ]
                )
                continue
            items.append(
                APlacer(
                    cle=cle,
                    candidat=item.inscription_id,
                    membres=item.membres,
                    duree=duree,
                    accessible=item.amenagements.accessible,
                    pas_avant=session.date_limite_depot
                    if any(m.apres_depot for m in item.modalites)
                    else None,
                    libelle=item.candidat,
                )
            )
        planning.generation = Planning.Generation.EN_COURS
        planning.a_placer = len(a_faire)
        planning.save(update_fields=["generation", "a_placer"])
        resultat = planificateur.placer(items)
        durees = {i.cle: i.duree for i in items}
        for n in resultat.non_places:
            item = a_faire[n.cle]
            non_places.append([item.candidat, _codes(item.modalites), n.motif])
        places = sorted(resultat.places, key=lambda pl: pl.cle)
        for start in range(0, len(places), GENERATION_LOT):
            lot = places[start : start + GENERATION_LOT]
            rows = Passage.objects.bulk_create(
                Passage(
                    session=session,
                    inscription_id=a_faire[pl.cle].inscription_id,
                    debut=pl.debut,
                    duree_minutes=durees[pl.cle],
                    fin=pl.debut + timedelta(minutes=durees[pl.cle]),
                    salle=salles[pl.salle],
                )
                for pl in lot
            )
            Passage.modalites.through.objects.bulk_create(
                Passage.modalites.through(passage_id=row.pk, modalite_id=m.pk)
                for row, pl in zip(rows, lot, strict=True)
                for m in a_faire[pl.cle].modalites
            )
            Passage.membres.through.objects.bulk_create(
                Passage.membres.through(passage_id=row.pk, membrejury_id=membre)
                for row, pl in zip(rows, lot, strict=True)
                for membre in a_faire[pl.cle].membres
            )
            planning.places = start + len(lot)
            planning.save(update_fields=["places"])
        planning.places = len(a_faire)
        planning.non_places = non_places
        planning.generation = Planning.Generation.TERMINEE
        planning.generation_le = timezone.now()
        planning._history_user = by
        planning.save()
        return planning


def generation_failed(*, planning_id: int) -> None:
    """The generator crashed: say so on the page (the timetable is unchanged,
    its transaction rolled back) and let the administrator run it again."""
    Planning.objects.filter(pk=planning_id).update(
        generation=Planning.Generation.ECHOUEE
    )


def _codes(modalites: Sequence[Modalite]) -> str:
    return ", ".join(m.competence.code for m in modalites)

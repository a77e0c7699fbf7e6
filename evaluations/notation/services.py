"""Scoring: an evaluator's results per criterion, the validation of an evaluation,
and the president's consolidation.

Two evaluators never overwrite each other: each writes only the rows of their own
assignment, and a row is written by one ``INSERT … ON CONFLICT (affectation,
critere) DO UPDATE`` so that two saves of the same criterion (a double click) never
collide. The consolidation carries a version per criterion: a save based on a
version that changed meanwhile is refused with who changed it, never applied."""

import logging
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.messages import LISTE_MAX, absolute_url, message_send
from certif.models import MessageEnvoye, User
from evaluations.jury.models import Affectation, MembreJury
from evaluations.notation.models import (
    Consolidation,
    DerogationValidation,
    Evaluation,
    Resultat,
)
from evaluations.notation.selectors import (
    affectation_for_save,
    rappels_grilles_dus,
    validations_manquantes,
    validations_manquantes_message,
)
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.verrou import deliberation_assert_open, inscription_lock
from handicap.selectors import criteres_dispenses_for
from referentiel.models import Critere

logger = logging.getLogger(__name__)


class EvaluationValideeError(Exception):
    """The evaluator validated their evaluation: it is read-only."""

    def __init__(self) -> None:
        super().__init__(
            _("Vous avez validé votre évaluation de ce candidat : elle ne change plus.")
        )


@dataclass(frozen=True)
class ConflitVersion:
    critere: Critere
    par: str
    le: object


class ConsolidationConflitError(Exception):
    """Consolidated results changed since the president loaded them."""

    def __init__(self, conflits: list[ConflitVersion]) -> None:
        self.conflits = conflits
        noms = sorted({c.par for c in conflits})
        super().__init__(
            _(
                "Résultats modifiés entre-temps par %(noms)s (%(criteres)s) : "
                "rechargez la page pour voir leur version ; votre saisie est "
                "conservée ci-dessous."
            )
            % {
                "noms": ", ".join(noms),
                "criteres": ", ".join(c.critere.code for c in conflits),
            }
        )


@dataclass(frozen=True)
class Progression:
    nb_evalues: int
    nb_criteres: int

    @property
    def pourcentage(self) -> int:
        if not self.nb_criteres:
            return 100
        return round(100 * self.nb_evalues / self.nb_criteres)

    @property
    def complete(self) -> bool:
        return self.nb_evalues >= self.nb_criteres


def _assert_session_en_evaluation(session: Session) -> None:
    if not session.notation_ouverte:
        raise ValidationError(
            _(
                "La session « %(nom)s » n'est pas en évaluation : la notation est "
                "fermée."
            )
            % {"nom": session.nom}
        )


def _lock_notable(affectation: Affectation) -> Affectation:
    """Take the enrolment's lock, then check on what is read after it that the
    evaluator may still score: enrolment not locked, evaluation not validated,
    session in evaluation. Returns ``affectation`` refreshed in place (its
    annotations kept)."""
    inscription = inscription_lock(inscription_id=affectation.inscription_id)
    etat = Affectation.objects.filter(pk=affectation.pk).values("validee_le").first()
    if etat is None:
        # Withdrawn meanwhile (a conflict of interest declared, say).
        raise ValidationError(
            _("Vous n'êtes plus chargé d'évaluer ce candidat : rechargez la page.")
        )
    affectation.inscription = inscription
    affectation.validee_le = etat["validee_le"]
    if affectation.validee_le is not None:
        raise EvaluationValideeError
    _assert_session_en_evaluation(inscription.session)
    return affectation


def _dispenses(inscription_id: int) -> set[int]:
    return criteres_dispenses_for(inscription_ids=[inscription_id]).get(
        inscription_id, set()
    )


def _check_resultat(resultat: str) -> None:
    if resultat not in Resultat.values:
        raise ValidationError(_("Choisissez « Acquis » ou « Non acquis »."))


COMMENTAIRE_MAX_LENGTH = 2000


def _commentaire_error(commentaire: str) -> str | None:
    """What is wrong with a comment, if anything: a NUL character (PostgreSQL
    cannot store one) or more than ``COMMENTAIRE_MAX_LENGTH`` characters (the
    plain form and the consolidation read the comments from the request, without
    a form field to bound them)."""
    if "\x00" in commentaire:
        return _("Le commentaire contient un caractère invalide (caractère nul).")
    if len(commentaire) > COMMENTAIRE_MAX_LENGTH:
        return _("Le commentaire dépasse %(n)d caractères : raccourcissez-le.") % {
            "n": COMMENTAIRE_MAX_LENGTH
        }
    return None


def _check_commentaire(commentaire: str) -> None:
    error = _commentaire_error(commentaire)
    if error:
        raise ValidationError(error)


def _refus_dispense() -> ValidationError:
    return ValidationError(
        _("Ce critère est dispensé pour ce candidat : il ne se note pas.")
    )


def _refus_hors_parcours() -> ValidationError:
    return ValidationError(
        _("Ce critère ne fait pas partie du parcours évalué de ce candidat.")
    )


def _upsert(
    *,
    affectation: Affectation,
    critere_id: int,
    resultat: str,
    commentaire: str,
    by: User,
    cree: bool,
) -> Evaluation:
    evaluation = Evaluation(
        affectation=affectation,
        critere_id=critere_id,
        resultat=resultat,
        commentaire=commentaire.strip(),
    )
    # The foreign keys and the unique pair are checked by the caller and the
    # database; skip the per-field lookups to keep a save at one write.
    evaluation.full_clean(
        exclude=["affectation", "critere"],
        validate_unique=False,
        validate_constraints=False,
    )
    [evaluation] = Evaluation.objects.bulk_create(
        [evaluation],
        update_conflicts=True,
        unique_fields=["affectation", "critere"],
        update_fields=["resultat", "commentaire", "modifie_le"],
    )
    historical = Evaluation.history.model(
        id=evaluation.pk,
        affectation_id=affectation.pk,
        critere_id=critere_id,
        resultat=evaluation.resultat,
        commentaire=evaluation.commentaire,
        modifie_le=evaluation.modifie_le,
        history_date=evaluation.modifie_le,
        history_type="+" if cree else "~",
        history_user=by,
    )
    historical.save()
    return evaluation


@dataclass(frozen=True)
class EvaluationSaisie:
    evaluation: Evaluation
    progression: Progression


@transaction.atomic
def evaluation_record(
    *,
    affectation: Affectation,
    critere_id: int,
    resultat: str,
    commentaire: str = "",
    by: User,
) -> EvaluationSaisie:
    """Record one evaluator's result on one criterion and return the new progress.

    With an ``affectation`` from ``notation.selectors.affectation_for_save`` (its
    annotations), this is one write and one history row; with a plain one it looks
    the missing facts up."""
    _lock_notable(affectation)
    _check_resultat(resultat)
    _check_commentaire(commentaire)
    dispenses = _dispenses(affectation.inscription_id)
    if critere_id in dispenses:
        raise _refus_dispense()
    dans_parcours = getattr(affectation, "critere_dans_parcours", None)
    if dans_parcours is None:
        dans_parcours = Critere.objects.filter(
            pk=critere_id,
            competence__activite__bloc__inscriptions=affectation.inscription_id,
        ).exists()
    if not dans_parcours:
        raise _refus_hors_parcours()
    deja_note = getattr(affectation, "deja_note", None)
    if deja_note is None:
        deja_note = affectation.evaluations.filter(critere_id=critere_id).exists()
    evaluation = _upsert(
        affectation=affectation,
        critere_id=critere_id,
        resultat=resultat,
        commentaire=commentaire,
        by=by,
        cree=not deja_note,
    )
    nb_evalues = getattr(affectation, "nb_evalues", None)
    nb_criteres = getattr(affectation, "nb_criteres", None)
    if nb_evalues is None or nb_criteres is None:
        progression = progression_for(affectation=affectation, dispenses=dispenses)
    else:
        notes_dispenses = (
            affectation.evaluations.filter(critere_id__in=dispenses).count()
            if dispenses
            else 0
        )
        progression = Progression(
            nb_evalues=nb_evalues + (0 if deja_note else 1) - notes_dispenses,
            nb_criteres=nb_criteres - len(dispenses),
        )
    return EvaluationSaisie(evaluation, progression)


# The save of one criterion on PostgreSQL: one round trip of two statements. The
# first takes the enrolment's row lock (only for a member assigned to it). The
# second, in a new snapshot taken after the lock (under READ COMMITTED a statement
# that waited for a lock still reads what it saw before the wait, and would miss
# a vote committed meanwhile), reads everything that may refuse the save (the
# assignment of the user without conflict of interest, its validation, the
# enrolment's lock as ``sessions.verrou`` defines it, the session's step, the
# exemption, the path), writes the result and its history row only when nothing
# refuses it, and returns that state with the counts of the progress. The
# conditions of the write mirror those that ``evaluation_record`` checks (the
# tests run every refusal through both). Sent as one string, the two statements
# form one transaction (an implicit one, or the caller's).
#
# Both are prepared once per database connection, by the first save on it (one
# more round trip then): planning them cost about 1 ms a save, four times their
# execution. A prepared statement lasts as long as the connection, whatever
# becomes of the transaction that prepared it.
# Parameters: $1 enrolment, $2 user, $3 criterion, $4 result, $5 comment,
# $6 time of the change, $7 the session status « en évaluation ».
_LOCK_SQL = """
SELECT 1 FROM evaluations_inscription i
WHERE i.id = $1
  AND EXISTS (
    SELECT 1 FROM evaluations_affectation a
    JOIN evaluations_membrejury m ON m.id = a.membre_id
    WHERE a.inscription_id = i.id AND m.user_id = $2
  )
FOR UPDATE OF i
"""
_SAVE_SQL = """
WITH etat AS (
  SELECT
    a.id AS affectation_id,
    a.validee_le,
    i.desiste_le,
    i.reportee_vers_id,
    s.statut,
    s.nom,
    COALESCE(d.verrouillee, FALSE) AS verrouillee,
    EXISTS (
      SELECT 1 FROM handicap_dispense di
      WHERE di.inscription_id = i.id AND di.critere_id = $3
        AND di.accordee
    ) AS dispense,
    EXISTS (
      SELECT 1 FROM referentiel_critere c
      JOIN referentiel_competence co ON co.id = c.competence_id
      JOIN referentiel_activite ac ON ac.id = co.activite_id
      JOIN evaluations_inscription_blocs ib ON ib.bloc_id = ac.bloc_id
      WHERE ib.inscription_id = i.id AND c.id = $3
    ) AS dans_parcours,
    EXISTS (
      SELECT 1 FROM evaluations_evaluation e
      WHERE e.affectation_id = a.id AND e.critere_id = $3
    ) AS deja_note
  FROM evaluations_affectation a
  JOIN evaluations_membrejury m ON m.id = a.membre_id
  JOIN evaluations_inscription i ON i.id = a.inscription_id
  JOIN evaluations_session s ON s.id = i.session_id
  LEFT JOIN evaluations_deliberation d ON d.inscription_id = i.id
  WHERE a.inscription_id = $1 AND m.user_id = $2
    AND NOT EXISTS (
      SELECT 1 FROM evaluations_conflitinterets ci
      WHERE ci.membre_id = a.membre_id AND ci.inscription_id = a.inscription_id
    )
),
ecrite AS (
  INSERT INTO evaluations_evaluation AS e
    (affectation_id, critere_id, resultat, commentaire, modifie_le)
  SELECT affectation_id, $3, $4, $5, $6
  FROM etat
  WHERE NOT verrouillee AND desiste_le IS NULL AND reportee_vers_id IS NULL
    AND validee_le IS NULL AND statut = $7
    AND NOT dispense AND dans_parcours
  ON CONFLICT (affectation_id, critere_id) DO UPDATE SET
    resultat = EXCLUDED.resultat,
    commentaire = EXCLUDED.commentaire,
    modifie_le = EXCLUDED.modifie_le
  RETURNING e.id, e.affectation_id
),
historique AS (
  INSERT INTO evaluations_historicalevaluation
    (id, affectation_id, critere_id, resultat, commentaire, modifie_le,
     history_date, history_type, history_user_id)
  SELECT ecrite.id, ecrite.affectation_id, $3, $4,
    $5, $6, $6,
    CASE WHEN etat.deja_note THEN '~' ELSE '+' END, $2
  FROM ecrite, etat
)
SELECT
  etat.affectation_id,
  etat.validee_le IS NOT NULL,
  etat.desiste_le,
  etat.reportee_vers_id,
  etat.statut,
  etat.nom,
  etat.verrouillee,
  etat.dispense,
  etat.dans_parcours,
  ecrite.id,
  (
    SELECT count(*) FROM evaluations_evaluation e
    WHERE e.affectation_id = etat.affectation_id AND e.critere_id <> $3
  ),
  (
    SELECT count(*) FROM evaluations_evaluation e
    WHERE e.affectation_id = etat.affectation_id
      AND e.critere_id IN (
        SELECT di.critere_id FROM handicap_dispense di
        WHERE di.inscription_id = $1 AND di.accordee
      )
  ),
  (
    SELECT count(*) FROM referentiel_critere c
    JOIN referentiel_competence co ON co.id = c.competence_id
    JOIN referentiel_activite ac ON ac.id = co.activite_id
    JOIN evaluations_inscription_blocs ib ON ib.bloc_id = ac.bloc_id
    WHERE ib.inscription_id = $1
  ),
  (
    SELECT count(DISTINCT di.critere_id) FROM handicap_dispense di
    WHERE di.inscription_id = $1 AND di.accordee
  )
FROM etat LEFT JOIN ecrite ON TRUE
"""
_PREPARE_SQL = (
    f"PREPARE evaluation_save_lock (bigint, bigint) AS {_LOCK_SQL};"
    "PREPARE evaluation_save"
    f" (bigint, bigint, bigint, varchar, text, timestamptz, varchar) AS {_SAVE_SQL};"
)
_EXECUTE_SQL = (
    "EXECUTE evaluation_save_lock (%s, %s);"
    "EXECUTE evaluation_save (%s, %s, %s, %s, %s, %s, %s)"
)
# The database connections (psycopg2's) where both statements are prepared.
_prepared: "weakref.WeakSet[Any]" = weakref.WeakSet()
# SQLSTATE invalid_sql_statement_name: EXECUTE of a statement not prepared.
_STATEMENT_UNKNOWN = "26000"


def evaluation_save(
    *,
    by: User,
    inscription_id: int,
    critere_id: int,
    resultat: str,
    commentaire: str = "",
) -> EvaluationSaisie | None:
    """Record the result of ``by`` on one criterion of an enrolment and return the
    new progress (the htmx save of the grid); ``None`` when ``by`` is not assigned
    to the enrolment or is in conflict with it (the caller answers 403 or 404).
    Refuses as ``evaluation_record`` does, with the same errors; the values are
    checked first.

    On PostgreSQL, one round trip (``_LOCK_SQL`` then ``_SAVE_SQL``); elsewhere (SQLite, the default
    of a first run), ``affectation_for_save`` then ``evaluation_record``."""
    _check_resultat(resultat)
    _check_commentaire(commentaire)
    if connection.vendor != "postgresql":
        affectation = affectation_for_save(by.pk, inscription_id, critere_id)
        if affectation is None:
            return None
        return evaluation_record(
            affectation=affectation,
            critere_id=critere_id,
            resultat=resultat,
            commentaire=commentaire,
            by=by,
        )
    commentaire = commentaire.strip()
    le = timezone.now()
    with connection.cursor() as cursor:
        if connection.connection not in _prepared:
            cursor.execute(_PREPARE_SQL)
            _prepared.add(connection.connection)
        try:
            cursor.execute(
                _EXECUTE_SQL,
                [
                    *(inscription_id, by.pk),  # the lock
                    *(inscription_id, by.pk, critere_id, resultat, commentaire, le),
                    Session.Statut.EN_EVALUATION.value,
                ],
            )
        except DatabaseError as exc:
            if getattr(exc.__cause__, "pgcode", None) == _STATEMENT_UNKNOWN:
                # Dropped on the server (DISCARD ALL): prepared again next time.
                _prepared.discard(connection.connection)
            raise
        row = cursor.fetchone()
    if row is None:
        return None
    (
        affectation_id,
        validee,
        desiste_le,
        reportee_vers_id,
        statut,
        nom,
        verrouillee,
        dispense,
        dans_parcours,
        evaluation_id,
        nb_autres,
        notes_dispensees,
        nb_parcours,
        nb_dispenses,
    ) = row
    deliberation_assert_open(
        inscription=Inscription(
            pk=inscription_id, desiste_le=desiste_le, reportee_vers_id=reportee_vers_id
        ),
        verrouillee=verrouillee,
    )
    if validee:
        raise EvaluationValideeError
    _assert_session_en_evaluation(Session(nom=nom, statut=statut))
    if dispense:
        raise _refus_dispense()
    if not dans_parcours:
        raise _refus_hors_parcours()
    if evaluation_id is None:
        # The statement's conditions and the checks above disagree: a bug.
        raise RuntimeError("evaluation_save: nothing refused the save, none written")
    affectation = Affectation(
        pk=affectation_id, inscription_id=inscription_id, validee_le=None
    )
    evaluation = Evaluation(
        pk=evaluation_id,
        affectation=affectation,
        critere_id=critere_id,
        resultat=resultat,
        commentaire=commentaire,
        modifie_le=le,
    )
    return EvaluationSaisie(
        evaluation,
        Progression(
            nb_evalues=nb_autres + 1 - notes_dispensees,
            nb_criteres=nb_parcours - nb_dispenses,
        ),
    )


def progression_for(
    *, affectation: Affectation, dispenses: set[int] | None = None
) -> Progression:
    if dispenses is None:
        dispenses = _dispenses(affectation.inscription_id)
    a_evaluer = set(
        Critere.objects.filter(
            competence__activite__bloc__inscriptions=affectation.inscription_id
        ).values_list("pk", flat=True)
    ) - set(dispenses)
    notes = set(affectation.evaluations.values_list("critere_id", flat=True))
    return Progression(len(a_evaluer & notes), len(a_evaluer))


@transaction.atomic
def evaluations_record(
    *,
    affectation: Affectation,
    valeurs: dict[int, tuple[str, str]],
    by: User,
) -> int:
    """Record several results at once (the grid sent as a plain form, without
    JavaScript). ``valeurs``: {critere id: (resultat, commentaire)}; a criterion
    left without a result is skipped. Returns the number of rows written."""
    _lock_notable(affectation)
    dispenses = _dispenses(affectation.inscription_id)
    parcours = set(
        Critere.objects.filter(
            competence__activite__bloc__inscriptions=affectation.inscription_id
        ).values_list("pk", flat=True)
    )
    existants = {e.critere_id: e for e in affectation.evaluations.all()}
    errors = []
    for critere_id, (resultat, commentaire) in valeurs.items():
        if error := _commentaire_error(commentaire):
            errors.append(error)
        elif critere_id not in parcours:
            errors.append(
                _("Un critère envoyé ne fait pas partie du parcours de ce candidat.")
            )
        elif resultat and critere_id in dispenses:
            errors.append(_("Un critère dispensé ne se note pas."))
        elif resultat:
            try:
                _check_resultat(resultat)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(sorted(set(errors)))
    ecrits = 0
    for critere_id, (resultat, commentaire) in valeurs.items():
        if not resultat:
            continue
        existant = existants.get(critere_id)
        if (
            existant is not None
            and existant.resultat == resultat
            and existant.commentaire == commentaire.strip()
        ):
            continue
        _upsert(
            affectation=affectation,
            critere_id=critere_id,
            resultat=resultat,
            commentaire=commentaire,
            by=by,
            cree=existant is None,
        )
        ecrits += 1
    return ecrits


@transaction.atomic
def affectation_validate(*, affectation: Affectation, by: User) -> Affectation:
    """« Valider mon évaluation »: every non-exempted criterion of the path is
    scored; the evaluation becomes read-only for its evaluator."""
    _lock_notable(affectation)
    progression = progression_for(affectation=affectation)
    if not progression.complete:
        manque = progression.nb_criteres - progression.nb_evalues
        raise ValidationError(
            ngettext(
                "Il reste %(n)d critère à noter avant de valider votre évaluation.",
                "Il reste %(n)d critères à noter avant de valider votre évaluation.",
                manque,
            )
            % {"n": manque}
        )
    affectation.validee_le = timezone.now()
    affectation.full_clean(exclude=["membre", "inscription"], validate_unique=False)
    affectation.save(update_fields=["validee_le"])
    return affectation


@transaction.atomic
def consolidation_record(
    *,
    inscription: Inscription,
    valeurs: dict[int, tuple[str, str, int]],
    by: User,
) -> int:
    """Record the jury's result per criterion. ``valeurs``: {critere id: (resultat,
    commentaire, version seen)}, version 0 when there was no result yet. If any of
    those rows changed since the president loaded the page, nothing is written and
    ConsolidationConflitError says who changed what. Returns the number of rows
    written."""
    # The enrolment's lock also serialises the saves of one enrolment: a
    # criterion consolidated for the first time has no row to lock yet.
    inscription = inscription_lock(inscription_id=inscription.pk)
    session = inscription.session
    if not session.consolidation_ouverte:
        raise ValidationError(
            _("La session « %(nom)s » n'est pas en évaluation.") % {"nom": session.nom}
        )
    manquants = validations_manquantes(inscription_id=inscription.pk)
    if manquants:
        raise ValidationError(validations_manquantes_message(manquants))
    dispenses = _dispenses(inscription.pk)
    criteres = {
        c.pk: c
        for c in Critere.objects.filter(
            competence__activite__bloc__inscriptions=inscription.pk
        )
    }
    errors = []
    for critere_id, (resultat, commentaire, _version) in valeurs.items():
        if error := _commentaire_error(commentaire):
            errors.append(error)
        elif critere_id not in criteres:
            errors.append(
                _("Un critère envoyé ne fait pas partie du parcours de ce candidat.")
            )
        elif resultat and critere_id in dispenses:
            errors.append(_("Un critère dispensé ne se consolide pas."))
        elif resultat and resultat not in Resultat.values:
            errors.append(_("Choisissez « Acquis » ou « Non acquis »."))
    if errors:
        raise ValidationError(sorted(set(errors)))
    actuelles = {
        c.critere_id: c
        for c in Consolidation.objects.select_for_update()
        .filter(inscription=inscription)
        .select_related("modifie_par")
    }
    conflits = []
    for critere_id, (_resultat, _commentaire, version) in valeurs.items():
        actuelle = actuelles.get(critere_id)
        if (actuelle.version if actuelle else 0) != version:
            par = (
                actuelle.modifie_par.get_full_name() or actuelle.modifie_par.email
                if actuelle
                else "?"
            )
            conflits.append(
                ConflitVersion(
                    criteres[critere_id], par, actuelle.modifie_le if actuelle else None
                )
            )
    if conflits:
        raise ConsolidationConflitError(conflits)
    ecrits = 0
    for critere_id, (resultat, commentaire, _version) in valeurs.items():
        if not resultat:
            continue
        consolidation = actuelles.get(critere_id)
        commentaire = commentaire.strip()
        if consolidation is None:
            consolidation = Consolidation(
                inscription=inscription, critere_id=critere_id, version=1
            )
        elif (
            consolidation.resultat == resultat
            and consolidation.commentaire == commentaire
        ):
            continue
        else:
            consolidation.version += 1
        consolidation.resultat = resultat
        consolidation.commentaire = commentaire
        consolidation.modifie_par = by
        consolidation._history_user = by
        consolidation.full_clean(
            exclude=["inscription", "critere", "modifie_par"],
            validate_unique=False,
            validate_constraints=False,
        )
        consolidation.save()
        ecrits += 1
    return ecrits


@transaction.atomic
def derogation_validation_record(
    *, affectation: Affectation, motif: str, by: User
) -> DerogationValidation:
    """The president records why the jury consolidates and votes without this
    evaluator's validated grid (evaluator absent, replaced); the PV prints it.
    Refused for a validated evaluation, without a reason, or once the enrolment's
    deliberation is locked."""
    inscription_lock(inscription_id=affectation.inscription_id)
    affectation = Affectation.objects.select_related(
        "membre__user", "inscription__session"
    ).get(pk=affectation.pk)
    if not MembreJury.objects.filter(
        session_id=affectation.inscription.session_id,
        user=by,
        role=MembreJury.Role.PRESIDENT,
    ).exists():
        raise PermissionDenied
    nom = affectation.membre.user.get_full_name() or affectation.membre.user.email
    if affectation.validee_le is not None:
        raise ValidationError(
            _("%(nom)s a validé son évaluation : aucune dérogation n'est nécessaire.")
            % {"nom": nom}
        )
    if not motif.strip():
        raise ValidationError(
            _(
                "Indiquez pourquoi le jury se passe de la validation de %(nom)s "
                "(évaluateur absent, remplacé…)."
            )
            % {"nom": nom}
        )
    derogation = DerogationValidation.objects.filter(
        affectation=affectation
    ).first() or DerogationValidation(affectation=affectation)
    derogation.motif = motif.strip()
    derogation.par = by
    derogation.le = timezone.now()
    derogation.full_clean()
    derogation.save()
    return derogation


def rappels_grilles_send(*, today: date) -> int:
    """Send the reminders due ``today`` to evaluators (``rappels_grilles_dus``),
    each once: its key (member, reminder, jury date) is recorded with the message.
    A failure is logged and skips that member. Returns how many were sent."""
    rappels = rappels_grilles_dus(today=today)
    deja = set(
        MessageEnvoye.objects.filter(cle__in=[r.cle for r in rappels]).values_list(
            "cle", flat=True
        )
    )
    envoyes = 0
    for rappel in rappels:
        if rappel.cle in deja:
            continue
        user = rappel.membre.user
        try:
            with transaction.atomic():
                message = message_send(
                    gabarit="rappel_grilles",
                    destinataire=user.email,
                    utilisateur=user,
                    contexte={
                        "prenom": user.get_full_name() or user.email,
                        "session": rappel.session.nom,
                        "date_jury": rappel.session.date_jury,
                        "nb": len(rappel.grilles),
                        "autres": max(0, len(rappel.grilles) - LISTE_MAX),
                        "lien": absolute_url(
                            reverse("evaluations:jury_tableau_de_bord")
                        ),
                        "grilles": [
                            {
                                "nom": grille.candidat,
                                "lien": absolute_url(
                                    reverse(
                                        "evaluations:grille",
                                        args=[grille.inscription_id],
                                    )
                                ),
                            }
                            for grille in rappel.grilles[:LISTE_MAX]
                        ],
                    },
                    cle=rappel.cle,
                )
        except Exception:
            logger.exception("Rappel des grilles du membre %s", rappel.membre.pk)
            continue
        envoyes += message is not None
    return envoyes

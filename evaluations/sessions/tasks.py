"""Background work of the sessions area (django-tasks; ``manage.py db_worker``):
the CSV import of candidates, checked then imported away from the request, and
the invitation e-mails of the imported candidates. Each task is safe to run
again: the check and the import claim their state first, and an invitation is
sent once (``invitations_send``)."""

from django_tasks import task

from certif.models import User
from evaluations.sessions.csv_import import (
    import_check_run,
    import_confirm,
    import_deposer,
    import_run,
)
from evaluations.sessions.models import ImportCandidats, Session
from evaluations.sessions.services import invitations_send

# Candidates per invitation task.
INVITATIONS_PAR_TACHE = 500


@task()
def import_verifier(import_id: int) -> None:
    import_check_run(import_id=import_id)


@task()
def import_executer(import_id: int) -> None:
    result = import_run(import_id=import_id)
    if result is None:
        return
    ids = result.candidat_ids
    for start in range(0, len(ids), INVITATIONS_PAR_TACHE):
        invitations_envoyer.enqueue(ids[start : start + INVITATIONS_PAR_TACHE])


@task()
def invitations_envoyer(candidat_ids: list[int]) -> None:
    invitations_send(candidat_ids=candidat_ids)


def import_launch(
    *, session: Session, texte: str, encodage: str, nom_fichier: str, by: User
) -> ImportCandidats:
    """Keep the uploaded file and enqueue its check (after commit). With the
    immediate backend (tests) the check runs here, inline."""
    fichier = import_deposer(
        session=session, texte=texte, encodage=encodage, nom_fichier=nom_fichier, by=by
    )
    import_verifier.enqueue(fichier.pk)
    fichier.refresh_from_db()
    return fichier


def import_confirm_launch(
    *, fichier: ImportCandidats, seulement_valides: bool, by: User
) -> bool:
    """Confirm a checked file and enqueue its import, once (a second click
    enqueues nothing)."""
    if not import_confirm(fichier=fichier, seulement_valides=seulement_valides, by=by):
        return False
    import_executer.enqueue(fichier.pk)
    return True

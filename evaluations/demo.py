"""Demo data of the evaluations app, one step per area (see certif.demo)."""

from collections.abc import Callable

Log = Callable[[str], None]


def demo_sessions(log: Log) -> None:
    """An open session with candidates who uploaded some files."""


DEMO_SESSION_JURY = "Session d'hiver 2026"


def demo_jury(log: Log) -> None:
    """A composed jury, assignments and some scores on the winter session: the
    president and two members, two evaluators per candidate, and candidat3 scored
    by both members (one validated, one with two divergences), so that the whole
    jury flow can be tried in the browser. Idempotent."""
    # Imported here: certif.demo imports this module while apps load.
    from certif.models import User  # noqa: PLC0415
    from evaluations.models import (  # noqa: PLC0415
        Affectation,
        Inscription,
        MembreJury,
        Session,
    )
    from evaluations.services.jury import (  # noqa: PLC0415
        affectation_add,
        affectations_auto,
        membre_jury_add,
    )
    from evaluations.services.notation import (  # noqa: PLC0415
        affectation_validate,
        evaluations_record,
    )
    from referentiel.models import Critere  # noqa: PLC0415

    session = Session.objects.filter(nom=DEMO_SESSION_JURY).first()
    if session is None:
        log(f"Jury : session « {DEMO_SESSION_JURY} » absente, étape ignorée")
        return
    membres: dict[str, MembreJury] = {}
    for email, role in (
        ("president@certif.localhost", MembreJury.Role.PRESIDENT),
        ("jury@certif.localhost", MembreJury.Role.MEMBRE),
        ("jury2@certif.localhost", MembreJury.Role.MEMBRE),
    ):
        user = User.objects.get(email=email)
        membre = MembreJury.objects.filter(session=session, user=user).first()
        if membre is None:
            membre = membre_jury_add(session=session, user=user, role=role)
            log(f"Jury : {email} ajouté ({role})")
        membres[email] = membre
    inscription = Inscription.objects.filter(
        session=session, candidat__user__email="candidat3@certif.localhost"
    ).first()
    if inscription is not None:
        for email in ("jury@certif.localhost", "jury2@certif.localhost"):
            if not Affectation.objects.filter(
                membre=membres[email], inscription=inscription
            ).exists():
                affectation_add(membre=membres[email], inscription=inscription)
    result = affectations_auto(session=session)
    log(f"Jury : {result.creees} affectation(s) créée(s)")
    if inscription is None:
        log("Jury : candidat3 non inscrit, pas de notes de démonstration")
        return
    if session.statut != Session.Statut.EN_EVALUATION:
        log("Jury : session pas en évaluation, pas de notes de démonstration")
        return
    criteres = list(
        Critere.objects.filter(
            competence__activite__bloc__inscriptions=inscription
        ).order_by("competence__activite__bloc__ordre", "competence__ordre", "ordre")
    )
    divergents = {c.pk for c in criteres[1:3]}
    for email, valider in (
        ("jury@certif.localhost", True),
        ("jury2@certif.localhost", False),
    ):
        affectation = Affectation.objects.select_related(
            "inscription__session", "inscription__deliberation"
        ).get(membre=membres[email], inscription=inscription)
        if affectation.validee_le is not None or hasattr(inscription, "deliberation"):
            continue
        valeurs = {
            c.pk: (
                "non_acquis"
                if email == "jury2@certif.localhost" and c.pk in divergents
                else "acquis",
                "",
            )
            for c in criteres
        }
        ecrits = evaluations_record(
            affectation=affectation, valeurs=valeurs, by=membres[email].user
        )
        if valider:
            affectation_validate(affectation=affectation, by=membres[email].user)
        log(f"Jury : {ecrits} note(s) de {email} pour candidat3")


def demo_documents(log: Log) -> None:
    """Nothing to pre-issue: the administrator issues documents in the browser."""

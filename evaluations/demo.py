"""The demo of ``make run`` (``manage.py load_demo``): the seed référentiel, one
account per role, and sessions at every stage — open for deposits, in evaluation
with a composed jury, deliberated with its documents ready to issue — plus a
candidate with a disability accommodation. One step per area, run in order in one transaction.
Idempotent: a step that finds its data leaves it as it is."""

import io
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from certif.demo import DEMO_PASSWORD, demo_accounts
from certif.formats import accord
from certif.models import User
from certif.roles import Role
from certif.sceau import pkcs12_self_signed
from certif.services import user_ensure
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import dispense_decider
from evaluations.epreuves.convocations import (
    convocation_issue,
    convocations_a_envoyer,
    planning_publish,
)
from evaluations.epreuves.generation import (
    ParametresGeneration,
    generation_request,
    generation_run,
)
from evaluations.epreuves.models import (
    Disponibilite,
    Passage,
    Planning,
    Salle,
    Site,
)
from evaluations.epreuves.plannings_jury import plannings_jury_envoyer
from evaluations.epreuves.services import disponibilite_add, flux_get_or_create
from evaluations.jury.models import Affectation, MembreJury
from evaluations.jury.selectors import presents_possibles
from evaluations.jury.services import (
    affectation_add,
    affectations_auto,
    membre_jury_add,
)
from evaluations.livrables.services import Depot, livrables_deposer
from evaluations.notation.models import Consolidation
from evaluations.notation.services import affectation_validate, evaluations_record
from evaluations.recours.models import Recours
from evaluations.recours.selectors import depot_refus
from evaluations.recours.services import (
    recours_decider,
    recours_deposer,
    recours_instruire,
)
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.services import (
    publication_claim,
    publication_progress,
    publication_schedule,
    resultat_publish,
    unite_of,
)
from evaluations.sessions.models import (
    AcceptationReglement,
    Candidat,
    Inscription,
    Session,
    VoieAcces,
)
from evaluations.sessions.services import (
    IdentiteData,
    SessionData,
    candidat_create,
    inscription_create,
    session_create,
    session_open,
    session_start_evaluation,
    session_update,
)
from handicap import demo as handicap_demo
from handicap.demo import demo_handicap
from handicap.models import Amenagement, DemandeAmenagement, Dispense
from handicap.selectors import criteres_du_parcours
from handicap.services import (
    AmenagementSaisi,
    demande_decider,
    demande_deposer,
    demande_instruire,
)
from referentiel.models import (
    Bloc,
    Certificateur,
    Certification,
    Critere,
    Modalite,
    Referentiel,
)
from referentiel.reglement.selectors import reglement_en_vigueur
from referentiel.reglement.services import (
    reglement_brouillon_create,
    reglement_publish,
    reglement_update,
)
from referentiel.services import referentiel_load

Log = Callable[[str], None]


DEMO_SESSION_OUVERTE = "Session de printemps 2027"
DEMO_CERTIFICATION = "RNCP00000"
DEMO_CERTIFICATEUR = "Institut de démonstration (spécimen)"
# The demo certifier's identifiers on the Caisse des Dépôts' portal.
DEMO_IDENTIFIANTS_CDC = {
    "cdc_id_client_emetteur": "DEMO0001",
    "cdc_id_client_certificateur": "DEMO0002",
    "cdc_id_contrat": "DEMO-CONTRAT",
}


def demo_pdf(title: str) -> bytes:
    """A tiny valid one-page PDF showing ``title`` (ASCII), written by hand:
    rendering dozens of demo files with WeasyPrint would be slow for nothing."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length "
        + str(len(stream)).encode()
        + b">>stream\n"
        + stream
        + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj" + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        b"trailer<</Size " + str(len(objects) + 1).encode() + b"/Root 1 0 R>>\n"
        b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    )
    return bytes(out)


def demo_sessions(log: Log) -> None:
    """Two sessions on the published seed référentiel, through the services and
    without invitation e-mails: the open spring session (Camille Petit with a few
    files, one of them in version 2, and two generated candidates, one on blocs
    A1+A2) and the winter session, in evaluation, whose three candidates uploaded
    a file for every modality of their path. Idempotent: an existing session is
    left as it is."""

    referentiel = (
        Referentiel.objects.filter(
            certification__code=DEMO_CERTIFICATION, statut=Referentiel.Statut.PUBLIE
        )
        .order_by("-cree_le")
        .first()
    )
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if referentiel is None or admin is None:
        log("Sessions : référentiel publié ou administrateur absent, étape ignorée")
        return
    today = timezone.localdate()
    now = timezone.now()

    def candidat_for(
        email: str, identite: dict[str, Any], *, password: bool = False
    ) -> Candidat:
        existing = Candidat.objects.filter(user__email=email).first()
        if existing is not None:
            return existing
        if password:
            user_ensure(
                email=email,
                first_name=str(identite["prenom1"]),
                last_name=str(identite["nom_naissance"]).title(),
                roles=[Role.CANDIDAT],
                password=DEMO_PASSWORD,
            )
        candidat = candidat_create(
            identite=IdentiteData(email=email, **identite),
            by=admin,
            invite=False,
            compte_existant=True,
        )
        log(f"Sessions : candidat {email} créé")
        return candidat

    def enrol(
        candidat: Candidat, session: Session, voie: str, blocs: list[str] | None
    ) -> Inscription:
        return inscription_create(
            candidat=candidat,
            session=session,
            voie_acces=voie,
            parcours="blocs" if blocs else "complet",
            blocs=list(referentiel.blocs.filter(code__in=blocs or [])),
            by=admin,
        )

    def modalites(inscription: Inscription) -> list[Modalite]:
        return list(
            Modalite.objects.filter(
                competence__activite__bloc__in=inscription.blocs.all()
            ).order_by(
                "competence__activite__bloc__ordre",
                "competence__activite__ordre",
                "competence__ordre",
                "competence__code",
            )
        )

    def deposer(inscription: Inscription, modalite: Modalite, nom: str) -> None:
        code = modalite.competence.code
        livrables_deposer(
            inscription=inscription,
            modalite=modalite,
            depots=[
                Depot(
                    fichier=ContentFile(demo_pdf(f"{code} - {nom}"), name=nom),
                    nom=nom,
                )
            ],
            by=inscription.candidat.user,
        )

    def paris(day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    # The open spring session.
    if not Session.objects.filter(nom=DEMO_SESSION_OUVERTE).exists():
        limite = max(paris(date(2027, 4, 15), 18), paris(today, 18) + timedelta(30))
        session = session_create(
            data=SessionData(
                referentiel=referentiel,
                nom=DEMO_SESSION_OUVERTE,
                date_ouverture=today - timedelta(days=7),
                date_limite_depot=limite,
                date_jury=timezone.localtime(limite).date() + timedelta(days=30),
            ),
            by=admin,
        )
        session = session_open(session=session, by=admin)
        camille = candidat_for(
            "candidat@certif.localhost",
            {
                "nom_naissance": "PETIT",
                "prenom1": "Camille",
                "prenom2": "Louise",
                "date_naissance": date(1996, 4, 12),
                "sexe": "F",
                "commune_naissance": "Nantes",
                "code_insee_naissance": "44109",
            },
        )
        inscription = enrol(camille, session, "formation_continue", None)
        premieres = modalites(inscription)[:3]
        for modalite in premieres:
            deposer(inscription, modalite, f"{modalite.competence.code} dossier.pdf")
        deposer(
            inscription, premieres[0], f"{premieres[0].competence.code} dossier.pdf"
        )
        lea = candidat_for(
            "lea.fontaine@certif.localhost",
            {
                "nom_naissance": "FONTAINE",
                "prenom1": "Léa",
                "date_naissance": date(1991, 9, 3),
                "sexe": "F",
                "commune_naissance": "Ajaccio",
                "code_insee_naissance": "2A004",
            },
        )
        enrol(lea, session, "vae", None)
        yanis = candidat_for(
            "yanis.bouvier@certif.localhost",
            {
                "nom_naissance": "BOUVIER",
                "prenom1": "Yanis",
                "date_naissance": date(1989, 1, 27),
                "sexe": "M",
                "commune_naissance": "Rabat",
                "pays_naissance": "99350",
            },
        )
        bouvier = enrol(yanis, session, "contrat_professionnalisation", ["A1", "A2"])
        deposer(bouvier, modalites(bouvier)[0], "Dossier professionnel A1.pdf")
        log(f"Sessions : « {DEMO_SESSION_OUVERTE} » créée (ouverte, 3 candidats)")
    else:
        log(f"Sessions : « {DEMO_SESSION_OUVERTE} » inchangée")

    # The winter session, in evaluation: every modality has a file.
    if Session.objects.filter(nom=DEMO_SESSION_JURY).exists():
        log(f"Sessions : « {DEMO_SESSION_JURY} » inchangée")
        return
    session = session_create(
        data=SessionData(
            referentiel=referentiel,
            nom=DEMO_SESSION_JURY,
            date_ouverture=today - timedelta(days=60),
            date_limite_depot=now + timedelta(hours=1),
            date_jury=today + timedelta(days=14),
        ),
        by=admin,
    )
    session = session_open(session=session, by=admin)
    hiver = [
        (
            "candidat2@certif.localhost",
            {
                "nom_naissance": "LEROY",
                "prenom1": "Hugo",
                "date_naissance": date(1994, 11, 8),
                "sexe": "M",
                "commune_naissance": "Lille",
                "code_insee_naissance": "59350",
            },
            "apprentissage",
        ),
        (
            "candidat3@certif.localhost",
            {
                "nom_naissance": "GIRAUD",
                "prenom1": "Sarah",
                "date_naissance": date(1993, 2, 19),
                "sexe": "F",
                "commune_naissance": "Bordeaux",
                "code_insee_naissance": "33063",
            },
            "formation_continue",
        ),
        (
            "candidat4@certif.localhost",
            {
                "nom_naissance": "FAURE",
                "prenom1": "Thomas",
                "date_naissance": date(1985, 6, 30),
                "sexe": "M",
                "commune_naissance": "Toulouse",
                "code_insee_naissance": "31555",
            },
            "vae",
        ),
    ]
    for email, identite, voie in hiver:
        candidat = candidat_for(email, identite, password=True)
        inscription = enrol(candidat, session, voie, None)
        for modalite in modalites(inscription):
            deposer(inscription, modalite, f"{modalite.competence.code} dossier.pdf")
    session = session_update(
        session=session,
        data=SessionData(
            referentiel=referentiel,
            nom=session.nom,
            date_ouverture=session.date_ouverture,
            date_limite_depot=now - timedelta(days=2),
            # The jury sits today: the tour can vote (no vote before the jury date).
            date_jury=today,
        ),
        by=admin,
    )
    session_start_evaluation(session=session, by=admin)
    log(f"Sessions : « {DEMO_SESSION_JURY} » créée (en évaluation, 3 candidats)")


DEMO_SESSION_JURY = "Session d'hiver 2026"


def demo_jury(log: Log) -> None:
    """A composed jury, assignments and some scores on the winter session: the
    president and two members, two evaluators per candidate, and candidat3 scored
    by both members (one validated, one with two divergences), so that the whole
    jury flow can be tried in the browser. Idempotent."""

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
    log(f"Jury : {accord(result.creees, 'affectation créée', 'affectations créées')}")
    if inscription is None:
        log("Jury : candidat3 non inscrit, pas de notes de démonstration")
        return
    if session.statut != Session.Statut.EN_EVALUATION:
        log("Jury : session pas en évaluation, pas de notes de démonstration")
        return
    criteres = list(criteres_du_parcours(inscription=inscription))
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
        log(f"Jury : {accord(ecrits, 'note', 'notes')} de {email} pour candidat3")


DEMO_SESSION_DELIBEREE = "Session d'automne 2026"


DEMO_TITULAIRE_ETRANGER = "nadia.kaddour@certif.localhost"


def demo_documents(log: Log) -> None:
    """A deliberated session (its results published by ``demo_resultats``, which
    issues its candidates' documents; the administrator issues its PV in the
    browser): Camille Petit and Nadia Kaddour (born in
    Tunis: a holder born abroad, for the declaration to the Caisse des Dépôts)
    certified, Hugo Leroy with blocs A1 to A4 validated (A5 not). The jury's rows
    are written directly, as the jury would have left them once the deliberations
    were locked. Idempotent: an existing session is left as it is."""

    if Session.objects.filter(nom=DEMO_SESSION_DELIBEREE).exists():
        return
    referentiel = (
        Referentiel.objects.filter(
            certification__code=DEMO_CERTIFICATION, statut=Referentiel.Statut.PUBLIE
        )
        .order_by("-cree_le")
        .first()
    )
    president = User.objects.filter(email="president@certif.localhost").first()
    membre = User.objects.filter(email="jury@certif.localhost").first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if (
        admin is not None
        and not Candidat.objects.filter(user__email=DEMO_TITULAIRE_ETRANGER).exists()
    ):
        candidat_create(
            identite=IdentiteData(
                email=DEMO_TITULAIRE_ETRANGER,
                nom_naissance="KADDOUR",
                nom_usage="MARCHAND",
                prenom1="Nadia",
                prenom2="Salma",
                prenom3="Inès",
                date_naissance=date(1990, 3, 14),
                sexe="F",
                commune_naissance="Tunis",
                pays_naissance="99351",
            ),
            by=admin,
            invite=False,
        )
        log(f"Documents : candidate {DEMO_TITULAIRE_ETRANGER} créée (née à Tunis)")
    candidats = {
        c.user.email: c
        for c in Candidat.objects.filter(
            user__email__in=[
                "candidat@certif.localhost",
                "candidat2@certif.localhost",
                DEMO_TITULAIRE_ETRANGER,
            ]
        ).select_related("user")
    }
    if referentiel is None or president is None or membre is None or len(candidats) < 3:
        log("Documents : référentiel, jury ou candidats absents, étape ignorée")
        return
    now = timezone.now()
    today = timezone.localdate()
    session = Session.objects.create(
        referentiel=referentiel,
        nom=DEMO_SESSION_DELIBEREE,
        date_ouverture=today - timedelta(days=120),
        date_limite_depot=now - timedelta(days=60),
        date_jury=today - timedelta(days=7),
        lieu_jury="Lyon, 12 rue des Écoles, salle du conseil",
        statut=Session.Statut.DELIBEREE,
    )
    presents = [
        MembreJury.objects.create(
            session=session,
            user=president,
            role=MembreJury.Role.PRESIDENT,
            qualite="Professionnel du secteur, employeur",
        ),
        MembreJury.objects.create(
            session=session,
            user=membre,
            role=MembreJury.Role.MEMBRE,
            qualite="Professionnelle du secteur, salariée",
        ),
    ]
    blocs = list(referentiel.blocs.order_by("ordre", "code"))
    criteres = list(Critere.objects.filter(referentiel=referentiel))
    for email, voie, decision, valides, motif in (
        (
            "candidat@certif.localhost",
            "formation_continue",
            Deliberation.Decision.CERTIFIE,
            blocs,
            "Tous les critères sont acquis.",
        ),
        (
            DEMO_TITULAIRE_ETRANGER,
            "vae",
            Deliberation.Decision.CERTIFIE,
            blocs,
            "Tous les critères sont acquis.",
        ),
        (
            "candidat2@certif.localhost",
            "formation_continue",
            Deliberation.Decision.VALIDATION_PARTIELLE,
            blocs[:-1],
            "Le bloc A5 n'est pas validé : un critère de C5.1 n'est pas acquis.",
        ),
    ):
        inscription = Inscription.objects.create(
            candidat=candidats[email],
            session=session,
            voie_acces=voie,
            **Inscription.tri_of(candidats[email]),
        )
        inscription.blocs.set(blocs)
        non_acquis = "" if decision == Deliberation.Decision.CERTIFIE else "C5.1.1"
        Consolidation.objects.bulk_create(
            Consolidation(
                inscription=inscription,
                critere=critere,
                resultat="non_acquis" if critere.code == non_acquis else "acquis",
                modifie_par=president,
            )
            for critere in criteres
        )
        deliberation = Deliberation.objects.create(
            inscription=inscription,
            decision=decision,
            # The jury followed the roll-up's proposal.
            decision_proposee=decision,
            blocs_proposes=", ".join(sorted(b.code for b in valides)),
            motif=motif,
            verrouillee=True,
            decidee_le=now - timedelta(days=7),
            decidee_par=president,
        )
        deliberation.blocs_valides.set(valides)
        deliberation.presents.set(presents)
    log(f"Documents : session délibérée « {DEMO_SESSION_DELIBEREE} » créée")


def demo_resultats(log: Log) -> None:
    """The autumn session's results published, through the services and at
    once (not left to a worker): its candidates read their decision, the jury's
    motive, their blocs, their letter and the appeal route; their documents are
    issued with the letters. Idempotent: a session already published is left as
    it is."""
    session = Session.objects.filter(nom=DEMO_SESSION_DELIBEREE).first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if session is None or admin is None:
        return
    if PublicationResultats.objects.filter(session=session).exists():
        return
    publication = publication_schedule(session=session, prevue_le=None, by=admin)
    for inscription_id in publication_claim(publication_id=publication.pk) or ():
        resultat_publish(publication_id=publication.pk, inscription_id=inscription_id)
        publication_progress(
            publication_id=publication.pk, unite=unite_of(inscription_id), echec=None
        )
    log(f"Résultats : session « {DEMO_SESSION_DELIBEREE} » publiée")


def demo_recours(log: Log) -> None:
    """An appeal in the published autumn session, through the services: Hugo
    Leroy (candidat2) contests his partial validation, the administrator
    instructs it, the president maintains the decision with a motive, which
    issues the addendum to the session's PV. Idempotent: a session with an
    appeal is left as it is."""
    session = Session.objects.filter(nom=DEMO_SESSION_DELIBEREE).first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if session is None or admin is None:
        return
    if Recours.objects.filter(inscription__session=session).exists():
        return
    inscription = Inscription.objects.filter(
        session=session, candidat__user__email="candidat2@certif.localhost"
    ).first()
    president = MembreJury.objects.filter(
        session=session, role=MembreJury.Role.PRESIDENT
    ).first()
    if inscription is None or president is None or depot_refus(inscription=inscription):
        log("Recours : session non publiée ou délai clos, étape ignorée")
        return
    recours = recours_deposer(
        inscription=inscription,
        texte=(
            "Je conteste la non-validation du bloc A5 : le critère de C5.1 jugé non "
            "acquis est traité dans la partie 3 de mon dossier, que je joins de "
            "nouveau."
        ),
        pieces=[],
        by=inscription.candidat.user,
    )
    recours = recours_instruire(recours=recours, by=admin)
    recours_decider(
        recours=recours,
        issue=Recours.Issue.MAINTENUE,
        motif=(
            "Le jury a relu la partie 3 du dossier : elle décrit la démarche sans "
            "la mettre en œuvre ; le critère reste non acquis et la décision est "
            "maintenue."
        ),
        by=president.user,
    )
    log(f"Recours : {recours.reference} décidé (maintenue), addendum au PV émis")


def demo_dispense(log: Log) -> None:
    """The jury's decision on the exemption the référent's demo avis proposes:
    granted by the jury sitting (every member who may sit, recorded by the
    president) with both conditions and the jury's reasoning."""
    inscription = (
        Inscription.objects.filter(
            session__nom=handicap_demo.SESSION,
            candidat__user__email=handicap_demo.CANDIDAT,
        )
        .select_related("session")
        .first()
    )
    if inscription is None:
        return
    critere = Critere.objects.filter(
        referentiel=inscription.session.referentiel,
        competence__code=handicap_demo.CRITERE_COMPETENCE,
        intitule__startswith=handicap_demo.CRITERE_DEBUT,
        competence__activite__bloc__inscriptions=inscription,
    ).first()
    if critere is None:
        log(
            f"Jury : critère « {handicap_demo.CRITERE_DEBUT} » introuvable, pas de dispense"
        )
        return
    if Dispense.objects.filter(inscription=inscription, critere=critere).exists():
        log("Jury : dispense inchangée")
        return
    president = MembreJury.objects.filter(
        session=inscription.session,
        role=MembreJury.Role.PRESIDENT,
        user__email=handicap_demo.PRESIDENT,
    ).first()
    if president is None:
        log(
            f"Jury : {handicap_demo.PRESIDENT} ne préside pas « {handicap_demo.SESSION} », pas de dispense"
        )
        return
    dispense_decider(
        inscription=inscription,
        critere=critere,
        accorder=True,
        condition_capacite_globale=True,
        condition_pratique_future=True,
        raisonnement=(
            "Le jury constate que la capacité à concevoir, chiffrer et défendre un "
            "plan d'action reste entièrement évaluée par les autres critères de "
            "C1.5 ; l'aisance orale n'a pas vocation à s'appliquer dans la pratique "
            "future du candidat, orientée vers l'écrit."
        ),
        presents=presents_possibles(inscription=inscription),
        by=president.user,
    )
    log(f"Jury : dispense du critère {critere.code} accordée par le jury")


def _demo_image(width: int, height: int, draw: Callable[[Any], None]) -> bytes:
    from PIL import Image, ImageDraw  # noqa: PLC0415 - only when the demo is loaded

    image = Image.new("RGB", (width, height), "white")
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _signature(pen: Any) -> None:
    pen.line(
        [(10, 60), (40, 15), (55, 65), (80, 20), (100, 55), (130, 25), (170, 50)],
        fill="#1a2a6c",
        width=4,
        joint="curve",
    )
    pen.line([(20, 72), (175, 66)], fill="#1a2a6c", width=2)


def _logo(pen: Any) -> None:
    pen.rectangle([2, 2, 117, 57], outline="#0d3b66", width=4)
    pen.rectangle([14, 14, 44, 45], fill="#0d3b66")
    pen.line([(56, 22), (104, 22)], fill="#0d3b66", width=5)
    pen.line([(56, 37), (92, 37)], fill="#0d3b66", width=5)


def demo_certificateur(log: Log) -> None:
    """The demo's certifier, in specimen mode: every document it issues says
    « SPÉCIMEN — document de démonstration sans valeur », because the seed
    référentiel carries the placeholder code RNCP00000. Refused (with the
    reason) when DEBUG is off and CERTIFICATEUR_SPECIMEN_AUTORISE does not allow
    it. Also fills in the registration data the documents print."""
    certification = Certification.objects.filter(code=DEMO_CERTIFICATION).first()
    if certification is None:
        return
    certificateur = Certificateur.objects.filter(
        raison_sociale=DEMO_CERTIFICATEUR
    ).first()
    if certificateur is None:
        certificateur = Certificateur(
            raison_sociale=DEMO_CERTIFICATEUR,
            siret="73282932000074",
            adresse="12 rue des Écoles\n69002 Lyon",
            ville="Lyon",
            signataire_nom="Claire Martin",
            signataire_qualite="Directrice générale",
            recours=(
                "Recours gracieux par écrit auprès du président du jury, "
                "12 rue des Écoles, 69002 Lyon, dans les deux mois suivant la "
                "notification de la décision ; puis recours devant le tribunal "
                "administratif de Lyon dans le même délai."
            ),
            # Placeholders: the demo's file is a specimen, never to be deposited.
            **DEMO_IDENTIFIANTS_CDC,
            specimen=True,
        )
        certificateur.full_clean(exclude=["logo", "signature"])
        certificateur.logo.save(
            "logo-demo.png", ContentFile(_demo_image(120, 60, _logo)), save=False
        )
        certificateur.signature.save(
            "signature-demo.png",
            ContentFile(_demo_image(180, 80, _signature)),
            save=False,
        )
        certificateur.save()
        log(f"Certificateur de démonstration « {DEMO_CERTIFICATEUR} » (spécimen)")
    elif not certificateur.cdc_id_contrat:
        # A demo database loaded before the certifier carried them.
        for name, value in DEMO_IDENTIFIANTS_CDC.items():
            setattr(certificateur, name, value)
        certificateur.save(update_fields=list(DEMO_IDENTIFIANTS_CDC))
    if certification.certificateur_id is None:
        certification.certificateur = certificateur
        certification.nsf = "326n"
        certification.date_enregistrement = date(2024, 3, 28)
        certification.date_fin_enregistrement = date(2029, 3, 28)
        certification.full_clean()
        certification.save()
    for bloc in Bloc.objects.filter(
        referentiel__certification=certification, code_rncp=""
    ):
        bloc.code_rncp = f"{DEMO_CERTIFICATION}BC{bloc.ordre + 1:02d}"
        bloc.save(update_fields=["code_rncp"])
    sceau = Path(settings.SCEAU_PKCS12) if settings.SCEAU_PKCS12 else None
    if certificateur.specimen and sceau is not None and not sceau.exists():
        # make run points SCEAU_PKCS12 into var/: the specimen certifier seals
        # with a self-signed certificate made here, once.
        sceau.parent.mkdir(parents=True, exist_ok=True)
        sceau.write_bytes(
            pkcs12_self_signed(
                nom=DEMO_CERTIFICATEUR, password=settings.SCEAU_PKCS12_PASSWORD
            )
        )
        sceau.chmod(0o600)
        log(f"Certificat de sceau auto-signé de démonstration : {sceau}")


DEMO_SITE = "Campus de démonstration"


def demo_epreuves(log: Log) -> None:
    """The live épreuves of the open spring session: its jury (the demo
    president and members), a site with three rooms (one accessible), Yanis
    Bouvier with a « temps majoré » of 50 % and a reader, the members'
    availability, a timetable generated over three days after the deposit
    deadline and published, so that the candidate (candidat@) has convocations
    and the jury members (jury@, jury2@, president@) their sittings, schedule and
    feed. Run through the services, synchronously (no worker needed).
    Idempotent: a published timetable is left as it is."""
    session = Session.objects.filter(nom=DEMO_SESSION_OUVERTE).first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    referent = User.objects.filter(email="referent@certif.localhost").first()
    if session is None or admin is None or referent is None:
        log("Épreuves : session ouverte ou comptes absents, étape ignorée")
        return
    planning = Planning.objects.filter(session=session).first()
    if planning is not None and planning.est_publie:
        log("Épreuves : planning publié inchangé")
        return
    for email, role in (
        ("president@certif.localhost", MembreJury.Role.PRESIDENT),
        ("jury@certif.localhost", MembreJury.Role.MEMBRE),
        ("jury2@certif.localhost", MembreJury.Role.MEMBRE),
    ):
        user = User.objects.get(email=email)
        if not MembreJury.objects.filter(session=session, user=user).exists():
            membre_jury_add(session=session, user=user, role=role)
    affectations_auto(session=session)
    site, _created = Site.objects.get_or_create(
        nom=DEMO_SITE,
        defaults={
            "adresse": "10 place Bellecour\n69002 Lyon",
            "acces": "Métro A ou D, station Bellecour ; bâtiment B, 2e étage.",
        },
    )
    salles = []
    for nom, capacite, accessible in (
        ("Salle Lumière", 8, True),
        ("Salle Rhône", 6, False),
        ("Salle Saône", 6, False),
    ):
        salle, _created = Salle.objects.get_or_create(
            site=site,
            nom=nom,
            defaults={"capacite": capacite, "accessible_pmr": accessible},
        )
        salles.append(salle)
    yanis = Inscription.objects.filter(
        session=session, candidat__user__email="yanis.bouvier@certif.localhost"
    ).first()
    if (
        yanis is not None
        and not DemandeAmenagement.objects.filter(inscription=yanis).exists()
    ):
        demande = demande_deposer(
            inscription=yanis,
            besoins="Dyslexie sévère : lecture lente des supports écrits.",
            modalites=[],
            consentement=True,
            pieces=[handicap_demo.demo_pdf()],
            by=yanis.candidat.user,
        )
        demande = demande_instruire(demande=demande, by=referent)
        demande_decider(
            demande=demande,
            amenagements=[
                AmenagementSaisi(
                    type=Amenagement.Type.TEMPS_MAJORE,
                    majoration_pourcent=50,
                    description="Une moitié de temps en plus à chaque épreuve orale.",
                ),
                AmenagementSaisi(
                    type=Amenagement.Type.ASSISTANCE_TIERS,
                    precision="Lecteur",
                    description="Un lecteur lit les documents fournis par le jury.",
                ),
            ],
            avis="Les aménagements de temps et de lecture suffisent.",
            propositions=[],
            by=referent,
        )
        log("Épreuves : aménagements de Yanis Bouvier décidés")
    premier = timezone.localtime(session.date_limite_depot).date() + timedelta(days=1)
    jours: list[date] = []
    while len(jours) < 3:
        if premier.weekday() < 5:
            jours.append(premier)
        premier += timedelta(days=1)
    jury = MembreJury.objects.get(session=session, user__email="jury@certif.localhost")
    if not Disponibilite.objects.filter(membre=jury).exists():
        for jour in jours[:2]:
            for debut, fin in ((time(8, 30), time(12, 30)), (time(13, 30), time(18))):
                disponibilite_add(
                    membre=jury, jour=jour, debut=debut, fin=fin, by=jury.user
                )
    parametres = ParametresGeneration(
        jours=jours,
        debut=time(9),
        fin=time(17, 30),
        pause_debut=time(12, 30),
        pause_fin=time(13, 30),
        intervalle=10,
        salles=[s.pk for s in salles],
    )
    planning = generation_request(session=session, parametres=parametres, by=admin)
    planning = generation_run(planning_id=planning.pk, by=admin)
    log(
        f"Épreuves : {Passage.objects.filter(session=session).count()} passages "
        f"placés, {accord(len(planning.non_places), 'non placé', 'non placés')}"
    )
    planning = planning_publish(session=session, by=admin)
    for passage_id in convocations_a_envoyer(planning=planning):
        convocation_issue(passage_id=passage_id)
    flux_get_or_create(user=jury.user)
    envoyes = plannings_jury_envoyer(planning=planning)
    log(
        "Épreuves : planning publié, convocations émises, "
        f"{accord(envoyes, 'planning envoyé', 'plannings envoyés')} au jury"
    )


DEMO_SESSION_STATISTIQUES = "Session close de l'an dernier (statistiques)"
DEMO_STATISTIQUES_CANDIDATS = 40


def demo_statistiques(log: Log) -> None:
    """A closed session of last year with forty generated candidates, so that the
    statistics page has figures to show: every access route, both paths, every
    outcome, accommodations for seven people (« temps majoré », shown) of whom two
    also have a third party's assistance (masked « < 5 »). Candidate ``i``
    (0 to 39): route ``i % 7``; blocs path (first two blocs) when ``i % 8 == 7``;
    withdrew when ``i`` is 13 or 27; otherwise by ``i % 10``: 0 to 5 certified
    (a blocs path: its blocs validated), 6 and 7 partial validation (last bloc
    not validated, its first criterion « non acquis »), 8 not validated (the
    first criterion of each bloc « non acquis »), 9 absent; accommodations when
    ``i % 6 == 0``. Idempotent: an existing session is left as it is."""

    if Session.objects.filter(nom=DEMO_SESSION_STATISTIQUES).exists():
        return
    referentiel = (
        Referentiel.objects.filter(
            certification__code=DEMO_CERTIFICATION, statut=Referentiel.Statut.PUBLIE
        )
        .order_by("-cree_le")
        .first()
    )
    president = User.objects.filter(email="president@certif.localhost").first()
    referent = User.objects.filter(email="referent@certif.localhost").first()
    if referentiel is None or president is None or referent is None:
        log("Statistiques : référentiel ou comptes absents, étape ignorée")
        return
    now = timezone.now()
    deadline = now - timedelta(days=400)
    session = Session.objects.create(
        referentiel=referentiel,
        nom=DEMO_SESSION_STATISTIQUES,
        date_ouverture=timezone.localdate(deadline) - timedelta(days=60),
        date_limite_depot=deadline,
        date_jury=timezone.localdate(deadline) + timedelta(days=12),
        lieu_jury="Lyon, 12 rue des Écoles, salle du conseil",
        statut=Session.Statut.CLOSE,
        close_le=deadline + timedelta(days=40),
    )
    presents = [
        MembreJury.objects.create(
            session=session, user=president, role=MembreJury.Role.PRESIDENT
        )
    ]
    blocs = list(referentiel.blocs.order_by("ordre", "code"))
    criteres_par_bloc = {
        bloc.pk: list(
            Critere.objects.filter(competence__activite__bloc=bloc).order_by(
                "competence__activite__ordre", "competence__ordre", "ordre", "code"
            )
        )
        for bloc in blocs
    }
    voies = [valeur for valeur, _libelle in VoieAcces.choices]
    decidee_le = deadline + timedelta(days=12)
    valides: list[Bloc]
    non_acquis: list[int]
    for i in range(DEMO_STATISTIQUES_CANDIDATS):
        user = User(
            email=f"stat{i:02d}@certif.localhost",
            first_name="Candidat",
            last_name=f"Statistique {i:02d}",
        )
        user.set_unusable_password()
        user.save()
        candidat = Candidat.objects.create(
            user=user,
            nom_naissance=f"STATISTIQUE {i:02d}",
            prenom1="Candidat",
            date_naissance=date(1990, 1, 1) + timedelta(days=97 * i),
            sexe="F" if i % 2 else "M",
            commune_naissance="Lyon",
            code_insee_naissance="69123",
        )
        par_blocs = i % 8 == 7
        evalues = blocs[:2] if par_blocs else blocs
        inscription = Inscription.objects.create(
            candidat=candidat,
            session=session,
            **Inscription.tri_of(candidat),
            voie_acces=voies[i % 7],
            parcours=(
                Inscription.Parcours.BLOCS
                if par_blocs
                else Inscription.Parcours.COMPLET
            ),
        )
        inscription.blocs.set(evalues)
        if i in (13, 27):
            inscription.desiste_le = timezone.localdate(deadline) - timedelta(days=5)
            inscription.desistement_motif = "Raisons personnelles."
            inscription.save()
            continue
        rang = i % 10
        if rang == 9:
            decision, valides, non_acquis = Deliberation.Decision.ABSENT, [], []
        elif rang == 8:
            decision, valides = Deliberation.Decision.NON_VALIDE, []
            non_acquis = [criteres_par_bloc[b.pk][0].pk for b in evalues]
        elif rang in (6, 7) and not par_blocs:
            decision, valides = Deliberation.Decision.VALIDATION_PARTIELLE, blocs[:-1]
            non_acquis = [criteres_par_bloc[blocs[-1].pk][0].pk]
        elif par_blocs:
            decision, valides, non_acquis = (
                Deliberation.Decision.VALIDATION_PARTIELLE,
                evalues,
                [],
            )
        else:
            decision, valides, non_acquis = Deliberation.Decision.CERTIFIE, blocs, []
        if decision != Deliberation.Decision.ABSENT:
            Consolidation.objects.bulk_create(
                Consolidation(
                    inscription=inscription,
                    critere=critere,
                    resultat="non_acquis" if critere.pk in non_acquis else "acquis",
                    modifie_par=president,
                )
                for bloc in evalues
                for critere in criteres_par_bloc[bloc.pk]
            )
        deliberation = Deliberation.objects.create(
            inscription=inscription,
            decision=decision,
            decision_proposee=decision,
            blocs_proposes=", ".join(sorted(b.code for b in valides)),
            motif="Conforme aux résultats consolidés.",
            verrouillee=True,
            decidee_le=decidee_le,
            decidee_par=president,
        )
        deliberation.blocs_valides.set(valides)
        deliberation.presents.set(presents)
        if i % 6 == 0:
            demande = DemandeAmenagement.objects.create(
                inscription=inscription,
                besoins="Besoins de démonstration.",
                consentement_texte="J'accepte que le référent handicap lise ma demande.",
                consentement_le=deadline - timedelta(days=50),
                deposee_le=deadline - timedelta(days=50),
                statut=DemandeAmenagement.Statut.DECIDEE,
                decidee_le=deadline - timedelta(days=40),
                decidee_par=referent,
            )
            Amenagement.objects.create(
                demande=demande,
                type=Amenagement.Type.TEMPS_MAJORE,
                description="Tiers-temps pour chaque épreuve.",
            )
            if i in (6, 24):
                Amenagement.objects.create(
                    demande=demande,
                    type=Amenagement.Type.ASSISTANCE_TIERS,
                    precision="Secrétaire",
                    description="Un secrétaire écrit sous la dictée.",
                    ordre=1,
                )
    log(
        f"Statistiques : session close « {DEMO_SESSION_STATISTIQUES} » créée "
        f"({DEMO_STATISTIQUES_CANDIDATS} candidats)"
    )


def demo_referentiel(log: Log) -> None:
    path = settings.BASE_DIR / "fixtures" / "referentiel.json"
    with open(path, encoding="utf-8") as handle:
        result = referentiel_load(data=json.load(handle), publish=True)
    state = (
        "créé" if result.created else ("mis à jour" if result.changed else "inchangé")
    )
    log(f"Référentiel {result.referentiel} : {state}")


def demo_declarations_anciennes(log: Log) -> None:
    """Last year's holders (the closed statistics session) were declared to the
    Caisse des Dépôts long ago: one batch built, deposited and accepted through the
    services, so that the demo's « à déclarer » list holds only this year's
    holders. Idempotent: done once."""
    from django.db import transaction  # noqa: PLC0415

    from evaluations.declarations.models import DeclarationCDC  # noqa: PLC0415
    from evaluations.declarations.services import (  # noqa: PLC0415
        lot_accept_all,
        lot_build,
        lot_deposit,
        lot_start,
    )

    session = Session.objects.filter(nom=DEMO_SESSION_STATISTIQUES).first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if session is None or admin is None:
        return
    titulaires = list(
        Inscription.objects.filter(
            session=session,
            deliberation__verrouillee=True,
            deliberation__decision=Deliberation.Decision.CERTIFIE,
        ).values_list("pk", flat=True)
    )
    if (
        not titulaires
        or DeclarationCDC.objects.filter(inscription_id__in=titulaires).exists()
    ):
        return
    with transaction.atomic():
        lot = lot_start(
            certification=session.referentiel.certification,
            by=admin,
            inscription_ids=titulaires,
        )
    lot = lot_build(lot_id=lot.pk)
    with transaction.atomic():
        lot = lot_deposit(lot=lot, by=admin)
    with transaction.atomic():
        acceptes = lot_accept_all(lot=lot, by=admin)
    log(f"Déclaration CDC de l'an dernier : {acceptes} titulaires acceptés")


DEMO_REGLEMENT = """# Règlement d'examen

Ce règlement s'applique à toute personne inscrite à une session d'évaluation de la
certification. Chaque candidat le lit et l'accepte avant son premier dépôt.

## Inscription et aménagements

- L'inscription est faite par le certificateur, qui envoie à chaque candidat un lien
  pour choisir son mot de passe.
- Une personne en situation de handicap peut demander des aménagements d'épreuves
  (temps majoré, assistance d'un tiers, salle accessible, format adapté) au référent
  handicap, **au plus tard 30 jours avant la date limite de dépôt**. Une demande
  plus tardive est examinée, mais l'aménagement peut ne pas pouvoir être appliqué.

## Dépôts et épreuves

- Les fichiers sont déposés sur la plateforme avant la date limite de dépôt (heure de
  Paris). Chaque dépôt donne lieu à un accusé de dépôt.
- Le candidat se présente à l'heure de sa convocation, muni d'une pièce d'identité
  en cours de validité. Un retard de plus de 15 minutes peut entraîner le refus
  de l'accès à l'épreuve.
- Pendant une épreuve, aucun document ni appareil n'est autorisé sauf mention
  contraire de la convocation.

## Fraude

Toute fraude ou tentative de fraude (plagiat, usurpation d'identité, document
falsifié, aide extérieure non autorisée) est signalée au président du jury. Le jury
peut déclarer la certification non validée ; le certificateur peut exclure la
personne des sessions suivantes pour une durée d'un an au plus.

## Résultats et recours

Les résultats sont publiés sur la plateforme à la date fixée par le certificateur.
Un candidat peut former un **recours dans les deux mois** qui suivent cette
publication, depuis sa page de résultat. Le jury réexamine alors sa décision ; la
réponse motivée est notifiée sur la plateforme et par e-mail.
"""


def demo_reglement(log: Log) -> None:
    """The certification's règlement d'examen, published (version 1), and accepted
    by every demo candidate for each of their enrolments (the candidates read it
    before their first deposit). Idempotent."""
    certification = Certification.objects.filter(code=DEMO_CERTIFICATION).first()
    admin = User.objects.filter(email="admin@certif.localhost").first()
    if certification is None or admin is None:
        return
    reglement = reglement_en_vigueur(certification.pk)
    if reglement is None:
        brouillon = reglement_brouillon_create(certification=certification, by=admin)
        reglement_update(
            reglement=brouillon,
            texte=DEMO_REGLEMENT,
            delai_recours_mois=2,
            delai_amenagements_jours=30,
            by=admin,
        )
        reglement = reglement_publish(reglement=brouillon, by=admin)
        log(f"Règlement d'examen : version {reglement.version} publiée")
    inscriptions = Inscription.objects.filter(
        session__referentiel__certification=certification
    ).exclude(acceptations_reglement__reglement=reglement)
    AcceptationReglement.objects.bulk_create(
        [
            AcceptationReglement(inscription=inscription, reglement=reglement)
            for inscription in inscriptions.only("pk")
        ],
        ignore_conflicts=True,
    )


DEMO_STEPS: list[Callable[[Log], None]] = [
    demo_referentiel,
    demo_certificateur,
    demo_accounts,
    demo_sessions,
    demo_jury,
    demo_handicap,
    demo_dispense,
    demo_documents,
    demo_resultats,
    demo_recours,
    demo_epreuves,
    demo_statistiques,
    demo_declarations_anciennes,
    demo_reglement,
]


@transaction.atomic
def demo_load(log: Log) -> None:
    for step in DEMO_STEPS:
        step(log)

"""A declaration batch to the Caisse des Dépôts for 10,000 holders, built in the
background by a real ``db_worker`` and validated against the CDC's schema.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_cdc \\
        .venv/bin/python bench/cdc_batch.py [--titulaires 10000] [--refill]

1. Fills the PostgreSQL database (created if missing, migrated; filled once and
   reused unless --refill): the seed référentiel, one deliberated session with N
   holders certified (accounts, identities — one in ten born abroad —, enrolments,
   locked deliberations), with ``bulk_create``.
2. End to end: the request's part (``lot_launch``: checks, batch row, one task
   enqueued in the database), then a real worker (``manage.py db_worker --batch``,
   a separate process) builds the batch; the script waits until the batch is
   finished and prints the wall time from the request to a stored, valid file.
   Baseline of the same run: the same worker process with an empty queue.
3. The same build in-process, phase by phase: reading the holders with their
   state, writing the XML, validating it, storing it with one declaration row per
   holder. Baseline of the same run: parsing and validating the produced file with
   lxml alone (the least any valid batch costs).
Each built batch is deleted afterwards, so that the next run declares the same
holders again.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/certif_bench_cdc"
ENV = {
    "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
    "SECRET_KEY": "bench-only-secret-key",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "testserver",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "certif.settings.base",
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
}
os.environ.update(ENV)

SESSION_NOM = "Bench — déclaration CDC"
ADMIN_EMAIL = "admin@bench.localhost"


def fill(titulaires: int) -> None:
    import json
    from datetime import date, timedelta

    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.deliberation.models import Deliberation
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.models import Referentiel
    from referentiel.services import referentiel_load

    roles_setup()
    admin, _ = user_ensure(
        email=ADMIN_EMAIL,
        first_name="Bench",
        last_name="Admin",
        roles=[Role.ADMINISTRATEUR],
        password="bench-mot-de-passe",
    )
    with open(ROOT / "fixtures" / "referentiel.json", encoding="utf-8") as handle:
        referentiel_load(data=json.load(handle), publish=True)
    referentiel = Referentiel.objects.filter(
        certification__code="RNCP00000", statut="publie"
    ).latest("cree_le")
    with transaction.atomic():
        today = timezone.localdate()
        session = Session.objects.create(
            referentiel=referentiel,
            nom=SESSION_NOM,
            date_ouverture=today - timedelta(days=120),
            date_limite_depot=timezone.now() - timedelta(days=60),
            date_jury=today - timedelta(days=10),
            statut=Session.Statut.DELIBEREE,
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"cdc{i:05d}@bench.localhost",
                    first_name="Prénom",
                    last_name=f"Nom{i:05d}",
                    password="!unusable",
                )
                for i in range(titulaires)
            ],
            batch_size=1000,
        )
        groupe = Group.objects.get(name=Role.CANDIDAT.value)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=groupe.pk) for u in users],
            batch_size=1000,
        )
        fiches = Candidat.objects.bulk_create(
            [
                Candidat(
                    user=user,
                    nom_naissance=f"NOM{i:05d}",
                    nom_usage="USAGE" if i % 3 == 0 else "",
                    prenom1="Prénom",
                    prenom2="Deuxième" if i % 2 else "",
                    date_naissance=date(1980, 1, 1) + timedelta(days=i),
                    sexe="F" if i % 2 else "M",
                    commune_naissance="Casablanca" if i % 10 == 0 else "Paris",
                    code_insee_naissance="" if i % 10 == 0 else "75056",
                    pays_naissance="99350" if i % 10 == 0 else "",
                )
                for i, user in enumerate(users)
            ],
            batch_size=1000,
        )
        voies = ["formation_continue", "vae", "apprentissage", "candidat_libre"]
        inscriptions = Inscription.objects.bulk_create(
            [
                Inscription(
                    candidat=fiche,
                    session=session,
                    voie_acces=voies[i % len(voies)],
                    parcours="complet",
                    **Inscription.tri_of(fiche),
                )
                for i, fiche in enumerate(fiches)
            ],
            batch_size=1000,
        )
        decidee = timezone.now() - timedelta(days=10)
        Deliberation.objects.bulk_create(
            [
                Deliberation(
                    inscription=ins,
                    decision=Deliberation.Decision.CERTIFIE,
                    motif="Tous les critères sont acquis.",
                    verrouillee=True,
                    decidee_le=decidee,
                    decidee_par=admin,
                )
                for ins in inscriptions
            ],
            batch_size=1000,
        )


def ensure_certificateur(certification_id: int) -> None:
    """The bench's certification gets a registered code and a certifier carrying
    the CDC's identifiers (the seed's RNCP00000 is a placeholder: no batch is
    built for it)."""
    from referentiel.models import Certificateur, Certification

    certificateur, _ = Certificateur.objects.get_or_create(
        raison_sociale="Certificateur du bench",
        defaults={
            "siret": "73282932000074",
            "adresse": "1 rue du Bench, 69002 Lyon",
            "ville": "Lyon",
            "signataire_nom": "Claire Martin",
            "signataire_qualite": "Directrice",
            "recours": "Par écrit sous deux mois.",
            "cdc_id_client_emetteur": "BENCH001",
            "cdc_id_client_certificateur": "BENCH002",
            "cdc_id_contrat": "BENCH-CONTRAT",
        },
    )
    Certification.objects.filter(pk=certification_id).update(
        certificateur=certificateur, code="RNCP34567"
    )


def delete_lots() -> None:
    from evaluations.declarations.models import DeclarationCDC, LotCDC

    for lot in LotCDC.objects.all():
        if lot.fichier:
            lot.fichier.delete(save=False)
    DeclarationCDC.objects.all().delete()
    LotCDC.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titulaires", type=int, default=10_000)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    from pg import ensure_database  # the benchmarks' folder, first on the path

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from lxml import etree

    from certif.models import User
    from evaluations.declarations.documents import (
        SCHEMA_PATH,
        Flux,
        flux_xml,
        schema_errors,
    )
    from evaluations.declarations.models import LotCDC
    from evaluations.declarations.selectors import titulaires_for
    from evaluations.declarations.services import lot_build, lot_start
    from evaluations.declarations.tasks import lot_launch
    from evaluations.sessions.models import Session

    call_command("migrate", verbosity=0)
    session = Session.objects.filter(nom=SESSION_NOM).first()
    if args.refill and session is not None:
        print("--refill : videz la base (DROP DATABASE) puis relancez.")
        return
    if session is None:
        start = time.perf_counter()
        fill(args.titulaires)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"Remplissage : {time.perf_counter() - start:.1f} s")
    session = Session.objects.get(nom=SESSION_NOM)
    ensure_certificateur(session.referentiel.certification_id)
    certification = session.referentiel.certification
    certification.refresh_from_db()
    admin = User.objects.get(email=ADMIN_EMAIL)
    delete_lots()
    print(f"Titulaires : {session.inscriptions.count()}")

    # 2. End to end: request, then a real worker process. Baseline of the same
    # run: the same worker process started with nothing to do (Python, Django,
    # the queue read once).
    def run_worker() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
            ],
            env={**os.environ, **ENV},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )

    w0 = time.perf_counter()
    run_worker()
    worker_vide = time.perf_counter() - w0
    print(f"Référence : db_worker --batch sans tâche : {worker_vide:.2f} s")
    start = time.perf_counter()
    lot = lot_launch(certification=certification, by=admin, mode="exclure")
    requete = time.perf_counter() - start
    worker = run_worker()
    lot.refresh_from_db()
    total = time.perf_counter() - start
    assert lot.statut == LotCDC.Statut.CONSTRUIT, (
        lot.statut,
        lot.erreur,
        worker.stderr,
    )
    taille = lot.fichier.size
    print(
        f"Bout en bout (requête + db_worker) : {total:.2f} s — requête {requete * 1000:.0f} ms, "
        f"lot n° {lot.pk}, {lot.total} titulaires, {taille / 1e6:.1f} Mo, statut {lot.statut}"
    )
    delete_lots()

    # 3. In-process, phase by phase.
    t0 = time.perf_counter()
    titulaires = [
        t for t in titulaires_for(certification=certification) if t.declarable
    ]
    t1 = time.perf_counter()
    flux = Flux(
        id_flux="bench",
        horodatage=django.utils.timezone.localtime().replace(microsecond=0),
        id_client_emetteur="BENCH001",
        id_client_certificateur="BENCH002",
        id_contrat="BENCH-CONTRAT",
        code_certification=certification.code,
        passages=[t.passage for t in titulaires],
    )
    content = flux_xml(flux)
    t2 = time.perf_counter()
    erreurs = schema_errors(content)
    t3 = time.perf_counter()
    assert erreurs == [], erreurs[:3]
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    b0 = time.perf_counter()
    assert schema.validate(etree.fromstring(content))
    baseline = time.perf_counter() - b0
    s0 = time.perf_counter()
    lot = lot_build(lot_id=lot_start(certification=certification, by=admin).pk)
    complet = time.perf_counter() - s0
    assert lot.statut == LotCDC.Statut.CONSTRUIT
    print(
        f"Lecture des titulaires et de leur état : {t1 - t0:.2f} s ({len(titulaires)})"
    )
    print(f"Écriture du XML : {t2 - t1:.2f} s")
    print(f"Validation contre le schéma : {t3 - t2:.2f} s")
    print(
        f"lot_build complet (lecture, XML, validation, stockage, déclarations) : {complet:.2f} s"
    )
    print(
        f"Référence du même passage — lxml seul, analyse + validation du fichier : {baseline:.2f} s"
    )
    # 4. The deadlines of the administrator's home (and the daily reminder), on
    # the day the awards fall due (every holder due) and today (none due yet):
    # only the holders that may be due are read.
    from evaluations.declarations.selectors import echeance_of, echeances_for

    delete_lots()
    echeance = echeance_of(titulaires[0].attribution)
    for jour in (echeance, django.utils.timezone.localdate()):
        e0 = time.perf_counter()
        echeances = echeances_for(today=jour)
        duree = time.perf_counter() - e0
        print(
            f"Échéances de l'accueil au {jour:%d/%m/%Y} : {duree:.2f} s "
            f"({len(echeances.dues)} à déclarer dans les 15 jours, "
            f"{len(echeances.en_retard)} en retard)"
        )
    delete_lots()


if __name__ == "__main__":
    main()

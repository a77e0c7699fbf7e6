"""Benchmark of the CSV import of candidates, end to end (never run by the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_csv \\
    .venv/bin/python bench/csv_import.py [LINES] [WORKERS] [EXISTING]

Re-creates that PostgreSQL database with the seed référentiel, an open session and
EXISTING candidates already on the platform (default 10,000, for the duplicate
checks), builds a valid file of LINES candidates (default 5,000; half on the whole
certification, half on two blocs), starts WORKERS ``manage.py db_worker`` processes
(default 2) and, as the administrator's browser does (Django's test client, in this
process): uploads the file, polls the page until the check is done, confirms, polls
until the import is done, then waits until every invitation e-mail has left (dummy
mail backend). Prints the time of each step and the total, upload to the last
invitation; the baseline of the same run is the round trip of a task that does
nothing (enqueue → a worker picks it up → done), the floor of any background step.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certif.settings.base")

import django  # noqa: E402 - after the environment is set

HEADER = (
    "email;nom_naissance;nom_usage;prenoms;date_naissance;sexe;commune_naissance;"
    "code_insee_naissance;pays_naissance;voie_acces;parcours;blocs"
)


def _recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def _csv(lines: int) -> bytes:
    first = date(1950, 1, 1).toordinal()
    rows = [HEADER]
    for i in range(lines):
        naissance = date.fromordinal(first + i % 18000)
        parcours, blocs = ("blocs", "A1 A2") if i % 2 else ("", "")
        rows.append(
            f"import{i:06d}@bench.fr;NOMIMPORT{i:06d};;Camille Marie;"
            f"{naissance:%d/%m/%Y};F;Paris;75056;;formation_continue;{parcours};{blocs}"
        )
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def _existing(n: int) -> None:
    from certif.models import User
    from evaluations.sessions.models import Candidat

    first = date(1950, 1, 1).toordinal()
    users = User.objects.bulk_create(
        (User(email=f"existant{i:06d}@bench.fr") for i in range(n)), batch_size=5000
    )
    Candidat.objects.bulk_create(
        (
            Candidat(
                user=user,
                nom_naissance=f"EXISTANT{i:06d}",
                prenom1="Camille",
                date_naissance=date.fromordinal(first + i % 18000),
                sexe="F",
                commune_naissance="Paris",
                code_insee_naissance="75056",
            )
            for i, user in enumerate(users)
        ),
        batch_size=5000,
    )


def _wait(
    client: Any,
    url: str,
    done: set[str],
    procs: list[subprocess.Popen[bytes]],
    label: str,
    start: float,
) -> str:
    """Poll the import page (as htmx does) until its state is one of ``done``."""
    last = ""
    while True:
        page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        etat = re.search(r"<strong>([^<]+)</strong>", page)
        state = etat.group(1) if etat else "?"
        progress = re.search(r"(\d+) / (\d+) lignes vérifiées", page)
        line = f"{state} {progress.group(0) if progress else ''}".strip()
        if line != last:
            print(f"  {time.perf_counter() - start:6.1f} s  {label}: {line}")
            last = line
        if state in done:
            return state
        if any(p.poll() is not None for p in procs):
            sys.exit("a worker stopped")
        time.sleep(0.2)


def main() -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    existing = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL=postgres://…/certif_bench_csv is required")
    _recreate_database(url)
    storage = tempfile.mkdtemp(prefix="certif-bench-csv-")
    os.environ["PRIVATE_STORAGE_ROOT"] = storage
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["CSRF_COOKIE_SECURE"] = "false"
    django.setup()
    import json
    from datetime import timedelta

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.sessions.models import Candidat, ImportCandidats, Session
    from evaluations.sessions.tasks import invitations_envoyer
    from referentiel.services import referentiel_load

    call_command("migrate", verbosity=0)
    roles_setup()
    data = json.loads((settings.BASE_DIR / "fixtures" / "referentiel.json").read_text())
    referentiel = referentiel_load(data=data, publish=True).referentiel
    admin, _created = user_ensure(
        email="admin@bench.fr",
        first_name="Admin",
        last_name="Bench",
        roles=[Role.ADMINISTRATEUR],
    )
    today = timezone.localdate()
    session = Session.objects.create(
        referentiel=referentiel,
        nom="Session bench",
        date_ouverture=today,
        date_limite_depot=timezone.now() + timedelta(days=30),
        date_jury=today + timedelta(days=60),
        statut=Session.Statut.OUVERTE,
    )
    _existing(existing)
    content = _csv(lines)
    print(f"file: {lines} lines, {len(content) / 1e6:.1f} MB; {existing} candidates")

    env = dict(os.environ)
    logs = [open(Path(storage) / f"worker{i}.log", "w") for i in range(workers)]  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        time.sleep(3)  # let the workers import Django and reach their loop
        start = time.perf_counter()
        result = invitations_envoyer.enqueue([])
        while result.status not in {"SUCCESSFUL", "FAILED"}:
            time.sleep(0.02)
            result.refresh()
        baseline = time.perf_counter() - start

        client = Client()
        client.force_login(admin)
        start = time.perf_counter()
        response = client.post(
            reverse("evaluations:session_import", args=[session.pk]),
            {"fichier": SimpleUploadedFile("candidats.csv", content, "text/csv")},
        )
        upload = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        page = response["Location"]
        _wait(client, page, {"Vérifié"}, procs, "check", start)
        checked = time.perf_counter() - start
        fichier = ImportCandidats.objects.get()
        response = client.post(
            reverse("evaluations:session_import_confirm", args=[session.pk, fichier.pk])
        )
        assert response.status_code == 302, response.status_code
        state = _wait(
            client, page, {"Importé", "Import refusé"}, procs, "import", start
        )
        imported = time.perf_counter() - start
        if state != "Importé":
            sys.exit(ImportCandidats.objects.get().message)
        last = -1
        while True:
            waiting = Candidat.objects.filter(
                inscriptions__session=session, invite_le__isnull=True
            ).count()
            if waiting == 0:
                break
            if waiting != last:
                print(
                    f"  {time.perf_counter() - start:6.1f} s  invitations: {waiting} to send"
                )
                last = waiting
            time.sleep(0.2)
        total = time.perf_counter() - start
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        for log in logs:
            log.close()
    fichier = ImportCandidats.objects.get()
    print(f"lines                          : {lines}")
    print(f"workers                        : {workers}")
    print(f"baseline: no-op task round trip: {baseline:6.2f} s")
    print(f"upload (the request)           : {upload:6.2f} s")
    print(f"checked (since upload)         : {checked:6.1f} s")
    print(f"imported (since upload)        : {imported:6.1f} s")
    print(f"invitations sent, end to end   : {total:6.1f} s (target < 30 s for 5,000)")
    print(f"candidates imported            : {fichier.importees}")
    shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmarks of the issued documents (never run by the test suite).

    .venv/bin/python bench/pdf_bench.py ratio [N]
        One certificate (parchemin as issued: certifier with logo and signature
        image, QR code, PDF/A-3b) against a bare one-page WeasyPrint document,
        median of N renders each (default 30), in the same process, on a
        throw-away in-memory SQLite database; beside it the cost of the PAdES
        seal alone (pyHanko, self-signed 2048-bit RSA certificate), of the
        certificate rendered and sealed, and of the first certificate of a
        process (its zones laid out in place, drawn and kept: certif.pdf; the
        next ones, as in a session's emission, reuse them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_pdf \\
    .venv/bin/python bench/pdf_bench.py session [CANDIDATS] [WORKERS]
        Re-creates that PostgreSQL database, creates a deliberated session of
        CANDIDATS certified candidates (default 500) on the seed référentiel (71
        criteria), starts WORKERS ``manage.py db_worker`` processes (default 2),
        launches the emission as the administrator's button does and times it until
        the ZIP is written. Each candidate gets a parchemin and a relevé; the session
        a PV, each sealed with a self-signed certificate made for the run (the
        certifier is complete, SITE_URL is https). Prints the wall time, the
        documents issued and each worker's peak RSS
        (VmHWM from /proc/<pid>/status). With WORKERS=1 and 500 candidates, one
        worker renders 1,001 documents: that is the memory figure.
"""

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certif.settings.base")

import django  # noqa: E402 - after the environment is set

BARE = (
    "<!doctype html><html lang='fr'><body><h1>Titre</h1><p>Une page.</p></body></html>"
)


def medians_ms(renders: dict, n: int) -> dict:
    """Median time of each render, the renders interleaved so that they share the
    machine's load alike."""
    for render in renders.values():
        render()  # warm-up: imports, fonts, stylesheet
    times: dict = {name: [] for name in renders}
    for _ in range(n):
        for name, render in renders.items():
            start = time.perf_counter()
            render()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def ratio(n: int) -> None:
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    django.setup()
    from datetime import UTC, datetime

    from django.test import override_settings
    from weasyprint import HTML

    from certif.sceau import pkcs12_self_signed, seal_pdf
    from evaluations.demo import _demo_image, _logo, _signature
    from evaluations.documents.qr import qr_img
    from evaluations.documents.renderers import Visuels, parchemin_pdf
    from evaluations.documents.services import verification_url
    from evaluations.documents.snapshots import (
        BlocLigne,
        CertificateurInfo,
        CertificationInfo,
        DistinctionSnapshot,
        Titulaire,
    )

    snapshot = DistinctionSnapshot(
        titulaire=Titulaire(
            "Camille Marie", "PETIT", "", "1996-04-12", "Nantes (44)", "F"
        ),
        certification=CertificationInfo(
            "RNCP12345",
            "Responsable du développement commercial",
            6,
            "1",
            "niveau 6 du cadre national des certifications professionnelles, "
            "équivalent au niveau 6 du cadre européen des certifications",
            "312p",
            "2024-03-28",
            "2029-03-28",
        ),
        session="Session de juin 2026",
        date_decision="2026-06-30",
        blocs=tuple(
            BlocLigne(
                f"A{i}",
                f"Intitulé du bloc {i}",
                "Session",
                "2026-06-30",
                False,
                f"RNCP12345BC{i:02d}",
            )
            for i in range(1, 6)
        ),
        certificateur=CertificateurInfo(
            "Institut Exemple",
            "73282932000074",
            "12 rue des Écoles\n69002 Lyon",
            "Lyon",
            "Claire Martin",
            "Directrice générale",
            "Recours écrit sous deux mois.",
            False,
        ),
    )
    visuels = Visuels(
        logo=_demo_image(120, 60, _logo), signature=_demo_image(180, 80, _signature)
    )
    p12 = Path(tempfile.mkdtemp(prefix="certif-bench-seal-")) / "sceau.p12"
    p12.write_bytes(pkcs12_self_signed(nom="Institut Exemple", password="bench"))
    sealing = override_settings(SCEAU_PKCS12=str(p12), SCEAU_PKCS12_PASSWORD="bench")
    sealing.enable()
    code = "ABCDEFGHIJKLMNOP"
    emis_le = datetime(2026, 7, 1, tzinfo=UTC)
    url = verification_url(code)

    from certif.pdf import forget_zones

    issued = parchemin_pdf(
        snapshot, code=code, url=url, emis_le=emis_le, visuels=visuels
    ).content

    def first() -> None:
        """The parchemin as the first of its process: its zones laid out in
        place, drawn, and kept (certif.pdf)."""
        forget_zones()
        parchemin_pdf(snapshot, code=code, url=url, emis_le=emis_le, visuels=visuels)

    result = medians_ms(
        {
            "bare": lambda: HTML(string=BARE).write_pdf(),
            "parchemin": lambda: parchemin_pdf(
                snapshot, code=code, url=url, emis_le=emis_le, visuels=visuels
            ),
            "seal": lambda: seal_pdf(issued, reason="Document émis", location="Lyon"),
            "sealed": lambda: seal_pdf(
                parchemin_pdf(
                    snapshot, code=code, url=url, emis_le=emis_le, visuels=visuels
                ).content,
                reason="Document émis",
                location="Lyon",
            ),
            "qr": lambda: qr_img(url),
            "first": first,
        },
        n,
    )
    bare, cert, qr = result["bare"], result["parchemin"], result["qr"]
    print(f"N={n} (interleaved), load average {os.getloadavg()[0]:.2f}")
    print(f"bare one-page WeasyPrint document : {bare:8.1f} ms (median)")
    print(f"parchemin (HTML + QR + PDF)       : {cert:8.1f} ms (median)")
    print(f"  of which the QR code (segno)    : {qr:8.1f} ms (median)")
    print(f"ratio                             : {cert / bare:8.2f} x (target <= 2)")
    seal, sealed = result["seal"], result["sealed"]
    print(f"PAdES seal of the issued file     : {seal:8.1f} ms (median)")
    print(
        f"parchemin rendered and sealed     : {sealed:8.1f} ms = {sealed / bare:.2f} x"
    )
    sealing.disable()
    shutil.rmtree(p12.parent, ignore_errors=True)
    print("for comparison:")
    print(
        f"  first parchemin of a process    : {result['first']:8.1f} ms"
        f" = {result['first'] / bare:.2f} x (zones laid out, drawn and kept)"
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


def _make_session(candidats: int):
    """A session of ``candidats`` certified candidates, created in bulk."""
    import json
    from datetime import date, timedelta

    from django.conf import settings
    from django.utils import timezone

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.deliberation.models import Deliberation
    from evaluations.jury.models import MembreJury
    from evaluations.notation.models import Consolidation
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.models import Critere
    from referentiel.services import referentiel_load

    roles_setup()
    data = json.loads((settings.BASE_DIR / "fixtures" / "referentiel.json").read_text())
    data["certification"]["code"] = "RNCP12345"  # not the placeholder
    referentiel = referentiel_load(data=data, publish=True).referentiel
    from django.core.files.base import ContentFile

    from evaluations.demo import _demo_image, _logo, _signature
    from referentiel.models import Bloc, Certificateur

    certificateur = Certificateur(
        raison_sociale="Institut Exemple",
        siret="73282932000074",
        adresse="12 rue des Écoles\n69002 Lyon",
        ville="Lyon",
        signataire_nom="Claire Martin",
        signataire_qualite="Directrice générale",
        recours="Recours écrit sous deux mois.",
    )
    certificateur.logo.save("logo.png", ContentFile(_demo_image(120, 60, _logo)))
    certificateur.signature.save(
        "signature.png", ContentFile(_demo_image(180, 80, _signature))
    )
    certification = referentiel.certification
    certification.certificateur = certificateur
    certification.nsf = "312p"
    certification.date_enregistrement = date(2024, 3, 28)
    certification.save()
    for bloc in Bloc.objects.filter(referentiel=referentiel):
        bloc.code_rncp = f"RNCP12345BC{bloc.ordre + 1:02d}"
        bloc.save(update_fields=["code_rncp"])
    admin, _ = user_ensure(
        email="admin@bench.fr",
        first_name="Alice",
        last_name="Martin",
        roles=[Role.ADMINISTRATEUR],
        password="bench-only-password",
    )
    president, _ = user_ensure(
        email="president@bench.fr",
        first_name="Paul",
        last_name="Durand",
        roles=[Role.PRESIDENT, Role.MEMBRE_JURY],
        password="bench-only-password",
    )
    today = timezone.localdate()
    session = Session.objects.create(
        referentiel=referentiel,
        nom="Session de mesure",
        date_ouverture=today - timedelta(days=60),
        date_limite_depot=timezone.now() - timedelta(days=20),
        date_jury=today - timedelta(days=1),
        statut=Session.Statut.DELIBEREE,
    )
    membre = MembreJury.objects.create(
        session=session, user=president, role=MembreJury.Role.PRESIDENT
    )
    users = User.objects.bulk_create(
        User(
            email=f"candidat{i:04d}@bench.fr", first_name="Prénom", last_name=f"Nom{i}"
        )
        for i in range(candidats)
    )
    people = Candidat.objects.bulk_create(
        Candidat(
            user=user,
            nom_naissance=f"NOM{i:04d}",
            prenom1="Camille",
            date_naissance=date(1990, 1, 1),
            sexe="F",
            commune_naissance="Paris",
            code_insee_naissance="75056",
        )
        for i, user in enumerate(users)
    )
    inscriptions = Inscription.objects.bulk_create(
        Inscription(
            candidat=c,
            session=session,
            voie_acces="formation_continue",
            **Inscription.tri_of(c),
        )
        for c in people
    )
    blocs = list(referentiel.blocs.all())
    Inscription.blocs.through.objects.bulk_create(
        Inscription.blocs.through(inscription=i, bloc=b)
        for i in inscriptions
        for b in blocs
    )
    criteres = list(Critere.objects.filter(referentiel=referentiel))
    Consolidation.objects.bulk_create(
        (
            Consolidation(
                inscription=i, critere=c, resultat="acquis", modifie_par=president
            )
            for i in inscriptions
            for c in criteres
        ),
        batch_size=5000,
    )
    deliberations = Deliberation.objects.bulk_create(
        Deliberation(
            inscription=i,
            decision=Deliberation.Decision.CERTIFIE,
            motif="Tous les critères sont acquis.",
            verrouillee=True,
            decidee_le=timezone.now(),
            decidee_par=president,
        )
        for i in inscriptions
    )
    Deliberation.blocs_valides.through.objects.bulk_create(
        Deliberation.blocs_valides.through(deliberation=d, bloc=b)
        for d in deliberations
        for b in blocs
    )
    Deliberation.presents.through.objects.bulk_create(
        Deliberation.presents.through(deliberation=d, membrejury=membre)
        for d in deliberations
    )
    return session, admin


def _vmhwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def session(candidats: int, workers: int) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL=postgres://…/certif_bench_pdf is required")
    _recreate_database(url)
    storage = tempfile.mkdtemp(prefix="certif-bench-pdf-")
    os.environ["PRIVATE_STORAGE_ROOT"] = storage
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["SITE_URL"] = "https://certif.example.fr"
    # Every document sealed, by the workers too (they read the environment).
    p12 = Path(storage) / "sceau.p12"
    os.environ["SCEAU_PKCS12"] = str(p12)
    os.environ["SCEAU_PKCS12_PASSWORD"] = "bench"
    django.setup()
    from certif.sceau import pkcs12_self_signed

    p12.write_bytes(pkcs12_self_signed(nom="Institut Exemple", password="bench"))
    from django.core.management import call_command

    from evaluations.documents.models import Document, EmissionSession
    from evaluations.documents.tasks import emission_launch

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    the_session, admin = _make_session(candidats)
    print(f"data: {candidats} candidates in {time.perf_counter() - started:.1f} s")

    env = dict(os.environ)
    logs = [open(Path(storage) / f"worker{i}.log", "w") for i in range(workers)]  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.2",
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
        emission = emission_launch(session=the_session, by=admin)
        enqueued = time.perf_counter() - start
        last = -1
        while True:
            emission.refresh_from_db()
            if emission.statut in {"terminee", "echecs"}:
                break
            if emission.traites != last and emission.traites % 50 == 0:
                last = emission.traites
                print(
                    f"  {time.perf_counter() - start:6.1f} s  "
                    f"{emission.traites}/{emission.total}"
                )
            if any(p.poll() is not None for p in procs):
                sys.exit("a worker stopped: see " + storage)
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        peaks = [_vmhwm_kb(p.pid) / 1024 for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        for log in logs:
            log.close()
    documents = Document.objects.filter(session=the_session).count()
    emission = EmissionSession.objects.get(pk=emission.pk)
    print(f"candidates                  : {candidats}")
    print(f"workers                     : {workers}")
    print(f"enqueue (in the request)    : {enqueued:6.2f} s")
    print(f"emission until ZIP written  : {elapsed:6.1f} s (target <= 120 s for 500)")
    print(
        f"documents issued            : {documents} ({'FAILURES' if emission.echecs else 'no failure'})"
    )
    print(f"zip size                    : {emission.archive.size / 1e6:6.1f} MB")
    for i, peak in enumerate(peaks):
        print(f"worker {i} peak RSS (VmHWM)  : {peak:6.1f} MB (target < 300 MB)")
    shutil.rmtree(storage, ignore_errors=True)


def main() -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress lines as they come
    mode = sys.argv[1] if len(sys.argv) > 1 else "ratio"
    if mode == "ratio":
        ratio(int(sys.argv[2]) if len(sys.argv) > 2 else 30)
    elif mode == "session":
        session(
            int(sys.argv[2]) if len(sys.argv) > 2 else 500,
            int(sys.argv[3]) if len(sys.argv) > 3 else 2,
        )
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

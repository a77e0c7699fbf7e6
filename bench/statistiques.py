"""The statistics page over 100,000 enrolments, and the 100,000-row results export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_stats \\
        .venv/bin/python bench/statistiques.py [--inscriptions 100000] [--requests 50] [--refill]

1. Fills the PostgreSQL database (created if missing, migrated; filled once and
   reused on the next runs unless --refill): the seed référentiel (5 blocs, 71
   criteria), 20 closed sessions over 5 years (4 a year, juries in June of the
   last five years) sharing N enrolments (accounts, identities, enrolments and their
   blocs, deliberations and their validated blocs, bulk inserts). Enrolment i:
   route i mod 7; blocs path (A1, A2) when i mod 8 = 7; withdrew when i mod 50 = 13;
   otherwise by i mod 10: 0-5 certified (a blocs path: its blocs validated), 6-7
   partial validation, 8 not validated, 9 absent; an accommodation (« temps
   majoré ») when i mod 30 = 0. The sessions of the last year also carry the jury's
   consolidated result on every criterion of every enrolment that sat (about
   1.2 million rows for 100,000 enrolments): the criteria and competencies tables
   of that year aggregate them.
2. Aggregates the stored figures of every session (cold, as after a deployment)
   and of one session (as after a vote), and prints both durations.
3. Measures in-process with Django's test client, logged in as an administrator,
   the server time of R requests (after 5 warm-up requests) of the statistics page
   for the last year, for all years, and a bare Django view (``HttpResponse("ok")``
   behind the same middleware) as the baseline of the same run; prints p50/p95/max
   in milliseconds and the SQL query count of each.
4. Runs the results export of every enrolment (all years) in a child process, as a
   worker would (``export_run``), and prints its duration, its rows and the child's
   peak memory (``ru_maxrss``).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/certif_bench_stats"
os.environ.update(
    {
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "false",
        # Pages render without collectstatic (no manifest of hashed names).
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
        "PRIVATE_STORAGE_ROOT": os.environ.get(
            "PRIVATE_STORAGE_ROOT",
            "/tmp/certif-bench-stats",
        ),
    }
)

PREFIXE = "Bench statistiques"
ADMIN_EMAIL = "admin@bench-stats.localhost"
SESSIONS_PAR_AN = 4
ANNEES = 5


# This module is the URLconf of the measure (filled once Django is set up).
urlpatterns: list["URLPattern | URLResolver"] = []


def bare_view(request: "HttpRequest") -> "HttpResponse":
    from django.http import HttpResponse

    return HttpResponse("ok")


def derniere_annee() -> int:
    from django.utils import timezone

    return timezone.localdate().year - 1


def fill(total: int) -> None:
    import json
    from datetime import UTC, date, datetime, timedelta

    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.deliberation.models import Deliberation
    from evaluations.jury.models import MembreJury
    from evaluations.sessions.models import Candidat, Inscription, Session, VoieAcces
    from handicap.models import Amenagement, DemandeAmenagement
    from referentiel.models import Critere, Referentiel
    from referentiel.services import referentiel_load

    roles_setup()
    admin, _created = user_ensure(
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
    with connection.cursor() as cursor:
        # Start again from nothing: the bench database holds only the bench's rows.
        tables = [
            "evaluations_consolidation",
            "evaluations_deliberation_blocs_valides",
            "evaluations_deliberation_presents",
            "evaluations_deliberation",
            "handicap_amenagement",
            "handicap_demandeamenagement",
            "evaluations_inscription_blocs",
            "evaluations_inscription",
            "evaluations_membrejury",
            "evaluations_candidat",
            "evaluations_export",
        ]
        existing = set(connection.introspection.table_names(cursor))
        cursor.execute(
            "TRUNCATE " + ", ".join(t for t in tables if t in existing) + " CASCADE"
        )
        cursor.execute("DELETE FROM evaluations_session")
        cursor.execute(
            "DELETE FROM certif_user_groups WHERE user_id IN "
            "(SELECT id FROM certif_user WHERE email LIKE 'stat%%@bench-stats.localhost')"
        )
        cursor.execute(
            "DELETE FROM certif_user WHERE email LIKE 'stat%%@bench-stats.localhost'"
        )
    blocs = list(referentiel.blocs.order_by("ordre", "code"))
    criteres_par_bloc = {
        b.pk: list(
            Critere.objects.filter(competence__activite__bloc=b)
            .order_by("competence__activite__ordre", "competence__ordre", "ordre")
            .values_list("pk", flat=True)
        )
        for b in blocs
    }
    voies = [v for v, _l in VoieAcces.choices]
    groupe = Group.objects.get(name=Role.CANDIDAT.value)
    fin = derniere_annee()
    par_session = total // (SESSIONS_PAR_AN * ANNEES)
    i = 0
    for annee in range(fin - ANNEES + 1, fin + 1):
        for rang in range(SESSIONS_PAR_AN):
            with transaction.atomic():
                deadline = datetime(annee, 5, 1 + rang, 12, tzinfo=UTC)
                session = Session.objects.create(
                    referentiel=referentiel,
                    nom=f"{PREFIXE} {annee} n° {rang + 1}",
                    date_ouverture=date(annee, 2, 1),
                    date_limite_depot=deadline,
                    date_jury=date(annee, 6, 1 + rang),
                    statut=Session.Statut.CLOSE,
                )
                president = MembreJury.objects.create(
                    session=session, user=admin, role=MembreJury.Role.PRESIDENT
                )
                numeros = range(i, i + par_session)
                i += par_session
                users = User.objects.bulk_create(
                    [
                        User(
                            email=f"stat{n:06d}@bench-stats.localhost",
                            first_name="Prénom",
                            last_name=f"Nom{n:06d}",
                            password="!unusable",
                        )
                        for n in numeros
                    ],
                    batch_size=2000,
                )
                User.groups.through.objects.bulk_create(
                    [
                        User.groups.through(user_id=u.pk, group_id=groupe.pk)
                        for u in users
                    ],
                    batch_size=5000,
                )
                fiches = Candidat.objects.bulk_create(
                    [
                        Candidat(
                            user=u,
                            nom_naissance=f"NOM{n:06d}",
                            prenom1="Prénom",
                            date_naissance=date(1980, 1, 1) + timedelta(days=n % 9000),
                            sexe="F" if n % 2 else "M",
                            commune_naissance="Paris",
                            code_insee_naissance="75056",
                        )
                        for n, u in zip(numeros, users, strict=True)
                    ],
                    batch_size=2000,
                )
                inscriptions = Inscription.objects.bulk_create(
                    [
                        Inscription(
                            candidat=f,
                            session=session,
                            voie_acces=voies[n % 7],
                            parcours="blocs" if n % 8 == 7 else "complet",
                            desiste_le=date(annee, 4, 20) if n % 50 == 13 else None,
                            **Inscription.tri_of(f),
                        )
                        for n, f in zip(numeros, fiches, strict=True)
                    ],
                    batch_size=2000,
                )
                liens = []
                delibs = []
                valides_par: list[
                    tuple[Deliberation, list[int], list[int], set[int]]
                ] = []
                for n, ins in zip(numeros, inscriptions, strict=True):
                    evalues = blocs[:2] if n % 8 == 7 else blocs
                    liens += [
                        Inscription.blocs.through(inscription_id=ins.pk, bloc_id=b.pk)
                        for b in evalues
                    ]
                    if n % 50 == 13:
                        continue
                    r = n % 10
                    non_acquis: list[int] = []
                    valides: list[Any]
                    if r == 9:
                        decision, valides = "absent", []
                    elif r == 8:
                        decision, valides = "non_valide", []
                        non_acquis = [criteres_par_bloc[b.pk][0] for b in evalues]
                    elif n % 8 == 7:
                        decision, valides = "validation_partielle", evalues
                    elif r in (6, 7):
                        decision, valides = "validation_partielle", blocs[:-1]
                        non_acquis = [criteres_par_bloc[blocs[-1].pk][0]]
                    else:
                        decision, valides = "certifie", blocs
                    d = Deliberation(
                        inscription=ins,
                        decision=decision,
                        motif="Bench.",
                        decidee_le=deadline + timedelta(days=30 + rang),
                        decidee_par=admin,
                    )
                    delibs.append(d)
                    criteres = (
                        [c for b in evalues for c in criteres_par_bloc[b.pk]]
                        if decision != "absent" and annee == fin
                        else []
                    )
                    valides_par.append(
                        (d, [b.pk for b in valides], criteres, set(non_acquis))
                    )
                Inscription.blocs.through.objects.bulk_create(liens, batch_size=10000)
                Deliberation.objects.bulk_create(delibs, batch_size=2000)
                Deliberation.blocs_valides.through.objects.bulk_create(
                    [
                        Deliberation.blocs_valides.through(
                            deliberation_id=d.pk, bloc_id=b
                        )
                        for d, valides, _c, _n in valides_par
                        for b in valides
                    ],
                    batch_size=10000,
                )
                Deliberation.presents.through.objects.bulk_create(
                    [
                        Deliberation.presents.through(
                            deliberation_id=d.pk, membrejury_id=president.pk
                        )
                        for d in delibs
                    ],
                    batch_size=10000,
                )
                demandes = DemandeAmenagement.objects.bulk_create(
                    [
                        DemandeAmenagement(
                            inscription=ins,
                            besoins="Bench.",
                            consentement_texte="J'accepte.",
                            consentement_le=deadline,
                            deposee_le=deadline,
                            statut="decidee",
                            decidee_le=deadline,
                            decidee_par=admin,
                        )
                        for n, ins in zip(numeros, inscriptions, strict=True)
                        if n % 30 == 0
                    ],
                    batch_size=2000,
                )
                Amenagement.objects.bulk_create(
                    [
                        Amenagement(
                            demande=dem, type="temps_majore", description="Bench."
                        )
                        for dem in demandes
                    ],
                    batch_size=2000,
                )
                rows = []
                with connection.cursor() as cursor:
                    for d, _v, criteres, rates in valides_par:
                        rows += [
                            (
                                d.inscription_id,
                                c,
                                "non_acquis" if c in rates else "acquis",
                                admin.pk,
                            )
                            for c in criteres
                        ]
                        if len(rows) >= 50000:
                            _copy_consolidations(cursor, rows)
                            rows = []
                    _copy_consolidations(cursor, rows)
            print(f"  {session.nom} : {par_session} inscriptions", flush=True)


def _copy_consolidations(cursor: object, rows: list[tuple[int, int, str, int]]) -> None:
    """COPY the consolidation rows (far faster than INSERT for a million rows)."""
    import io

    if not rows:
        return
    buffer = io.StringIO()
    for inscription, critere, resultat, par in rows:
        buffer.write(
            f"{inscription}\t{critere}\t{resultat}\t\t1\t2026-01-01 00:00:00+00\t{par}\n"
        )
    buffer.seek(0)
    cursor.cursor.copy_expert(  # type: ignore[attr-defined]
        "COPY evaluations_consolidation (inscription_id, critere_id, resultat,"
        " commentaire, version, modifie_le, modifie_par_id) FROM STDIN",
        buffer,
    )


def measure(client: "Client", url: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    queries = len(context.captured_queries)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times, queries


def export_child() -> None:
    """The results export of every enrolment, as a worker runs it."""
    import django

    django.setup()
    from certif.models import User
    from evaluations.statistiques.models import Export
    from evaluations.statistiques.services import export_run

    export = Export.objects.create(
        nature=Export.Nature.RESULTATS,
        parametres={},
        demande_par=User.objects.get(email=ADMIN_EMAIL),
    )
    start = time.perf_counter()
    export_run(export_id=export.pk)
    duree = time.perf_counter() - start
    export.refresh_from_db()
    taille = export.fichier.size
    export.fichier.delete(save=False)
    export.delete()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Export des résultats : {export.traites} lignes en {duree:.1f} s, "
        f"fichier {taille / 1e6:.1f} Mo, mémoire maximale du processus {peak:.0f} Mo "
        f"(statut {export.statut})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inscriptions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    if args.export_child:
        export_child()
        return

    from pg import ensure_database  # the benchmarks' folder, first on the path

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path, reverse

    from certif.models import User
    from evaluations.notation.models import Consolidation
    from evaluations.sessions.models import Inscription

    call_command("migrate", verbosity=0)
    existantes = Inscription.objects.filter(session__nom__startswith=PREFIXE).count()
    if args.refill or existantes != args.inscriptions:
        start = time.perf_counter()
        fill(args.inscriptions)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would, before measuring
        print(f"Remplissage : {time.perf_counter() - start:.1f} s")
    print(
        f"{Inscription.objects.count()} inscriptions, "
        f"{Consolidation.objects.count()} résultats consolidés"
    )

    from evaluations.statistiques.models import StatistiqueSession
    from evaluations.statistiques.selectors import Filtre, perimetre_statistiques
    from evaluations.statistiques.services import statistiques_refresh

    # Cold: the stored figures of every session aggregated again, as after a
    # deployment (afterwards only a session whose deliberations change is).
    StatistiqueSession.objects.all().delete()
    admin = User.objects.get(email=ADMIN_EMAIL)
    start = time.perf_counter()
    n = statistiques_refresh(
        perimetre=perimetre_statistiques(user=admin, filtre=Filtre())
    )
    print(
        f"Chiffres stockés recalculés pour {n} sessions : "
        f"{time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    one = perimetre_statistiques(user=admin, filtre=Filtre(annee=derniere_annee()))
    StatistiqueSession.objects.filter(session__nom__endswith="n° 1").filter(
        session__date_jury__year=derniere_annee()
    ).delete()
    n = statistiques_refresh(perimetre=one)
    print(
        f"… pour {n} session de {args.inscriptions // 20} inscriptions (après un "
        f"vote) : {time.perf_counter() - start:.2f} s"
    )

    urlpatterns.extend(
        [path("bench-bare/", bare_view), path("", include("certif.urls"))]
    )
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(User.objects.get(email=ADMIN_EMAIL))
        page = reverse("evaluations:statistiques")
        fin = derniere_annee()
        cases = [
            ("vue Django nue (référence)", "/bench-bare/"),
            (f"statistiques, année {fin}", f"{page}?annee={fin}"),
            ("statistiques, toutes années", page),
        ]
        print(f"{args.requests} requêtes par cas, temps serveur en ms (client de test)")
        print(f"{'cas':32} {'p50':>7} {'p95':>7} {'max':>7} {'requêtes SQL':>13}")
        for label, url in cases:
            times, queries = measure(client, url, args.requests)
            p95 = statistics.quantiles(times, n=20)[18]
            print(
                f"{label:32} {statistics.median(times):7.1f} {p95:7.1f} "
                f"{max(times):7.1f} {queries:13d}"
            )
    if not args.no_export:
        subprocess.run([sys.executable, __file__, "--export-child"], check=True)


if __name__ == "__main__":
    main()

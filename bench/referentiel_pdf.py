"""Time the référentiel PDF against a bare one-page WeasyPrint document.

    .venv/bin/python bench/referentiel_pdf.py [N]

Runs on a throw-away in-memory SQLite database (migrated, seed fixture loaded), so
it touches nothing. Prints the median of N renders (default 10) of the seed
référentiel (5 blocs, 18 competencies, 71 criteria) through certif.pdf, and in the
same run the median of N renders of a bare one-page document with WeasyPrint alone.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certif.settings.base")

import django

BARE = (
    "<!doctype html><html lang='fr'><body><h1>Titre</h1><p>Une page.</p></body></html>"
)


def median_ms(render, n: int) -> float:
    render()  # warm-up: imports, fonts, stylesheet
    times = []
    for _ in range(n):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from referentiel.documents import referentiel_pdf
    from referentiel.selectors import referentiel_tree
    from referentiel.services import referentiel_load

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    call_command("migrate", verbosity=0)
    data = json.loads((settings.BASE_DIR / "fixtures" / "referentiel.json").read_text())
    pk = referentiel_load(data=data, publish=True).referentiel.pk

    from weasyprint import HTML

    bare = median_ms(lambda: HTML(string=BARE).write_pdf(), n)
    full = median_ms(lambda: referentiel_pdf(referentiel_tree(pk=pk)), n)
    import io

    from pypdf import PdfReader

    content = referentiel_pdf(referentiel_tree(pk=pk)).content
    pages = len(PdfReader(io.BytesIO(content)).pages)
    print(f"N={n}")
    print(f"bare one-page WeasyPrint document : {bare:8.1f} ms (median)")
    print(f"référentiel PDF (query + render)  : {full:8.1f} ms (median)")
    print(f"ratio                             : {full / bare:8.1f} x")
    print(f"référentiel pages                 : {pages}")


if __name__ == "__main__":
    main()

"""The files of the statistics area, rendered without the database: each table as
CSV (``;``, UTF-8 with BOM, as French spreadsheets expect) or XLSX (openpyxl), the
background exports' workbooks (write-only mode: rows stream to a temporary file),
and the yearly report as PDF.

Formula injection is neutralised in one place, ``cellule_csv`` and ``_cellule_xlsx``:
a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is never
read as a formula by a spreadsheet."""

import contextlib
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from certif.pdf import RenderedFile, html_to_pdf

DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell of an export: text, number, date, or nothing.
Cellule = str | int | float | date | datetime | None


def est_dangereux(texte: str) -> bool:
    """A text that a spreadsheet would read as a formula (or as the start of one)."""
    return texte.startswith(DEBUTS_DANGEREUX)


def cellule_csv(valeur: Cellule | Promise) -> str:
    """A value as a CSV cell: a dangerous text gets a leading apostrophe (the
    spreadsheet shows it as text), a decimal number a comma, a date dd/mm/yyyy."""
    if valeur is None:
        return ""
    if isinstance(valeur, Promise):  # a translated label
        valeur = str(valeur)
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, float):
        return f"{valeur:.1f}".replace(".", ",")
    if isinstance(valeur, datetime):
        return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, int):
        return str(valeur)
    return f"'{valeur}" if est_dangereux(valeur) else valeur


def csv_file(
    filename: str,
    colonnes: Sequence[str | Promise],
    lignes: Iterable[Sequence[Cellule]],
) -> RenderedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cellule_csv(str(c)) for c in colonnes])
    for ligne in lignes:
        writer.writerow([cellule_csv(c) for c in ligne])
    # The BOM tells a French spreadsheet that the file is UTF-8 (accents).
    return RenderedFile(filename, CSV_TYPE, buffer.getvalue().encode("utf-8-sig"))


def _cellule_xlsx(feuille: WriteOnlyWorksheet, valeur: Cellule | Promise) -> Cell:
    if isinstance(valeur, Promise):  # a translated label
        valeur = str(valeur)
    if isinstance(valeur, datetime):
        # A spreadsheet has no time zones: Paris time, as on the page.
        valeur = timezone.localtime(valeur).replace(tzinfo=None)
    # An empty text is an empty cell, as a spreadsheet reads it back.
    contenu: Any = None if valeur == "" else valeur
    cellule = WriteOnlyCell(feuille, value=contenu)
    if isinstance(valeur, str) and valeur:
        # Always a text: openpyxl would store « =… » as a formula.
        cellule.data_type = "s"
    if isinstance(valeur, datetime):
        cellule.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(valeur, date):
        cellule.number_format = "DD/MM/YYYY"
    return cellule


class Classeur:
    """An XLSX workbook written row by row (openpyxl write-only mode): memory stays
    flat whatever the number of rows. ``save`` writes it to ``path``."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)
        self._feuille: WriteOnlyWorksheet | None = None

    def feuille(self, titre: str, colonnes: Sequence[str | Promise]) -> None:
        # A sheet's name: at most 31 characters, none of []:*?/\ .
        nom = "".join(c for c in titre if c not in "[]:*?/\\")[:31]
        self._feuille = self._workbook.create_sheet(title=nom)
        entete = []
        for titre_colonne in colonnes:
            cellule = _cellule_xlsx(self._feuille, str(titre_colonne))
            cellule.font = Font(bold=True)
            entete.append(cellule)
        self._feuille.append(entete)

    def ligne(self, valeurs: Sequence[Cellule]) -> None:
        feuille = self._feuille
        assert feuille is not None  # noqa: S101 - a sheet is opened first
        # A plain value is written as it is (fast); nothing for an empty cell; a
        # cell object only where it changes something: a date's format, a text
        # openpyxl would take for a formula, a translated label (openpyxl takes a
        # cell object through a raised and caught error: three times the cost).
        feuille.append(
            [
                v
                if (isinstance(v, int | float) and not isinstance(v, bool))
                or (isinstance(v, str) and v and v[0] != "=")
                else None
                if v is None or v == ""
                else _cellule_xlsx(feuille, v)
                for v in valeurs
            ]
        )

    def save(self, path: Path | io.BytesIO) -> None:
        self._workbook.save(path)

    def discard(self) -> None:
        """Close the sheets' streams after a failure (nothing is kept)."""
        with contextlib.suppress(Exception):
            self._workbook.save(io.BytesIO())


def xlsx_file(
    filename: str,
    feuilles: Iterable[
        tuple[str, Sequence[str | Promise], Iterable[Sequence[Cellule]]]
    ],
) -> RenderedFile:
    """A small workbook in memory: one sheet per (title, columns, rows)."""
    classeur = Classeur()
    for titre, colonnes, lignes in feuilles:
        classeur.feuille(titre, colonnes)
        for ligne in lignes:
            classeur.ligne(ligne)
    buffer = io.BytesIO()
    classeur.save(buffer)
    return RenderedFile(filename, XLSX_TYPE, buffer.getvalue())


@dataclass(frozen=True)
class TableauRapport:
    """One table of the yearly report: a figure per line, a year per column."""

    titre: str
    definition: str
    colonnes: tuple[str, ...]
    lignes: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Rapport:
    """The yearly report's frozen content (no database access when rendering)."""

    certification: str
    intitule: str
    certificateur: str
    annees: tuple[int, ...]
    perimetre: str
    produit_le: datetime
    tableaux: tuple[TableauRapport, ...]


def rapport_pdf(rapport: Rapport) -> RenderedFile:
    html = render_to_string("evaluations/pdf/rapport_annuel.html", {"rapport": rapport})
    return RenderedFile(
        f"rapport-{rapport.certification}-{rapport.annees[0]}-{rapport.annees[-1]}.pdf",
        "application/pdf",
        html_to_pdf(html),
    )

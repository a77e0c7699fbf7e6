"""The CSV import of candidates: parse and validate every line first
(nothing written), then import the file in one transaction, all or nothing or the
valid lines only."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.sessions.models import (
    Candidat,
    Inscription,
    Session,
    VoieAcces,
)
from evaluations.sessions.services import (
    IdentiteData,
    candidat_enrol,
    identite_errors,
    identite_key,
    normalise_nom,
)

if TYPE_CHECKING:
    import _csv

# The CSV columns, in the order of the example file. Documented in README.md
# ("Import CSV") and on the import page.
CSV_COLUMNS = (
    "email",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "date_naissance",
    "sexe",
    "commune_naissance",
    "code_insee_naissance",
    "pays_naissance",
    "voie_acces",
    "parcours",
    "blocs",
)


CSV_MAX_BYTES = 2 * 1024 * 1024


CSV_MAX_LINES = 5000


@dataclass
class LigneImport:
    """One data line of the file, with what it parsed to and its errors as
    (column, message) pairs."""

    numero: int
    valeurs: dict[str, str]
    identite: IdentiteData | None = None
    voie_acces: str = ""
    parcours: str = Inscription.Parcours.COMPLET
    blocs: list[str] = field(default_factory=list)
    erreurs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def valide(self) -> bool:
        return not self.erreurs

    @property
    def nom(self) -> str:
        return f"{self.valeurs.get('nom_naissance', '')} {self.valeurs.get('prenoms', '')}".strip()


@dataclass
class ApercuImport:
    lignes: list[LigneImport] = field(default_factory=list)
    erreurs_fichier: list[str] = field(default_factory=list)
    separateur: str = ";"
    encodage: str = "utf-8"

    @property
    def valides(self) -> list[LigneImport]:
        return [ligne for ligne in self.lignes if ligne.valide]

    @property
    def invalides(self) -> list[LigneImport]:
        return [ligne for ligne in self.lignes if not ligne.valide]

    @property
    def importable(self) -> bool:
        return not self.erreurs_fichier and bool(self.lignes) and not self.invalides


def csv_decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM), else Windows-1252
    as spreadsheets on Windows write it."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "cp1252"


def _voies() -> dict[str, str]:
    voies: dict[str, str] = {}
    for voie in VoieAcces:
        voies[normalise_nom(voie.value.replace("_", " "))] = voie.value
        voies[normalise_nom(str(voie.label))] = voie.value
    return voies


def _parse_date(value: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def _split(value: str) -> list[str]:
    """Split a list cell on commas when there are any, otherwise on spaces."""
    separator = "," if "," in value else None
    return [part.strip() for part in value.split(separator) if part.strip()]


def _parse_line(
    ligne: LigneImport, *, voies: dict[str, str], codes_blocs: set[str]
) -> None:
    v = ligne.valeurs
    errors = ligne.erreurs
    prenoms = _split(v.get("prenoms", ""))
    if not prenoms:
        errors.append(("prenoms", _("Indiquez au moins un prénom.")))
    elif len(prenoms) > 3:
        errors.append(("prenoms", _("Trois prénoms au plus.")))
    naissance = _parse_date(v.get("date_naissance", ""))
    if naissance is None:
        errors.append(
            (
                "date_naissance",
                _(
                    "Date de naissance invalide : écrivez JJ/MM/AAAA, par exemple 14/03/1995."
                ),
            )
        )
    elif naissance >= timezone.localdate():
        errors.append(
            ("date_naissance", _("La date de naissance doit être dans le passé."))
        )
    sexe = v.get("sexe", "").upper()
    if sexe not in {"M", "F"}:
        errors.append(("sexe", _("Le sexe à l'état civil s'écrit M ou F.")))
    voie = voies.get(normalise_nom(v.get("voie_acces", "").replace("_", " ")))
    if voie is None:
        errors.append(
            (
                "voie_acces",
                _("Voie d'accès inconnue : utilisez un des codes de la liste."),
            )
        )
    else:
        ligne.voie_acces = voie
    parcours = v.get("parcours", "").lower() or Inscription.Parcours.COMPLET
    blocs = [code.upper() for code in _split(v.get("blocs", ""))]
    if parcours not in Inscription.Parcours.values:
        errors.append(("parcours", _("Le parcours s'écrit « complet » ou « blocs ».")))
    elif parcours == Inscription.Parcours.COMPLET and blocs:
        errors.append(
            (
                "blocs",
                _(
                    "Laissez « blocs » vide pour une inscription à la certification complète."
                ),
            )
        )
    elif parcours == Inscription.Parcours.BLOCS and not blocs:
        errors.append(("blocs", _("Indiquez les codes des blocs, par exemple A1 A2.")))
    ligne.parcours = parcours
    inconnus = [code for code in blocs if code not in codes_blocs]
    if inconnus:
        errors.append(
            (
                "blocs",
                _("Bloc(s) inconnu(s) dans ce référentiel : %(codes)s.")
                % {"codes": ", ".join(inconnus)},
            )
        )
    ligne.blocs = blocs
    if naissance is None or not prenoms or len(prenoms) > 3 or sexe not in {"M", "F"}:
        identity_ok = False
    else:
        identity_ok = True
    identite = IdentiteData(
        email=v.get("email", "").lower(),
        nom_naissance=v.get("nom_naissance", ""),
        nom_usage=v.get("nom_usage", ""),
        prenom1=prenoms[0] if prenoms else "",
        prenom2=prenoms[1] if len(prenoms) > 1 else "",
        prenom3=prenoms[2] if len(prenoms) > 2 else "",
        date_naissance=naissance or date(1900, 1, 1),
        sexe=sexe,
        commune_naissance=v.get("commune_naissance", ""),
        code_insee_naissance=v.get("code_insee_naissance", ""),
        pays_naissance=v.get("pays_naissance", ""),
    )
    mapping = {
        "prenom1": "prenoms",
        "prenom2": "prenoms",
        "prenom3": "prenoms",
        "nom_usage": "nom_usage",
    }
    seen = {name for name, _message in errors}
    for name, messages in identite_errors(identite).items():
        column = mapping.get(name, name)
        if column in seen and column in {"prenoms", "date_naissance", "sexe"}:
            continue
        for message in messages:
            errors.append((column, message))
    if identity_ok:
        ligne.identite = identite


def csv_parse(*, texte: str, session: Session) -> ApercuImport:
    """Validate every line of the file against the rules and against the existing
    candidates; nothing is written."""
    apercu = ApercuImport()
    if "\x00" in texte:
        # PostgreSQL refuses a NUL character in a text column: refused here, the
        # preview and the confirmation both parse the file through this function.
        apercu.erreurs_fichier.append(
            _(
                "Le fichier contient un caractère nul : ce n'est pas un fichier CSV "
                "exporté d'un tableur."
            )
        )
        return apercu
    lines = texte.splitlines()
    header = next((line for line in lines if line.strip()), "")
    apercu.separateur = ";" if header.count(";") >= header.count(",") else ","
    # newline="": a bare \r (old Mac line ending, or typed in a cell) is a line
    # break for the csv module instead of an error (csv.Error, a 500).
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=apercu.separateur)
    try:
        return _parse_rows(apercu, reader, session=session)
    except csv.Error:
        # A cell longer than the csv module's field limit (131,072 characters).
        apercu.lignes.clear()
        apercu.erreurs_fichier.append(
            _(
                "Une cellule du fichier dépasse %(n)d caractères : ce n'est pas une "
                "liste de candidats."
            )
            % {"n": csv.field_size_limit()}
        )
        return apercu


def _parse_rows(
    apercu: ApercuImport, reader: "_csv.Reader", *, session: Session
) -> ApercuImport:
    columns: list[str] = []
    for row in reader:
        if any(cell.strip() for cell in row):
            columns = [cell.strip().lstrip("\ufeff").lower() for cell in row]
            break
    if not columns:
        apercu.erreurs_fichier.append(_("Le fichier est vide."))
        return apercu
    missing = [name for name in CSV_COLUMNS if name not in columns]
    unknown = [name for name in columns if name and name not in CSV_COLUMNS]
    if missing:
        apercu.erreurs_fichier.append(
            _("Colonne(s) manquante(s) : %(noms)s.") % {"noms": ", ".join(missing)}
        )
    if unknown:
        apercu.erreurs_fichier.append(
            _("Colonne(s) inconnue(s) : %(noms)s.") % {"noms": ", ".join(unknown)}
        )
    if apercu.erreurs_fichier:
        return apercu
    voies = _voies()
    codes_blocs = set(session.referentiel.blocs.values_list("code", flat=True))
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(apercu.lignes) >= CSV_MAX_LINES:
            apercu.erreurs_fichier.append(
                _("Le fichier dépasse %(n)d lignes : découpez-le.")
                % {"n": CSV_MAX_LINES}
            )
            return apercu
        ligne = LigneImport(
            numero=reader.line_num,
            valeurs={
                name: (row[index].strip() if index < len(row) else "")
                for index, name in enumerate(columns)
            },
        )
        if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
            ligne.erreurs.append(("", _("La ligne a plus de colonnes que l'en-tête.")))
        _parse_line(ligne, voies=voies, codes_blocs=codes_blocs)
        apercu.lignes.append(ligne)
    if not apercu.lignes:
        apercu.erreurs_fichier.append(
            _("Le fichier ne contient aucune ligne de données.")
        )
    _mark_duplicates(apercu.lignes)
    return apercu


def _mark_duplicates(lignes: list[LigneImport]) -> None:
    """Duplicates within the file (every line of a group is marked) and against
    existing accounts and candidates. Two queries whatever the file's size."""
    par_email: dict[str, list[LigneImport]] = {}
    par_identite: dict[tuple[str, str, date], list[LigneImport]] = {}
    for ligne in lignes:
        email = ligne.valeurs.get("email", "").lower()
        if email:
            par_email.setdefault(email, []).append(ligne)
        if ligne.identite is not None:
            key = identite_key(
                nom_naissance=ligne.identite.nom_naissance,
                prenom1=ligne.identite.prenom1,
                date_naissance=ligne.identite.date_naissance,
            )
            par_identite.setdefault(key, []).append(ligne)
    for groupe in par_email.values():
        for ligne in groupe:
            autres = [str(o.numero) for o in groupe if o is not ligne]
            if autres:
                ligne.erreurs.append(
                    (
                        "email",
                        _("Doublon : même adresse e-mail qu'à la ligne %(lignes)s.")
                        % {"lignes": ", ".join(autres)},
                    )
                )
    for groupe in par_identite.values():
        for ligne in groupe:
            autres = [str(o.numero) for o in groupe if o is not ligne]
            if autres:
                ligne.erreurs.append(
                    (
                        "nom_naissance",
                        _(
                            "Doublon : même nom de naissance, prénom et date de "
                            "naissance qu'à la ligne %(lignes)s."
                        )
                        % {"lignes": ", ".join(autres)},
                    )
                )
    existing_emails = set(
        User.objects.filter(email__in=list(par_email)).values_list("email", flat=True)
    )
    for email in existing_emails:
        for ligne in par_email.get(email, []):
            ligne.erreurs.append(
                (
                    "email",
                    _("Doublon : un compte existe déjà avec cette adresse e-mail."),
                )
            )
    dates = {key[2] for key in par_identite}
    for existing in Candidat.objects.filter(date_naissance__in=dates).select_related(
        "user"
    ):
        key = identite_key(
            nom_naissance=existing.nom_naissance,
            prenom1=existing.prenom1,
            date_naissance=existing.date_naissance,
        )
        for ligne in par_identite.get(key, []):
            ligne.erreurs.append(
                (
                    "nom_naissance",
                    _(
                        "Doublon : un candidat de même nom de naissance, prénom et "
                        "date de naissance existe déjà (%(email)s)."
                    )
                    % {"email": existing.user.email},
                )
            )


@dataclass(frozen=True)
class ImportResult:
    inscriptions: list[Inscription]
    ignorees: int


@transaction.atomic
def csv_import(
    *, session: Session, texte: str, seulement_valides: bool, by: User
) -> ImportResult:
    """Re-validate the file and import it: every line, or, when
    ``seulement_valides``, the valid lines only. Each new candidate gets an account
    and an invitation e-mail (sent after commit)."""
    session = Session.objects.select_related("referentiel").get(pk=session.pk)
    if not session.inscriptions_ouvertes:
        raise ValidationError(
            _(
                "Les inscriptions sont fermées : la session est au statut "
                "« %(statut)s »."
            )
            % {"statut": session.get_statut_display()}
        )
    apercu = csv_parse(texte=texte, session=session)
    if apercu.erreurs_fichier:
        raise ValidationError(apercu.erreurs_fichier)
    if apercu.invalides and not seulement_valides:
        raise ValidationError(
            _(
                "Le fichier contient des lignes invalides : rien n'a été importé. "
                "Corrigez-les, ou choisissez d'importer seulement les lignes valides."
            )
        )
    if not apercu.valides:
        raise ValidationError(_("Aucune ligne valide à importer."))
    blocs = {bloc.code: bloc for bloc in session.referentiel.blocs.all()}
    inscriptions = []
    for ligne in apercu.valides:
        assert ligne.identite is not None  # noqa: S101 - a valid line has one
        inscriptions.append(
            candidat_enrol(
                identite=ligne.identite,
                session=session,
                voie_acces=ligne.voie_acces,
                parcours=ligne.parcours,
                blocs=[blocs[code] for code in ligne.blocs],
                by=by,
            )
        )
    return ImportResult(inscriptions=inscriptions, ignorees=len(apercu.invalides))


def csv_example() -> str:
    """The example file offered on the import page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        [
            "marie.dupont@example.org",
            "DUPONT",
            "MARTIN",
            "Marie Anne",
            "14/03/1995",
            "F",
            "Paris",
            "75056",
            "",
            "formation_continue",
            "complet",
            "",
        ]
    )
    writer.writerow(
        [
            "jean.rossi@example.org",
            "ROSSI",
            "",
            "Jean",
            "02/11/1988",
            "M",
            "Turin",
            "",
            "99127",
            "vae",
            "blocs",
            "A1 A2",
        ]
    )
    return buffer.getvalue()

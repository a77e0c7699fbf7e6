"""The CSV import of candidates: parse and validate every line first
(nothing written), by batches with one duplicate query per batch, then import the
file in one transaction, all or nothing or the valid lines only. Both run in
background tasks (``evaluations/sessions/tasks.py``) driven by an
``ImportCandidats`` row (``import_check_run``, ``import_confirm``,
``import_run``), so that a file of 50,000 lines never meets a request timeout."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, DateField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from certif.audit import new_accounts_role_grant
from certif.models import User
from certif.roles import Role
from evaluations.sessions.models import (
    Candidat,
    ImportCandidats,
    Inscription,
    Session,
    VoieAcces,
)
from evaluations.sessions.services import (
    IdentiteData,
    blocs_evalues,
    candidat_from_identite,
    identite_errors,
    identite_key,
    normalise_nom,
)

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


CSV_MAX_BYTES = 10 * 1024 * 1024


CSV_MAX_LINES = 50_000


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
                ngettext(
                    "Bloc inconnu dans ce référentiel : %(codes)s.",
                    "Blocs inconnus dans ce référentiel : %(codes)s.",
                    len(inconnus),
                )
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


# Lines checked between two progress reports, and per duplicate query.
CSV_BATCH = 500


def _rows(texte: str, apercu: ApercuImport) -> tuple[list[str], Iterator[list[str]]]:
    """The header's columns and the reader positioned on the first data row; file
    errors (empty file, missing or unknown columns) go to ``apercu``."""
    lines = texte.splitlines()
    header = next((line for line in lines if line.strip()), "")
    apercu.separateur = ";" if header.count(";") >= header.count(",") else ","
    # newline="": a bare \r (old Mac line ending, or typed in a cell) is a line
    # break for the csv module instead of an error (csv.Error, a 500).
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=apercu.separateur)
    columns: list[str] = []
    for row in reader:
        if any(cell.strip() for cell in row):
            columns = [cell.strip().lstrip("\ufeff").lower() for cell in row]
            break
    if not columns:
        apercu.erreurs_fichier.append(_("Le fichier est vide."))
        return columns, reader
    missing = [name for name in CSV_COLUMNS if name not in columns]
    unknown = [name for name in columns if name and name not in CSV_COLUMNS]
    if missing:
        apercu.erreurs_fichier.append(
            ngettext(
                "Colonne manquante : %(noms)s.",
                "Colonnes manquantes : %(noms)s.",
                len(missing),
            )
            % {"noms": ", ".join(missing)}
        )
    if unknown:
        apercu.erreurs_fichier.append(
            ngettext(
                "Colonne inconnue : %(noms)s.",
                "Colonnes inconnues : %(noms)s.",
                len(unknown),
            )
            % {"noms": ", ".join(unknown)}
        )
    return columns, reader


def _lines(
    reader: Iterator[list[str]], columns: list[str], apercu: ApercuImport
) -> Iterator[LigneImport]:
    """The data lines, read as they come (not parsed yet); too many lines is a
    file error."""
    count = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if count >= CSV_MAX_LINES:
            apercu.erreurs_fichier.append(
                _("Le fichier dépasse %(n)d lignes : découpez-le.")
                % {"n": CSV_MAX_LINES}
            )
            return
        count += 1
        ligne = LigneImport(
            # The csv module's line number: a quoted cell may span lines.
            numero=getattr(reader, "line_num", count + 1),
            valeurs={
                name: (row[index].strip() if index < len(row) else "")
                for index, name in enumerate(columns)
            },
        )
        if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
            ligne.erreurs.append(("", _("La ligne a plus de colonnes que l'en-tête.")))
        yield ligne


def csv_count_lines(texte: str) -> int:
    """The number of data lines, for the progress bar (no check; 0 for a file
    the check will refuse whole)."""
    apercu = ApercuImport()
    try:
        columns, reader = _rows(texte, apercu)
        if apercu.erreurs_fichier:
            return 0
        return sum(1 for _ligne in _lines(reader, columns, apercu))
    except csv.Error:
        return 0


ProgressCallback = Callable[[ApercuImport, list[LigneImport]], None]


def csv_parse(
    *,
    texte: str,
    session: Session,
    on_batch: ProgressCallback | None = None,
) -> ApercuImport:
    """Validate every line of the file against the rules and against the existing
    accounts and candidates; nothing is written. Lines are checked by batches of
    ``CSV_BATCH`` with one duplicate query per batch; after each batch
    ``on_batch(apercu, batch)`` reports the progress (the background check saves
    it for the page). Duplicates within the file are marked at the end."""
    apercu = ApercuImport()
    if "\x00" in texte:
        # PostgreSQL refuses a NUL character in a text column: refused here, the
        # check and the import both parse the file through this function.
        apercu.erreurs_fichier.append(_nul_message())
        return apercu
    try:
        return _parse_all(apercu, texte, session=session, on_batch=on_batch)
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


def _nul_message() -> str:
    return _(
        "Le fichier contient un caractère nul : ce n'est pas un fichier CSV "
        "exporté d'un tableur."
    )


def _parse_all(
    apercu: ApercuImport,
    texte: str,
    *,
    session: Session,
    on_batch: ProgressCallback | None,
) -> ApercuImport:
    columns, reader = _rows(texte, apercu)
    if apercu.erreurs_fichier:
        return apercu
    voies = _voies()
    codes_blocs = set(session.referentiel.blocs.values_list("code", flat=True))
    batch: list[LigneImport] = []

    def flush() -> None:
        _mark_existing(batch)
        apercu.lignes.extend(batch)
        if on_batch is not None:
            on_batch(apercu, batch)
        batch.clear()

    for ligne in _lines(reader, columns, apercu):
        _parse_line(ligne, voies=voies, codes_blocs=codes_blocs)
        batch.append(ligne)
        if len(batch) >= CSV_BATCH:
            flush()
    if apercu.erreurs_fichier:
        apercu.lignes = []
        return apercu
    if batch:
        flush()
    if not apercu.lignes:
        apercu.erreurs_fichier.append(
            _("Le fichier ne contient aucune ligne de données.")
        )
    _mark_in_file(apercu.lignes)
    return apercu


def _identite_key_of(ligne: LigneImport) -> tuple[str, str, date] | None:
    if ligne.identite is None:
        return None
    return identite_key(
        nom_naissance=ligne.identite.nom_naissance,
        prenom1=ligne.identite.prenom1,
        date_naissance=ligne.identite.date_naissance,
    )


def _mark_in_file(lignes: list[LigneImport]) -> None:
    """Duplicates within the file: every line of a group is marked."""
    par_email: dict[str, list[LigneImport]] = {}
    par_identite: dict[tuple[str, str, date], list[LigneImport]] = {}
    for ligne in lignes:
        email = ligne.valeurs.get("email", "").lower()
        if email:
            par_email.setdefault(email, []).append(ligne)
        key = _identite_key_of(ligne)
        if key is not None:
            par_identite.setdefault(key, []).append(ligne)
    for groupe in par_email.values():
        if len(groupe) < 2:
            continue
        for ligne in groupe:
            autres = [str(o.numero) for o in groupe if o is not ligne]
            ligne.erreurs.append(
                (
                    "email",
                    _("Doublon : même adresse e-mail qu'à la ligne %(lignes)s.")
                    % {"lignes": ", ".join(autres)},
                )
            )
    for groupe in par_identite.values():
        if len(groupe) < 2:
            continue
        for ligne in groupe:
            autres = [str(o.numero) for o in groupe if o is not ligne]
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


def _mark_existing(lignes: list[LigneImport]) -> None:
    """Duplicates of existing accounts (same e-mail) and candidates (same
    identity): one query for the batch, whatever its size."""
    emails = {e for e in (lg.valeurs.get("email", "").lower() for lg in lignes) if e}
    par_identite: dict[tuple[str, str, date], list[LigneImport]] = {}
    for ligne in lignes:
        key = _identite_key_of(ligne)
        if key is not None:
            par_identite.setdefault(key, []).append(ligne)
    dates = {key[2] for key in par_identite}
    if not emails and not dates:
        return
    comptes = (
        User.objects.filter(email__in=emails)
        .order_by()
        .values_list(
            Value("compte"),
            "email",
            Value("", output_field=CharField()),
            Value("", output_field=CharField()),
            Value(None, output_field=DateField()),
        )
    )
    candidats = (
        Candidat.objects.filter(date_naissance__in=dates)
        .order_by()
        .values_list(
            Value("candidat"),
            "user__email",
            "nom_naissance",
            "prenom1",
            "date_naissance",
        )
    )
    existing_emails: set[str] = set()
    homonymes: dict[tuple[str, str, date], str] = {}
    for kind, email, nom, prenom, naissance in comptes.union(candidats, all=True):
        if kind == "compte":
            existing_emails.add(email)
        else:
            key = identite_key(
                nom_naissance=nom, prenom1=prenom, date_naissance=naissance
            )
            homonymes.setdefault(key, email)
    for ligne in lignes:
        if ligne.valeurs.get("email", "").lower() in existing_emails:
            ligne.erreurs.append(
                (
                    "email",
                    _("Doublon : un compte existe déjà avec cette adresse e-mail."),
                )
            )
    for key, groupe in par_identite.items():
        if key in homonymes:
            for ligne in groupe:
                ligne.erreurs.append(
                    (
                        "nom_naissance",
                        _(
                            "Doublon : un candidat de même nom de naissance, prénom "
                            "et date de naissance existe déjà (%(email)s)."
                        )
                        % {"email": homonymes[key]},
                    )
                )


def _blocs_history(liens: list[Any]) -> None:
    """The history of the enrolments' blocs, as ``blocs.set()`` would record it
    (one row per bloc, attached to the enrolment's creation record)."""
    historique = Inscription.history.model
    m2m = historique._meta.get_field("historicalinscription_blocs").related_model
    creations = dict(
        historique.objects.filter(
            id__in={lien.inscription_id for lien in liens}, history_type="+"
        ).values_list("id", "history_id")
    )
    m2m.objects.bulk_create(
        [
            m2m(
                id=lien.pk,
                inscription_id=lien.inscription_id,
                bloc_id=lien.bloc_id,
                history_id=creations[lien.inscription_id],
            )
            for lien in liens
        ],
        batch_size=1000,
    )


def _new_candidate_account(identite: IdentiteData) -> User:
    """The account ``user_ensure`` would create for a new candidate."""
    user = User(
        email=identite.email.strip().lower(),
        first_name=identite.prenom1.strip(),
        last_name=(identite.nom_usage or identite.nom_naissance).strip(),
    )
    user.set_unusable_password()
    return user


@dataclass(frozen=True)
class ImportResult:
    inscriptions: list[Inscription]
    ignorees: int

    @property
    def candidat_ids(self) -> list[int]:
        return [inscription.candidat_id for inscription in self.inscriptions]


@transaction.atomic
def csv_import(
    *, session: Session, texte: str, seulement_valides: bool, by: User
) -> ImportResult:
    """Re-validate the file and import it in one transaction: every line, or, when
    ``seulement_valides``, the valid lines only; nothing when it fails. Each new
    candidate gets an account (role Candidat, no usable password), an identity
    and an enrolment, written in bulk with their history rows. The invitations
    are the caller's (``invitations_send``, after commit)."""
    # The session's row lock: the status read after it holds until commit.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("referentiel")
        .get(pk=session.pk)
    )
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
    valides = apercu.valides
    if not valides:
        raise ValidationError(_("Aucune ligne valide à importer."))
    identites = []
    for ligne in valides:
        assert ligne.identite is not None  # noqa: S101 - a valid line has one
        identites.append(ligne.identite)
    referentiel_blocs = list(session.referentiel.blocs.order_by("ordre", "code"))
    par_code = {bloc.code: bloc for bloc in referentiel_blocs}
    users = User.objects.bulk_create(
        [_new_candidate_account(identite) for identite in identites],
        batch_size=1000,
    )
    new_accounts_role_grant(
        users=users, group=Group.objects.get(name=Role.CANDIDAT.value), by=by
    )
    candidats = []
    for identite, user in zip(identites, users, strict=True):
        candidat = candidat_from_identite(identite)
        candidat.user = user
        candidats.append(candidat)
    candidats = bulk_create_with_history(
        candidats, Candidat, batch_size=1000, default_user=by
    )
    inscriptions = [
        Inscription(
            candidat=candidat,
            session=session,
            voie_acces=ligne.voie_acces,
            parcours=ligne.parcours,
            **Inscription.tri_of(candidat),
        )
        for ligne, candidat in zip(valides, candidats, strict=True)
    ]
    inscriptions = bulk_create_with_history(
        inscriptions, Inscription, batch_size=1000, default_user=by
    )
    through = Inscription.blocs.through
    liens = []
    for ligne, inscription in zip(valides, inscriptions, strict=True):
        # A new person has acquired no bloc yet: nothing is left out.
        for bloc in blocs_evalues(
            parcours=ligne.parcours,
            choisis=[par_code[code] for code in ligne.blocs],
            referentiel_blocs=referentiel_blocs,
            acquis={},
        ):
            liens.append(through(inscription_id=inscription.pk, bloc_id=bloc.pk))
    liens = through.objects.bulk_create(liens, batch_size=1000)
    _blocs_history(liens)
    return ImportResult(inscriptions=inscriptions, ignorees=len(apercu.invalides))


# The background import, driven by an ImportCandidats row. The tasks
# (evaluations/sessions/tasks.py) call import_check_run and import_run; both are
# safe to run again: each starts by claiming its state.


def import_deposer(
    *, session: Session, texte: str, encodage: str, nom_fichier: str, by: User
) -> ImportCandidats:
    """Keep an uploaded file for its background check; nothing else is written."""
    if "\x00" in texte:
        raise ValidationError(_nul_message())
    fichier = ImportCandidats(
        session=session,
        lance_par=by,
        nom_fichier=nom_fichier[:255],
        encodage=encodage,
        texte=texte,
        total=csv_count_lines(texte),
    )
    fichier.full_clean(exclude=["session", "lance_par"])
    fichier.save()
    return fichier


def _erreurs_affichables(lignes: list[LigneImport], deja: int) -> list[list[int | str]]:
    place = ImportCandidats.ERREURS_AFFICHEES - deja
    rows: list[list[int | str]] = []
    for ligne in lignes:
        if place <= 0:
            break
        if ligne.erreurs:
            place -= 1
            rows.extend(
                [ligne.numero, ligne.nom, champ, message]
                for champ, message in ligne.erreurs
            )
    return rows


def import_check_run(*, import_id: int) -> ImportCandidats | None:
    """Check the file of an import awaiting its check, saving the progress and
    the first errors after each batch so that the page shows them at once. Does
    nothing for an import in any other state (a second run)."""
    fichier = (
        ImportCandidats.objects.select_related("session__referentiel")
        .filter(pk=import_id, statut=ImportCandidats.Statut.VERIFICATION)
        .first()
    )
    if fichier is None:
        return None
    erreurs: list[list[int | str]] = []
    lignes_en_erreur = 0

    def progress(apercu: ApercuImport, batch: list[LigneImport]) -> None:
        nonlocal lignes_en_erreur
        nouvelles = _erreurs_affichables(batch, lignes_en_erreur)
        lignes_en_erreur += len({row[0] for row in nouvelles})
        erreurs.extend(nouvelles)
        ImportCandidats.objects.filter(
            pk=import_id, statut=ImportCandidats.Statut.VERIFICATION
        ).update(
            verifiees=len(apercu.lignes),
            invalides=sum(1 for ligne in apercu.lignes if ligne.erreurs),
            erreurs=erreurs,
            modifie_le=timezone.now(),
        )

    apercu = csv_parse(texte=fichier.texte, session=fichier.session, on_batch=progress)
    # The final word: duplicates within the file are known only now.
    final = _erreurs_affichables(apercu.lignes, 0)
    ImportCandidats.objects.filter(
        pk=import_id, statut=ImportCandidats.Statut.VERIFICATION
    ).update(
        statut=ImportCandidats.Statut.VERIFIE,
        separateur=apercu.separateur,
        total=len(apercu.lignes),
        verifiees=len(apercu.lignes),
        invalides=len(apercu.invalides),
        erreurs_fichier=apercu.erreurs_fichier,
        erreurs=final,
        modifie_le=timezone.now(),
    )
    return ImportCandidats.objects.get(pk=import_id)


@transaction.atomic
def import_confirm(
    *, fichier: ImportCandidats, seulement_valides: bool, by: User
) -> bool:
    """Ask for the import of a checked file. The row is locked and its state read
    after the lock: only a checked file is confirmed, once; a second click (or a
    click on another tab) changes nothing and returns False."""
    fichier = ImportCandidats.objects.select_for_update().get(pk=fichier.pk)
    if fichier.statut != ImportCandidats.Statut.VERIFIE:
        return False
    if not fichier.importable:
        raise ValidationError(_("Aucune ligne valide à importer."))
    if fichier.invalides and not seulement_valides:
        raise ValidationError(
            _(
                "Le fichier contient des lignes invalides : rien n'a été importé. "
                "Corrigez-les, ou choisissez d'importer seulement les lignes valides."
            )
        )
    fichier.statut = ImportCandidats.Statut.IMPORT_DEMANDE
    fichier.seulement_valides = seulement_valides
    fichier.save(update_fields=["statut", "seulement_valides", "modifie_le"])
    return True


def import_run(*, import_id: int) -> ImportResult | None:
    """Import a confirmed file, all or nothing, in one transaction that also
    records ``IMPORTE``: a worker that dies mid-way leaves nothing and the import
    still « demandé », so that running it again imports it once. Does nothing for
    an import in any other state. A refusal (a line became a duplicate since the
    check, the session closed) is recorded with its reason."""
    claimed = ImportCandidats.objects.filter(
        pk=import_id,
        statut__in=[
            ImportCandidats.Statut.IMPORT_DEMANDE,
            ImportCandidats.Statut.IMPORT,
        ],
    ).update(statut=ImportCandidats.Statut.IMPORT, modifie_le=timezone.now())
    if not claimed:
        return None
    try:
        with transaction.atomic():
            fichier = (
                ImportCandidats.objects.select_for_update()
                .select_related("session", "lance_par")
                .get(pk=import_id)
            )
            if fichier.statut != ImportCandidats.Statut.IMPORT:
                return None
            result = csv_import(
                session=fichier.session,
                texte=fichier.texte,
                seulement_valides=fichier.seulement_valides,
                by=fichier.lance_par,
            )
            fichier.statut = ImportCandidats.Statut.IMPORTE
            fichier.importees = len(result.inscriptions)
            fichier.termine_le = timezone.now()
            fichier.save(
                update_fields=["statut", "importees", "termine_le", "modifie_le"]
            )
    except (ValidationError, IntegrityError) as exc:
        message = (
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else _(
                "Un compte ou un candidat du fichier a été créé entre-temps : "
                "rien n'a été importé ; déposez le fichier à nouveau."
            )
        )
        ImportCandidats.objects.filter(
            pk=import_id, statut=ImportCandidats.Statut.IMPORT
        ).update(
            statut=ImportCandidats.Statut.ECHOUE,
            message=message,
            termine_le=timezone.now(),
            modifie_le=timezone.now(),
        )
        return None
    return result


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

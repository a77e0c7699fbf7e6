"""Writes of the candidates area: a candidate's account and identity, the
invitation e-mail, enrolments, and the CSV import (parse and validate every line
first, then import in one transaction).

Duplicates (same e-mail, or same birth name + first name + birth date) are
reported and never merged: the administrator decides."""

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role
from certif.services import user_ensure
from evaluations.models import BlocAcquis, Candidat, Inscription, Session, VoieAcces
from referentiel.models import Bloc

ENROLMENT_OPEN = (Session.Statut.BROUILLON, Session.Statut.OUVERTE)

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


@dataclass(frozen=True)
class IdentiteData:
    email: str
    nom_naissance: str
    prenom1: str
    date_naissance: date
    sexe: str
    nom_usage: str = ""
    prenom2: str = ""
    prenom3: str = ""
    commune_naissance: str = ""
    code_insee_naissance: str = ""
    pays_naissance: str = ""


def normalise_nom(value: str) -> str:
    """The comparison key of a name: no accents, case or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").split())


def identite_key(*, nom_naissance: str, prenom1: str, date_naissance: date) -> tuple:
    return (normalise_nom(nom_naissance), normalise_nom(prenom1), date_naissance)


def _candidat_from(identite: IdentiteData) -> Candidat:
    return Candidat(
        nom_naissance=identite.nom_naissance.strip(),
        nom_usage=identite.nom_usage.strip(),
        prenom1=identite.prenom1.strip(),
        prenom2=identite.prenom2.strip(),
        prenom3=identite.prenom3.strip(),
        date_naissance=identite.date_naissance,
        sexe=identite.sexe,
        commune_naissance=identite.commune_naissance.strip(),
        code_insee_naissance=identite.code_insee_naissance.strip().upper(),
        pays_naissance=identite.pays_naissance.strip(),
    )


def identite_errors(identite: IdentiteData) -> dict[str, list[str]]:
    """Field errors of an identity, without touching the database."""
    errors: dict[str, list[str]] = {}
    try:
        validate_email(identite.email)
    except ValidationError:
        errors["email"] = [_("Adresse e-mail invalide.")]
    candidat = _candidat_from(identite)
    try:
        candidat.full_clean(
            exclude=["user"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if "sexe" in errors:
        errors["sexe"] = [_("Le sexe à l'état civil s'écrit M ou F.")]
    if identite.date_naissance >= timezone.localdate():
        errors.setdefault("date_naissance", []).append(
            _("La date de naissance doit être dans le passé.")
        )
    commune, insee, pays = (
        candidat.commune_naissance,
        candidat.code_insee_naissance,
        candidat.pays_naissance,
    )
    if pays and (commune or insee):
        errors.setdefault("pays_naissance", []).append(
            _(
                "Indiquez soit la commune de naissance et son code INSEE, soit le "
                "pays de naissance, pas les deux."
            )
        )
    elif not pays:
        if not commune:
            errors.setdefault("commune_naissance", []).append(
                _(
                    "Indiquez la commune de naissance (ou le pays pour une naissance "
                    "à l'étranger)."
                )
            )
        if not insee:
            errors.setdefault("code_insee_naissance", []).append(
                _("Indiquez le code INSEE de la commune de naissance.")
            )
    return errors


def duplicates_of(identite: IdentiteData) -> dict[str, list[str]]:
    """Existing accounts or candidates this identity would duplicate."""
    errors: dict[str, list[str]] = {}
    email = identite.email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Un compte existe déjà avec cette adresse e-mail.")]
    key = identite_key(
        nom_naissance=identite.nom_naissance,
        prenom1=identite.prenom1,
        date_naissance=identite.date_naissance,
    )
    for existing in Candidat.objects.filter(
        date_naissance=identite.date_naissance
    ).select_related("user"):
        if (
            identite_key(
                nom_naissance=existing.nom_naissance,
                prenom1=existing.prenom1,
                date_naissance=existing.date_naissance,
            )
            == key
        ):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _(
                    "Un candidat de même nom de naissance, prénom et date de "
                    "naissance existe déjà (%(email)s) : inscrivez-le comme candidat "
                    "existant s'il s'agit de la même personne."
                )
                % {"email": existing.user.email}
            )
            break
    return errors


@transaction.atomic
def candidat_create(
    *,
    identite: IdentiteData,
    by: User,
    invite: bool = True,
    compte_existant: bool = False,
) -> Candidat:
    """A candidate with a new account (role Candidat, no usable password) and, when
    ``invite``, an invitation e-mail sent once the transaction commits.
    ``compte_existant`` lets the demo data attach the identity to an account that
    exists already; the platform's pages never do."""
    errors = identite_errors(identite)
    duplicates = duplicates_of(identite)
    if compte_existant:
        duplicates.pop("email", None)
    for name, messages in duplicates.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    email = identite.email.strip().lower()
    user, _created = user_ensure(
        email=email,
        first_name=identite.prenom1.strip(),
        last_name=(identite.nom_usage or identite.nom_naissance).strip(),
        roles=[Role.CANDIDAT],
    )
    if hasattr(user, "candidat"):
        raise ValidationError({"email": _("Ce compte a déjà une fiche candidat.")})
    candidat = _candidat_from(identite)
    candidat.user = user
    candidat._history_user = by  # type: ignore[attr-defined]
    candidat.full_clean()
    candidat.save()
    if invite:
        candidat_invite(candidat=candidat)
    return candidat


def invitation_link(user: User) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def _send_invitation(candidat_pk: int) -> None:
    candidat = Candidat.objects.select_related("user").get(pk=candidat_pk)
    jours = settings.PASSWORD_RESET_TIMEOUT // 86400
    body = _(
        "Bonjour %(prenom)s %(nom)s,\n\n"
        "Un compte a été créé pour vous sur la plateforme de certification, pour "
        "déposer votre dossier et suivre vos résultats.\n\n"
        "Pour choisir votre mot de passe, ouvrez ce lien (valable %(jours)d jours) :\n"
        "%(lien)s\n\n"
        "Votre identifiant de connexion est votre adresse e-mail : %(email)s\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le."
    ) % {
        "prenom": candidat.prenom1,
        "nom": candidat.nom_usage or candidat.nom_naissance,
        "jours": jours,
        "lien": invitation_link(candidat.user),
        "email": candidat.user.email,
    }
    send_mail(
        _("Votre compte sur la plateforme de certification"),
        body,
        None,
        [candidat.user.email],
    )


@transaction.atomic
def candidat_invite(*, candidat: Candidat) -> Candidat:
    """Send (after commit) the invitation e-mail with a link to choose a password,
    and record when."""
    candidat.invite_le = timezone.now()
    candidat.full_clean()
    candidat.save(update_fields=["invite_le"])
    pk = candidat.pk
    # robust: a mail server failure is logged, never undoes or breaks the enrolment
    # (the desk offers to send the invitation again).
    transaction.on_commit(lambda: _send_invitation(pk), robust=True)
    return candidat


@transaction.atomic
def candidat_reinvite(*, candidat: Candidat, by: User) -> Candidat:
    """Send the invitation again (the link lasts a week), while the candidate has
    not chosen a password yet; the record's history keeps who did it."""
    candidat = Candidat.objects.select_related("user").get(pk=candidat.pk)
    if candidat.user.has_usable_password():
        raise ValidationError(
            _(
                "%(nom)s a déjà choisi son mot de passe : en cas d'oubli, il utilise "
                "« Mot de passe oublié » sur la page de connexion."
            )
            % {"nom": candidat.nom_complet}
        )
    candidat._history_user = by  # type: ignore[attr-defined]
    return candidat_invite(candidat=candidat)


def blocs_acquis_codes(*, candidat: Candidat, session: Session) -> set[str]:
    """Codes of the blocs the person already acquired for the session's
    certification (matching by code across versions)."""
    return set(
        BlocAcquis.objects.filter(
            candidat=candidat,
            bloc__referentiel__certification_id=session.referentiel.certification_id,
        ).values_list("bloc__code", flat=True)
    )


@transaction.atomic
def inscription_create(
    *,
    candidat: Candidat,
    session: Session,
    voie_acces: str,
    parcours: str,
    blocs: Iterable[Bloc] = (),
    by: User,
) -> Inscription:
    """Enrol a candidate: the whole certification, or the chosen blocs. Blocs the
    person already acquired are left out automatically (capitalisation)."""
    session = Session.objects.select_related("referentiel").get(pk=session.pk)
    if session.statut not in ENROLMENT_OPEN:
        raise ValidationError(
            _(
                "Les inscriptions sont fermées : la session est au statut "
                "« %(statut)s »."
            )
            % {"statut": session.get_statut_display()}
        )
    if Inscription.objects.filter(candidat=candidat, session=session).exists():
        raise ValidationError(_("Ce candidat est déjà inscrit à cette session."))
    referentiel_blocs = list(session.referentiel.blocs.order_by("ordre", "code"))
    if parcours == Inscription.Parcours.BLOCS:
        chosen = {bloc.pk for bloc in blocs}
        if not chosen:
            raise ValidationError(
                {"blocs": _("Choisissez au moins un bloc de compétences.")}
            )
        if chosen - {bloc.pk for bloc in referentiel_blocs}:
            raise ValidationError(
                {"blocs": _("Un bloc choisi n'appartient pas au référentiel.")}
            )
        evalues = [bloc for bloc in referentiel_blocs if bloc.pk in chosen]
    else:
        evalues = referentiel_blocs
    acquis = blocs_acquis_codes(candidat=candidat, session=session)
    evalues = [bloc for bloc in evalues if bloc.code not in acquis]
    if not evalues:
        raise ValidationError(
            {"blocs": _("Tous ces blocs sont déjà acquis : il n'y a rien à évaluer.")}
        )
    inscription = Inscription(
        candidat=candidat, session=session, voie_acces=voie_acces, parcours=parcours
    )
    inscription._history_user = by  # type: ignore[attr-defined]
    inscription.full_clean()
    inscription.save()
    inscription.blocs.set(evalues)
    return inscription


@transaction.atomic
def candidat_enrol(
    *,
    identite: IdentiteData,
    session: Session,
    voie_acces: str,
    parcours: str,
    blocs: Iterable[Bloc] = (),
    by: User,
) -> Inscription:
    """A new candidate (account, identity, invitation) enrolled in the session, all
    or nothing: the invitation leaves only if the enrolment is saved."""
    candidat = candidat_create(identite=identite, by=by)
    return inscription_create(
        candidat=candidat,
        session=session,
        voie_acces=voie_acces,
        parcours=parcours,
        blocs=blocs,
        by=by,
    )


# --- CSV import -----------------------------------------------------------------


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
    par_identite: dict[tuple, list[LigneImport]] = {}
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
    if session.statut not in ENROLMENT_OPEN:
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
            "",
            "",
            "Italie",
            "vae",
            "blocs",
            "A1 A2",
        ]
    )
    return buffer.getvalue()

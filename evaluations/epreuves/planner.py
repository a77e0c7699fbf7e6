"""The timetable generator, pure (no database): it places sittings on days x
rooms so that no jury member, candidate or room is in two places at once, every
member sits inside their availability, a sitting that follows a deposit starts
after the deadline, and a candidate who needs an accessible room gets one.

Time is cut in steps of ``PAS`` minutes from the day's start; each resource (a
member, a candidate, a room) has, per day, an integer whose bit ``s`` says that
step ``s`` is taken. Checking a window is one ``&``: 1,000 candidates x 2
sittings over 10 rooms and 20 members place in well under a second. What cannot
be placed is returned with the reason, in French; nothing is ever placed over
something else.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

# The grid's step, in minutes: sittings start and end on it.
PAS = 5


@dataclass(frozen=True)
class Journee:
    """The hours of a day of épreuves: sittings happen between ``debut`` and
    ``fin``, never across the break (``pause_debut`` to ``pause_fin``)."""

    debut: time
    fin: time
    pause_debut: time | None = None
    pause_fin: time | None = None


@dataclass(frozen=True)
class SalleLibre:
    id: int
    accessible: bool
    libelle: str = ""


@dataclass(frozen=True)
class APlacer:
    """One sitting to place: ``cle`` identifies it for the caller."""

    cle: int
    candidat: int
    membres: tuple[int, ...]
    duree: int
    accessible: bool = False
    pas_avant: datetime | None = None
    libelle: str = ""


@dataclass(frozen=True)
class Occupation:
    """A sitting already in the timetable: its resources are taken."""

    debut: datetime
    fin: datetime
    membres: tuple[int, ...]
    candidat: int
    salle: int | None


@dataclass(frozen=True)
class Place:
    cle: int
    debut: datetime
    salle: int


@dataclass(frozen=True)
class NonPlace:
    cle: int
    motif: str


@dataclass
class Resultat:
    places: list[Place] = field(default_factory=list)
    non_places: list[NonPlace] = field(default_factory=list)


def _steps(moment: time, origine: time) -> int:
    return (
        (moment.hour * 60 + moment.minute) - (origine.hour * 60 + origine.minute)
    ) // PAS


def _window(start: int, length: int) -> int:
    return ((1 << length) - 1) << start


def _runs(free: int, length: int) -> int:
    """Bit ``s`` set when bits ``s`` … ``s + length - 1`` of ``free`` all are."""
    result = free
    span = 1
    # Doubling: after each round, ``result`` holds the runs of ``span`` bits.
    while span < length:
        step = min(span, length - span)
        result &= result >> step
        span += step
    return result


class Planificateur:
    """Place sittings over ``jours`` (aware datetimes are built with ``tz``).

    ``disponibilites`` maps a member to {day: [(start, end), …]}; a member with no
    entry at all is available all day (they declared nothing), a member with
    entries only inside them. ``intervalle`` minutes are kept free after each
    sitting for its members, candidate and room."""

    def __init__(
        self,
        *,
        jours: Sequence[date],
        journee: Journee,
        salles: Sequence[SalleLibre],
        tz: object,
        disponibilites: dict[int, dict[date, list[tuple[time, time]]]] | None = None,
        intervalle: int = 0,
        dernier_jour: date | None = None,
    ) -> None:
        self.jours = sorted(set(jours))
        self.journee = journee
        self.salles = list(salles)
        self.tz = tz
        self.gap = -(-intervalle // PAS)
        self.n = _steps(journee.fin, journee.debut)
        self.dernier_jour = dernier_jour
        self.full = (1 << self.n) - 1
        bloque = 0
        if journee.pause_debut and journee.pause_fin:
            a = max(0, _steps(journee.pause_debut, journee.debut))
            b = min(self.n, -(-_to_min(journee.pause_fin, journee.debut) // PAS))
            if b > a:
                bloque = _window(a, b - a)
        self.bloque = bloque
        self.dispo: dict[int, dict[date, int]] = {}
        for membre, par_jour in (disponibilites or {}).items():
            masks: dict[date, int] = {}
            for jour, spans in par_jour.items():
                mask = 0
                for debut, fin in spans:
                    a = max(0, -(-_to_min(debut, journee.debut) // PAS))
                    b = min(self.n, _to_min(fin, journee.debut) // PAS)
                    if b > a:
                        mask |= _window(a, b - a)
                masks[jour] = mask
            self.dispo[membre] = masks
        self.busy: dict[tuple[str, int, date], int] = {}

    # -- occupation -------------------------------------------------------
    def _aware(self, jour: date, step: int) -> datetime:
        naive = datetime.combine(jour, self.journee.debut) + timedelta(
            minutes=step * PAS
        )
        return naive.replace(tzinfo=self.tz)  # type: ignore[arg-type]

    def _mark(self, key: tuple[str, int], jour: date, mask: int) -> None:
        full_key = (key[0], key[1], jour)
        self.busy[full_key] = self.busy.get(full_key, 0) | mask

    def occuper(self, occupations: Iterable[Occupation]) -> None:
        """Take the resources of sittings already in the timetable."""
        for occ in occupations:
            debut = occ.debut.astimezone(self.tz)  # type: ignore[arg-type]
            fin = occ.fin.astimezone(self.tz)  # type: ignore[arg-type]
            jour = debut.date()
            a = (_to_min(debut.time(), self.journee.debut)) // PAS
            b = -(-_to_min(fin.time(), self.journee.debut) // PAS) + self.gap
            if fin.date() != jour:
                b = self.n + self.gap
            a = max(a, 0)
            if b <= a:
                continue
            mask = _window(a, b - a)
            for membre in occ.membres:
                self._mark(("m", membre), jour, mask)
            self._mark(("c", occ.candidat), jour, mask)
            if occ.salle is not None:
                self._mark(("s", occ.salle), jour, mask)

    # -- placement --------------------------------------------------------
    def placer(self, items: Iterable[APlacer]) -> Resultat:
        resultat = Resultat()
        # The hardest first: an accessible room, then the longest, then the
        # most members.
        ordered = sorted(
            items, key=lambda i: (not i.accessible, -i.duree, -len(i.membres), i.cle)
        )
        for item in ordered:
            place = self._placer_un(item)
            if isinstance(place, Place):
                resultat.places.append(place)
            else:
                resultat.non_places.append(place)
        return resultat

    def _placer_un(self, item: APlacer) -> Place | NonPlace:
        k = -(-item.duree // PAS)
        if k > self.n:
            return NonPlace(
                item.cle,
                _("Le passage (%(duree)d min) est plus long que la journée.")
                % {"duree": item.duree},
            )
        # An accessible room is kept for those who need it: the others try it
        # last.
        salles = sorted(
            (s for s in self.salles if s.accessible or not item.accessible),
            key=lambda s: s.accessible and not item.accessible,
        )
        if not salles:
            return NonPlace(
                item.cle,
                _("Aucune salle accessible aux personnes à mobilité réduite.")
                if item.accessible
                else _("Aucune salle."),
            )
        if not item.membres:
            return NonPlace(item.cle, _("Aucun évaluateur affecté au candidat."))
        jours_possibles = 0
        dispo_communes = 0
        for jour in self.jours:
            if self.dernier_jour is not None and jour > self.dernier_jour:
                continue
            blocked = self.bloque
            if item.pas_avant is not None:
                limite = item.pas_avant.astimezone(self.tz)  # type: ignore[arg-type]
                if limite.date() > jour:
                    continue
                if limite.date() == jour:
                    first = -(-_to_min(limite.time(), self.journee.debut) // PAS)
                    if first > 0:
                        blocked |= _window(0, min(first, self.n))
            jours_possibles += 1
            for membre in item.membres:
                if membre in self.dispo:
                    blocked |= self.full & ~self.dispo[membre].get(jour, 0)
            if not _runs(self.full & ~blocked, k):
                continue
            dispo_communes += 1
            busy = self.busy.get(("c", item.candidat, jour), 0)
            for membre in item.membres:
                busy |= self.busy.get(("m", membre, jour), 0)
            length = k + self.gap
            ext = _window(0, self.n + self.gap)
            starts = (
                _runs(ext & ~busy, length)
                & _runs(self.full & ~(busy | blocked), k)
                & ((1 << (self.n - k + 1)) - 1)
            )
            while starts:
                low = starts & -starts
                s = low.bit_length() - 1
                starts ^= low
                need = _window(s, length)
                for salle in salles:
                    if self.busy.get(("s", salle.id, jour), 0) & need:
                        continue
                    for membre in item.membres:
                        self._mark(("m", membre), jour, need)
                    self._mark(("c", item.candidat), jour, need)
                    self._mark(("s", salle.id), jour, need)
                    return Place(item.cle, self._aware(jour, s), salle.id)
        if not jours_possibles:
            return NonPlace(
                item.cle,
                _(
                    "Aucun jour d'épreuves entre la date limite de dépôt et la date "
                    "du jury."
                ),
            )
        if not dispo_communes:
            return NonPlace(
                item.cle,
                _(
                    "Les disponibilités des évaluateurs ne laissent aucun créneau "
                    "commun assez long."
                ),
            )
        return NonPlace(
            item.cle,
            _(
                "Plus aucun créneau libre commun au candidat, à ses évaluateurs et "
                "à une salle."
            ),
        )


def _to_min(moment: time, origine: time) -> int:
    return (moment.hour * 60 + moment.minute) - (origine.hour * 60 + origine.minute)

"""Files of the live épreuves: the convocation (PDF and ``.ics``), a jury
member's schedule (``.ics``, also served as a private feed) and the printable
timetable. PDFs go through ``certif.pdf``; calendars are built with
``icalendar`` in the Europe/Paris time zone (RFC 5545)."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from certif.pdf import RenderedFile, html_to_pdf
from evaluations.epreuves.models import Passage
from evaluations.epreuves.selectors import ConvocationSnapshot

PRODID = "-//certif//épreuves en présence du jury//FR"


def convocation_pdf(c: ConvocationSnapshot) -> RenderedFile:
    html = render_to_string("epreuves/pdf/convocation.html", {"c": c})
    local = timezone.localtime(c.debut)
    return RenderedFile(
        f"convocation-{local:%Y%m%d-%H%M}.pdf",
        "application/pdf",
        html_to_pdf(html, archive=True),
    )


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _add_timezone(cal: Calendar, moments: list[datetime]) -> None:
    if moments:
        cal.add_component(
            Timezone.from_tzid(
                settings.TIME_ZONE,
                first_date=min(moments).date(),
                last_date=max(moments).date(),
            )
        )


def _event(
    *,
    uid: str,
    debut: datetime,
    fin: datetime,
    summary: str,
    location: str,
    description: str,
    sequence: int = 0,
) -> Event:
    tz = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", debut.astimezone(tz))
    event.add("dtend", fin.astimezone(tz))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    event.add("sequence", sequence)
    return event


def convocation_ics(c: ConvocationSnapshot, *, sequence: int = 0) -> bytes:
    cal = _calendar(c.session)
    tz = ZoneInfo(settings.TIME_ZONE)
    _add_timezone(cal, [c.debut.astimezone(tz), c.fin.astimezone(tz)])
    lignes = [f"{code} — {intitule}" for code, intitule in c.modalites]
    lignes.extend(c.amenagements)
    location = c.lien_visio or ", ".join(
        part for part in (c.lieu, c.adresse.replace("\n", ", ")) if part
    )
    cal.add_component(
        _event(
            uid=c.uid,
            debut=c.debut,
            fin=c.fin,
            summary=f"Épreuve — {c.session}",
            location=location,
            description="\n".join(lignes),
            sequence=sequence,
        )
    )
    return bytes(cal.to_ical())


def agenda_ics(*, nom: str, passages: Iterable[Passage]) -> bytes:
    """A jury member's sittings: candidate, modalities, room or link. The
    accommodations are on the jury's sheet, not in a calendar that leaves the
    platform."""
    cal = _calendar(nom)
    tz = ZoneInfo(settings.TIME_ZONE)
    passages = list(passages)
    _add_timezone(
        cal,
        [p.debut.astimezone(tz) for p in passages]
        + [p.fin.astimezone(tz) for p in passages],
    )
    for p in passages:
        codes = ", ".join(m.competence.code for m in p.modalites.all())
        location = p.lien_visio or (
            f"{p.salle}, {p.salle.site.adresse}".replace("\n", ", ") if p.salle else ""
        )
        cal.add_component(
            _event(
                uid=f"passage-{p.pk}-jury@certif",
                debut=p.debut,
                fin=p.fin,
                summary=f"Jury — {p.inscription.candidat.nom_complet} ({codes})",
                location=location,
                description=f"{p.session.nom}\n{codes}",
                sequence=p.version,
            )
        )
    return bytes(cal.to_ical())


def planning_pdf(*, titre: str, passages: Iterable[Passage]) -> RenderedFile:
    """The printable timetable (a session's, or a member's schedule)."""
    html = render_to_string(
        "epreuves/pdf/planning.html", {"titre": titre, "passages": list(passages)}
    )
    return RenderedFile("planning.pdf", "application/pdf", html_to_pdf(html))

"""Fill ``Amenagement.majoration_pourcent`` of the « temps majoré » decided before
the field existed, from the percentage the référent wrote in the precision
(« 50 % », « 25% »); a precision without one (or out of 1 to 100) stays a
tiers-temps. The precision is left as it was written. Reverse: nothing to undo
(the field is dropped with the previous migration)."""

import re

from django.db import migrations

POURCENT = re.compile(r"(\d{1,3})\s*%")


def majoration_depuis_precision(apps, schema_editor):  # type: ignore[no-untyped-def]
    Amenagement = apps.get_model("handicap", "Amenagement")
    for amenagement in Amenagement.objects.filter(
        type="temps_majore", majoration_pourcent__isnull=True
    ).exclude(precision=""):
        match = POURCENT.search(amenagement.precision)
        if match and 1 <= int(match.group(1)) <= 100:
            Amenagement.objects.filter(pk=amenagement.pk).update(
                majoration_pourcent=int(match.group(1))
            )


class Migration(migrations.Migration):
    dependencies = [
        ("handicap", "0005_issue16b_majoration_pourcent"),
    ]

    operations = [
        migrations.RunPython(majoration_depuis_precision, migrations.RunPython.noop),
    ]

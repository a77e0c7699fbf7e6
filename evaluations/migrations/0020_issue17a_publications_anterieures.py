"""Sessions whose documents were issued before results had a publication: their
candidates already had their documents (and the e-mail that said so), so they
are recorded as published, by the platform, at their first document's issue.
Nothing is sent again."""

from django.db import migrations
from django.db.models import Min


def record_published(apps, schema_editor):
    Document = apps.get_model("evaluations", "Document")
    PublicationResultats = apps.get_model("evaluations", "PublicationResultats")
    premiers = (
        Document.objects.filter(inscription__isnull=False)
        .values("session_id")
        .annotate(premier=Min("emis_le"))
        .order_by("session_id")
    )
    PublicationResultats.objects.bulk_create(
        PublicationResultats(
            session_id=row["session_id"],
            statut="publiee",
            prevue_le=row["premier"],
            programmee_le=row["premier"],
            publiee_le=row["premier"],
            terminee_le=row["premier"],
        )
        for row in premiers
    )


def forget_published(apps, schema_editor):
    PublicationResultats = apps.get_model("evaluations", "PublicationResultats")
    PublicationResultats.objects.filter(programmee_par__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0019_issue17a_publication"),
    ]

    operations = [
        migrations.RunPython(record_published, forget_published),
    ]

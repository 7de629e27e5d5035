"""Full-text search of tickets: the ``search_text`` column, filled for the tickets already
there, and its index (PostgreSQL: GIN on to_tsvector('simple'); SQLite: an FTS5 table kept by
triggers). See hotline/core/search.py."""

from django.db import migrations, models

from hotline.core.search import fulltext_install, fulltext_uninstall


def backfill(apps, schema_editor):
    from hotline.tickets.search import tickets_reindex

    tickets_reindex(apps.get_model("tickets", "Ticket"))


def install(apps, schema_editor):
    fulltext_install(schema_editor, "tickets_ticket")


def uninstall(apps, schema_editor):
    fulltext_uninstall(schema_editor, "tickets_ticket")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_ticket_centres")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_text",
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(install, uninstall),
    ]

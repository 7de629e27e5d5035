"""PostgreSQL keeps the tickets' full-text vector in a stored generated column with the GIN
index on it (hotline/core/search.py ``fulltext_vector_install``): a word search listed newest
first checks the stored vector of each row it passes instead of computing it. Nothing changes
on SQLite (FTS5). Rewrites the ticket table on PostgreSQL: minutes at millions of tickets."""

from django.db import migrations

from hotline.core.search import fulltext_vector_install, fulltext_vector_uninstall


def install(apps, schema_editor):
    fulltext_vector_install(schema_editor, "tickets_ticket")


def uninstall(apps, schema_editor):
    fulltext_vector_uninstall(schema_editor, "tickets_ticket")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_search_text_label")]

    operations = [migrations.RunPython(install, uninstall)]

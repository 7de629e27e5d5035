"""The full-text index of articles (hotline/core/search.py): GIN over to_tsvector('simple') on
PostgreSQL, an FTS5 table kept by triggers on SQLite."""

from django.db import migrations

from hotline.core.search import fulltext_install, fulltext_uninstall


def install(apps, schema_editor):
    fulltext_install(schema_editor, "knowledge_article")


def uninstall(apps, schema_editor):
    fulltext_uninstall(schema_editor, "knowledge_article")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]

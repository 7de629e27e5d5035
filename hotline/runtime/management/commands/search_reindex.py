"""Recompute the full-text words of every searchable row (after a change of the tokenizer or
its dictionary, or for rows written around the application, e.g. a bench's COPY) and, on
SQLite, put back the FTS5 triggers a table rebuild dropped. Last line: ``reindexed=N``."""

from django.core.management.base import BaseCommand
from django.db import connection

from hotline.core.search import fulltext_repair, fulltext_triggers_missing
from hotline.knowledge.services import articles_reindex
from hotline.tickets.search import TABLE as TICKET_TABLE
from hotline.tickets.search import tickets_reindex

TABLES = [(TICKET_TABLE, tickets_reindex), ("knowledge_article", articles_reindex)]


class Command(BaseCommand):
    help = "Recompute the search words of tickets and articles (and repair SQLite's FTS5 triggers)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="only rows that have no search words yet"
        )

    def handle(self, *args, **options):
        changed = 0
        for table, reindex in TABLES:
            if fulltext_triggers_missing(connection, table):
                self.stdout.write(f"{table}: FTS5 triggers missing, recreating")
            done = reindex(only_missing=options["missing"])
            fulltext_repair(connection, table)  # idempotent; SQLite rebuilds its FTS5 table
            self.stdout.write(f"{table}: {done} rows changed")
            changed += done
        self.stdout.write(f"reindexed={changed}")

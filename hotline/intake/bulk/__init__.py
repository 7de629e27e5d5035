"""Bulk import of historical tickets from CSV and Excel (``manage.py import_tickets``)."""

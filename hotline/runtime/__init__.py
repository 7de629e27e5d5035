"""The whole platform assembled: the demo city's seeding, the embedded server command and the
scheduler's job list. The top layer: it may import every app; no app imports it."""

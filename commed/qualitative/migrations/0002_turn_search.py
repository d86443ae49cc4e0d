"""Full-text search over speaker turns: an FTS5 index on SQLite, a GIN index on PostgreSQL.

On SQLite the FTS5 table is an external-content index over `qualitative_turn` kept in step by triggers, so
services only ever write the Turn rows. On PostgreSQL an expression GIN index serves `to_tsvector` queries.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE qualitative_turn_fts USING fts5("
    "text, content='qualitative_turn', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER qualitative_turn_ai AFTER INSERT ON qualitative_turn BEGIN "
    "INSERT INTO qualitative_turn_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER qualitative_turn_ad AFTER DELETE ON qualitative_turn BEGIN "
    "INSERT INTO qualitative_turn_fts(qualitative_turn_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER qualitative_turn_au AFTER UPDATE OF text ON qualitative_turn BEGIN "
    "INSERT INTO qualitative_turn_fts(qualitative_turn_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO qualitative_turn_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS qualitative_turn_au",
    "DROP TRIGGER IF EXISTS qualitative_turn_ad",
    "DROP TRIGGER IF EXISTS qualitative_turn_ai",
    "DROP TABLE IF EXISTS qualitative_turn_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX qualitative_turn_tsv ON qualitative_turn USING GIN (to_tsvector('english', text))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS qualitative_turn_tsv"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("qualitative", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

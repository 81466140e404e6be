"""On PostgreSQL, refuse UPDATE and DELETE of the records DESIGN.md §5 rule 5 keeps forever, so that not
even raw SQL or a bulk ORM call can change them. SQLite gets the same rule from the models alone."""

from django.db import migrations

TABLES = [
    "workflows_caseevent",
    "documents_document",
    "grants_applicationversion",
    "grants_decision",
    "grants_proposal",
    "grants_eligibilitycheck",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION samverket_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'append-only table ' || TG_TABLE_NAME || ': ' || TG_OP || ' refused',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION samverket_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS samverket_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("documents", "0002_initial"),
        ("grants", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

"""Submitted reviews, their scores, and the attachments of submitted applications are kept like the case log
(DESIGN.md §5 rule 5): on PostgreSQL, triggers refuse changing them even with raw SQL.

- grants_review: once `submitted_at` is set, DELETE is refused and so is any UPDATE that changes a column other
  than withdrawn_at / withdrawn_by_id (the constraint review_submitted_not_withdrawn refuses those on a submitted
  review anyway; unsubmitted assignments are declared, withdrawn and scored as before).
- grants_reviewscore: no INSERT, UPDATE or DELETE of a score of a submitted review (review_submit writes the
  scores before it sets submitted_at).
- grants_attachment: once the application has a submitted version, DELETE is refused and an UPDATE may change
  only removed_at (replaced during completion, restored when a completion is discarded). A draft's attachments
  stay editable and deletable.

SQLite gets no triggers here: the services and the admin (read-only for these) keep the rule there."""

from django.db import migrations

REFUSE = "RAISE EXCEPTION USING MESSAGE = '{what} ' || {id} || ': ' || TG_OP || ' refused', ERRCODE = 'restrict_violation';"

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION samverket_review_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.submitted_at IS NOT NULL AND (
        TG_OP = 'DELETE'
        OR (to_jsonb(NEW) - 'withdrawn_at' - 'withdrawn_by_id') IS DISTINCT FROM
           (to_jsonb(OLD) - 'withdrawn_at' - 'withdrawn_by_id')
    ) THEN
        {REFUSE.format(what="submitted review", id="OLD.id")}
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION samverket_review_score_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND EXISTS (SELECT 1 FROM grants_review r WHERE r.id = OLD.review_id AND r.submitted_at IS NOT NULL) THEN
        {REFUSE.format(what="score of submitted review", id="OLD.review_id")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND EXISTS (SELECT 1 FROM grants_review r WHERE r.id = NEW.review_id AND r.submitted_at IS NOT NULL) THEN
        {REFUSE.format(what="score of submitted review", id="NEW.review_id")}
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION samverket_attachment_frozen() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM grants_applicationversion v WHERE v.application_id = OLD.application_id) AND (
        TG_OP = 'DELETE'
        OR (to_jsonb(NEW) - 'removed_at') IS DISTINCT FROM (to_jsonb(OLD) - 'removed_at')
    ) THEN
        {REFUSE.format(what="attachment of submitted application", id="OLD.id")}
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = [
    ("grants_review", "grants_review_frozen", "BEFORE UPDATE OR DELETE", "samverket_review_frozen"),
    (
        "grants_reviewscore",
        "grants_reviewscore_frozen",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "samverket_review_score_frozen",
    ),
    ("grants_attachment", "grants_attachment_frozen", "BEFORE UPDATE OR DELETE", "samverket_attachment_frozen"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    for table, name, when, function in TRIGGERS:
        schema_editor.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _when, function in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}();")


class Migration(migrations.Migration):
    dependencies = [("grants", "0009_login_attempts")]
    operations = [migrations.RunPython(forwards, backwards)]

"""Counts per démarche and status kept by the database: triggers on `application` add a row of +1 or -1 to
`application_tally` on every insert, deletion and change of status or démarche; the queue and the dashboard add
those rows up (passfamille/tally.py) instead of counting every application on each page. Filled from the
applications already there. On PostgreSQL, the decisions in the order of their delay, for the dashboard's median.

Batch operations on `application` that recreate the table on SQLite drop its triggers: a later migration doing one
must create them again (tests/backoffice/test_tally.py checks the counts at the head on both databases).

Revision ID: b7d2e5c81a43
Revises: e3b1c7a94f20
Create Date: 2026-12-02 15:05:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d2e5c81a43"
down_revision = "e3b1c7a94f20"
branch_labels = None
depends_on = None

ROW = "INSERT INTO application_tally (demarche, status, n) VALUES ({side}.demarche, {side}.status, {n})"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER application_tally_insert AFTER INSERT ON application BEGIN {ROW.format(side='NEW', n=1)}; END",
    f"CREATE TRIGGER application_tally_delete AFTER DELETE ON application BEGIN {ROW.format(side='OLD', n=-1)}; END",
    "CREATE TRIGGER application_tally_update AFTER UPDATE OF demarche, status ON application"
    " WHEN OLD.demarche IS NOT NEW.demarche OR OLD.status IS NOT NEW.status"
    f" BEGIN {ROW.format(side='OLD', n=-1)}; {ROW.format(side='NEW', n=1)}; END",
)
# OR REPLACE: a restore of a backup older than this migration keeps the function (pg_restore --clean drops the tables
# and, with `application`, its triggers), then runs this migration again.
POSTGRESQL_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION application_tally_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {ROW.format(side="OLD", n=-1)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {ROW.format(side="NEW", n=1)};
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER application_tally_insert_delete AFTER INSERT OR DELETE ON application"
    " FOR EACH ROW EXECUTE FUNCTION application_tally_row()",
    "CREATE TRIGGER application_tally_update AFTER UPDATE OF demarche, status ON application FOR EACH ROW"
    " WHEN (OLD.demarche IS DISTINCT FROM NEW.demarche OR OLD.status IS DISTINCT FROM NEW.status)"
    " EXECUTE FUNCTION application_tally_row()",
)


def upgrade():
    op.create_table(
        "application_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demarche", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # No application may be added or changed between the count below and the triggers.
        op.execute("LOCK TABLE application IN SHARE ROW EXCLUSIVE MODE")
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    if postgresql:
        # The dashboard's median walks half of it (as ix_application_decision_delay on SQLite).
        op.create_index(
            "ix_application_decision_interval",
            "application",
            [sa.text("(decided_at - created_at)"), "id"],
            postgresql_include=["created_at", "decided_at"],
            postgresql_where=sa.text("status IN ('accepted', 'refused') AND decided_at IS NOT NULL"),
        )
    op.execute(
        "INSERT INTO application_tally (demarche, status, n)"
        " SELECT demarche, status, count(*) FROM application GROUP BY demarche, status"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_application_decision_interval", table_name="application")
        op.execute("DROP TRIGGER application_tally_update ON application")
        op.execute("DROP TRIGGER application_tally_insert_delete ON application")
        op.execute("DROP FUNCTION application_tally_row()")
    else:
        for name in ("application_tally_insert", "application_tally_delete", "application_tally_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("application_tally")

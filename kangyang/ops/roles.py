"""PostgreSQL privileges of the role the application runs as.

Two roles (README "Running with PostgreSQL"): an owner role creates and alters the tables
(`kangyang migrate`); the application role (serve, worker, ingest) only reads and writes
rows. It does not own the tables, so it cannot drop them, TRUNCATE them or disable their
triggers; on the audit log and the time bank's ledger and digests it may only read and append.
"""

from django.db import connection
from django.utils.translation import gettext as _

from kangyang.audit.models import AuditEntry
from kangyang.timebank.models import Digest, Entry

# Tables the application may read and append to, but never change or empty.
APPEND_ONLY = (AuditEntry, Entry, Digest)


class RoleError(Exception):
    """The role cannot be made the application role (unknown, the owner, a superuser)."""


def app_role_statements(role: str) -> list[str]:
    """The statements that give `role` the application's privileges in the current database
    and schema; every one is idempotent."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    role_q, schema_q = q(role), q(schema)
    statements = [
        f"GRANT CONNECT ON DATABASE {q(database)} TO {role_q}",
        f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role_q}",
        # Tables that later migrations create get the same, until this is run again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_q}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} GRANT USAGE, SELECT ON SEQUENCES TO {role_q}",
    ]
    for model in APPEND_ONLY:
        table = q(model._meta.db_table)
        statements += [
            f"REVOKE ALL ON {table} FROM {role_q}",
            f"GRANT SELECT, INSERT ON {table} TO {role_q}",
        ]
    return statements


def grant_app_role(role: str) -> list[str]:
    """Give `role` the application's privileges (run as the owner, after every migrate).
    Refuses a role that is not a plain, separate one. Returns the statements run."""
    if connection.vendor != "postgresql":
        raise RoleError(_("Application roles are a PostgreSQL feature; SQLite has no roles."))
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(_("There is no role %(role)s: create it first (CREATE ROLE).") % {"role": role})
        if row[0] or row[1]:
            raise RoleError(_("%(role)s is a superuser (or bypasses row security): it could do anything.")
                            % {"role": role})
        # Membership in the owner role would pass on ownership, and with it ALTER TABLE.
        cursor.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", [role])
        if cursor.fetchone()[0]:
            raise RoleError(_("%(role)s is the owner role or a member of it: use a separate role.")
                            % {"role": role})
        statements = app_role_statements(role)
        for sql in statements:
            cursor.execute(sql)
    return statements

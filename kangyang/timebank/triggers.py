"""The SQLite side of the ledger's append-only triggers (migration 0002).

SQLite's DELETE trigger asks `timebank_erasable()`, a function each connection of this
application registers (apps.py), whether the whole database is being emptied: only the test
suite says so (conftest.py sets ERASABLE), because Django's `flush` between transactional tests
empties tables with DELETE. A connection opened by any other program (the sqlite3 shell) has
no such function, so its DELETE fails too. PostgreSQL's `flush` uses TRUNCATE, which fires no
row trigger; there the application's role has no TRUNCATE privilege (ops/roles.py).

Imports nothing from Django, so that conftest.py may set the flag before Django is set up.
"""

ERASABLE = False


def erasable() -> int:
    return 1 if ERASABLE else 0


def register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("timebank_erasable", 0, erasable)

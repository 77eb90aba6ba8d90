"""Tests of healthdash/access: accounts, scopes, sign-in, sessions and the audit log, on SQLite and on a
real PostgreSQL server (postgres.py starts one); conftest.py holds the fixtures."""

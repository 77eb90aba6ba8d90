"""Who sees what: accounts, roles, jurisdictions (scopes), sign-in with lockout, sessions and the audit log.

No Streamlit here: the pages, the sidebar and the query layer call these functions. The account store is a
database of its own (SQLite beside the dashboard's DuckDB file, or PostgreSQL), never the DuckDB file a
load swaps. Configuration: healthdash/access/config.py; the whole design: docs/ACCESS.md.
"""

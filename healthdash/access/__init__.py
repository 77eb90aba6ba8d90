"""Who sees what: accounts, roles, jurisdictions (scopes), sign-in with lockout, sessions, the audit log,
and the server's guard on uploads.

No Streamlit here: the pages, the sidebar and the query layer call these functions (the sign-in form is
healthdash/ui/signin.py). The account store is a database of its own (SQLite beside the dashboard's DuckDB
file, or PostgreSQL), never the DuckDB file a load swaps. Configuration: config.py; the design:
docs/ACCESS.md.
"""

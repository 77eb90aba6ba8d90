-- The account store: accounts, failed attempts, sessions and the audit log. Kept apart from the dashboard's
-- DuckDB file (a load swaps that file whole) in SQLite (WAL) or PostgreSQL; one text for both, run by
-- healthdash/access/store.py, which fills in {serial} for the dialect. Times are UTC text of one width
-- ('2026-01-05T01:30:12.000000Z'), so that they sort and compare as text in both databases; flags are 0/1.

create table if not exists account (
    name text primary key,               -- sign-in name, lower case
    role text not null check (role in ('viewer', 'analyst', 'officer', 'admin')),
    scope text,                          -- 'province', 'city:<code>', …; null: no jurisdiction, sees nothing
    password_hash text not null,         -- pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>
    must_change integer not null,        -- 1: the next sign-in must set a new password first
    enabled integer not null,
    failures integer not null,           -- wrong passwords counting towards a lock (reserved before the check)
    last_failure_at text,
    locked_until text,
    created_at text not null,
    updated_at text not null,
    password_changed_at text not null
);

-- Failed sign-ins per client address, whatever the name tried: slows one address guessing many names.
create table if not exists address_attempt (
    address text primary key,
    failures integer not null,
    last_failure_at text not null
);

create table if not exists session (
    token_hash text primary key,         -- SHA-256 of the token: a copy of this table opens no session
    account text not null references account (name),
    address text,
    created_at text not null,
    last_seen_at text not null,
    ended_at text
);
create index if not exists session_account on session (account);

create table if not exists audit (
    id {serial},
    at text not null,
    actor text,                          -- the account (or the system user, for the command line); null: unknown
    address text,                        -- the client's address, 'cli' for the command line
    action text not null,                -- healthdash.access.audit.Action
    scope text,                          -- the jurisdiction the action ran under
    detail text not null                 -- JSON: what was exported, loaded, changed, …
);
create index if not exists audit_at on audit (at);
create index if not exists audit_actor_at on audit (actor, at);
create index if not exists audit_action_at on audit (action, at);

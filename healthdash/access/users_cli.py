"""`python -m healthdash users …`: accounts and the audit log from the server's shell.

    users add NAME --role viewer --scope county:450223 --password-stdin
    users list
    users set NAME [--role ROLE] [--scope SCOPE|none]
    users disable NAME | enable NAME | unlock NAME
    users reset NAME [--password-stdin]
    users audit [--since 2026-01-01] [--until 2026-02-01] [--user NAME] [--action load] [--csv FILE|-]

A password is read from standard input (one line) with --password-stdin, never from the command line
(where `ps` and the shell's history would show it); without it a random one is made and printed once.
Either way it is a first password, to be changed at the first sign-in. Scopes are checked against the
dashboard database (--db). Every change is audited with the system user (--by) and the address 'cli'.
Bad input gets one line in Chinese and English on stderr and exit status 1, and changes nothing.

Light at import (argparse only): `python -m healthdash --help` stays quick.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

CLI_ADDRESS = "cli"
NO_SCOPE = ("none", "无")


def add_users(commands: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=None,
                        help="dashboard database, for scopes and the default account store "
                             "(default: $HEALTHDASH_DB or data/health.duckdb)")
    common.add_argument("--accounts", default=None,
                        help="account store: a PostgreSQL URL or an SQLite file (default: $HEALTHDASH_ACCOUNTS_URL, "
                             "the configuration file, or accounts.sqlite beside the database)")
    common.add_argument("--by", default=None, help="who makes the change, for the audit log (default: the login name)")
    users = commands.add_parser("users", help="accounts, roles, jurisdictions and the audit log")
    chosen = users.add_subparsers(dest="users_command", required=True)

    add = chosen.add_parser("add", parents=[common], help="add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="viewer, analyst, officer or admin")
    add.add_argument("--scope", required=True,
                     help="province, city:CODE, county:CODE, alliance:CODE, facility:CODE or none")
    add.add_argument("--password-stdin", action="store_true", help="read the first password from standard input")
    add.set_defaults(run=_guarded(_add))

    listing = chosen.add_parser("list", parents=[common], help="list the accounts")
    listing.set_defaults(run=_guarded(_list))

    change = chosen.add_parser("set", parents=[common], help="change an account's role and/or scope")
    change.add_argument("name")
    change.add_argument("--role", default=None)
    change.add_argument("--scope", default=None)
    change.set_defaults(run=_guarded(_set))

    for name, text in (("disable", "disable an account and end its sessions"), ("enable", "enable an account again"),
                       ("unlock", "lift a lockout")):
        parser = chosen.add_parser(name, parents=[common], help=text)
        parser.add_argument("name")
        parser.set_defaults(run=_guarded(_switch))

    reset = chosen.add_parser("reset", parents=[common], help="set a new first password")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.set_defaults(run=_guarded(_reset))

    log = chosen.add_parser("audit", parents=[common], help="read the audit log (newest first)")
    log.add_argument("--since", default=None, help="first day, e.g. 2026-01-01 (server's local time)")
    log.add_argument("--until", default=None, help="last day, inclusive")
    log.add_argument("--user", default=None, help="one account only")
    log.add_argument("--action", default=None, help="one action only (sign_in, export, load, account_change, …)")
    log.add_argument("--csv", default=None, help="write CSV to this file ('-': standard output)")
    log.set_defaults(run=_guarded(_audit))


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Refused input (AccessError) as one line on stderr and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        import logging

        from healthdash.access.errors import AccessError

        # As healthdash.cli.quiet_streamlit: the shared modules' caches warn that no app runs, which is true.
        logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
        try:
            return command(args)
        except AccessError as error:
            print(f"{error.zh} / {error.en}", file=sys.stderr)
            return 1

    return run


def _db(args: argparse.Namespace) -> Path:
    from healthdash.data.db import database_path

    return args.db or database_path()


def _store(args: argparse.Namespace):  # -> Store (imported lazily)
    from healthdash.access.config import load_config
    from healthdash.access.store import open_store

    config = load_config()
    if args.accounts:
        from dataclasses import replace

        config = replace(config, accounts_url=args.accounts)
    return open_store(_db(args), config)


def _by(args: argparse.Namespace) -> str:
    return args.by or getpass.getuser()


def _scope(args: argparse.Namespace, text: str):  # -> (Scope | None, Reader | None)
    from healthdash.access.scope import file_reader, parse_scope
    from healthdash.data.db import check_database

    if text.strip().lower() in NO_SCOPE:
        return None, None
    scope = parse_scope(text)
    db = _db(args)
    check_database(db)
    return scope, file_reader(db)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, made here): one line of standard input, or a new random one to print."""
    from healthdash.access import passwords
    from healthdash.access.errors import AccessError

    if not args.password_stdin:
        return passwords.random_password(), True
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise AccessError("password_stdin")
    passwords.check_policy(line)
    return line, False


def _add(args: argparse.Namespace) -> int:
    from healthdash.access import accounts
    from healthdash.access.roles import parse_role

    role = parse_role(args.role)
    scope, registry = _scope(args, args.scope)
    password, made = _password(args)
    account = accounts.add_account(_store(args), args.name, role, scope, password, by=_by(args),
                                   address=CLI_ADDRESS, registry=registry)
    print(f"已添加账户「{account.name}」（{role.label('zh')}，{_scope_words(scope)}）。/ "
          f"Added {account.name} ({role.value}, {scope or 'no jurisdiction'}).")
    _say_password(password, made)
    return 0


def _say_password(password: str, made: bool) -> None:
    if made:
        print(f"初始密码（只显示这一次，首次登录后须修改）/ first password (shown once): {password}")
    else:
        print("首次登录后须修改密码。/ The password must be changed at the first sign-in.")


def _scope_words(scope) -> str:
    return "无管辖范围，看不到任何数据" if scope is None else scope.label("zh")


def _list(args: argparse.Namespace) -> int:
    from healthdash.access import accounts

    store = _store(args)
    now = store.now()
    rows = [("账户 name", "角色 role", "管辖范围 scope", "状态 state", "须改密码 must change")]
    for account in accounts.list_accounts(store):
        state = "停用 disabled" if not account.enabled else ("锁定 locked" if account.locked(now) else "启用 enabled")
        rows.append((account.name, f"{account.role.label('zh')} {account.role.value}",
                     account.scope.text if account.scope else "无 none", state, "是 yes" if account.must_change else ""))
    if len(rows) == 1:
        print("还没有账户。/ No accounts yet.")
        return 0
    widths = [max(width(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell + " " * (room - width(cell)) for cell, room in zip(row, widths, strict=True)).rstrip())
    return 0


def width(text: str) -> int:
    """Columns a terminal gives `text`: two for each Chinese character."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _set(args: argparse.Namespace) -> int:
    from healthdash.access import accounts
    from healthdash.access.roles import parse_role

    if args.role is None and args.scope is None:
        print("请给出 --role 或 --scope。/ Give --role and/or --scope.", file=sys.stderr)
        return 1
    role = parse_role(args.role) if args.role is not None else None
    options: dict[str, object] = {}
    if args.scope is not None:
        options["scope"], options["registry"] = _scope(args, args.scope)
    account = accounts.update_account(_store(args), args.name, role=role, by=_by(args), address=CLI_ADDRESS,
                                      **options)  # type: ignore[arg-type]
    print(f"已更新账户「{account.name}」：{account.role.label('zh')}，{_scope_words(account.scope)}。/ "
          f"Updated {account.name}: {account.role.value}, {account.scope or 'no jurisdiction'}.")
    return 0


def _switch(args: argparse.Namespace) -> int:
    from healthdash.access import accounts

    store, by = _store(args), _by(args)
    if args.users_command == "unlock":
        account = accounts.unlock(store, args.name, by=by, address=CLI_ADDRESS)
        print(f"已解锁账户「{account.name}」。/ Unlocked {account.name}.")
        return 0
    enabled = args.users_command == "enable"
    account = accounts.set_enabled(store, args.name, enabled, by=by, address=CLI_ADDRESS)
    print(f"已启用账户「{account.name}」。/ Enabled {account.name}." if enabled else
          f"已停用账户「{account.name}」，其会话均已结束。/ Disabled {account.name}; its sessions ended.")
    return 0


def _reset(args: argparse.Namespace) -> int:
    from healthdash.access import accounts

    password, made = _password(args)
    account = accounts.reset_password(_store(args), args.name, password, by=_by(args), address=CLI_ADDRESS)
    print(f"已重置账户「{account.name}」的密码，其会话均已结束。/ Reset the password of {account.name}.")
    _say_password(password, made)
    return 0


def _audit(args: argparse.Namespace) -> int:
    from healthdash.access import audit

    since = audit.day_start(args.since) if args.since else None
    until = audit.day_start(args.until) + 24 * 3600 if args.until else None
    action = audit.parse_action(args.action) if args.action else None
    user = args.user.strip().lower() if args.user else None
    found = audit.entries(_store(args), since=since, until=until, actor=user, action=action)
    if args.csv == "-":
        sys.stdout.buffer.write(audit.csv_bytes(found))
        return 0
    if args.csv:
        Path(args.csv).write_bytes(audit.csv_bytes(found))
        print(f"已导出 {len(found):,} 条审计记录到 {args.csv}。/ Wrote {len(found):,} audit rows to {args.csv}.")
        return 0
    if not found:
        print("没有符合条件的审计记录。/ No audit rows match.")
    for entry in found:
        print("  ".join(audit.cells(entry, "zh")))
    return 0

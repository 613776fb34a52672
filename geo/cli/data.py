"""Commands of ``python -m geo`` that change or list the stored figures.

``import FILE --family F --period P [--db URL] [--dry-run] [--json] [--user NAME] [--force]``
    Check a planner's file (:func:`geo.figures.importing.import_file`), print the report and, unless
    ``--dry-run``, store the accepted rows as a new batch. Exit 1 when nothing could be imported
    (no valid row, the same file already imported, refused sign-in).
``batches [--db URL] [--family F] [--period P] [--json]``
    The batch history, newest first.
``rollback BATCH [--db URL] [--user NAME]`` / ``delete BATCH [--db URL] [--user NAME]``
    Take a batch out of the current figures / delete a rolled-back batch for good.
``template --family F --out FILE [--period P] [--lang vi|en]``
    An Excel template with the province's communes
    (:func:`geo.figures.templates.template_workbook`).
``user add NAME [--password-stdin] [--email E] [--replace] [--accounts PATH]``
    Add a planner to the accounts file (asks twice for the password).

Who is recorded: without ``--user``, the OS login of whoever runs the command (shell access to
the server already gives access to the database, so it is trusted as a planner, recorded as
``os:<login>``). With ``--user NAME`` the planner's password is checked — from ``ATLAS_PASSWORD``
when set (scripts), else asked on the terminal — and the batch is recorded under NAME.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from geo.errors import AtlasError, StoreError
from geo.figures.auth import (
    MIN_PASSWORD_LENGTH,
    Accounts,
    Authenticator,
    Planner,
    add_user,
    shell_operator,
)
from geo.figures.indicators import FAMILY_NAMES
from geo.figures.store import open_store
from geo.geography.units_2025 import VINTAGE_2025
from geo.i18n import t
from geo.output.import_report import report_lines, report_payload
from geo.schema import VINTAGE_2020_2025

__all__ = ["PASSWORD_ENV", "add_data_commands"]

#: Password of ``--user`` for scripts (else it is asked on the terminal).
PASSWORD_ENV = "ATLAS_PASSWORD"


def _print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _planner(args: argparse.Namespace) -> Planner:
    """The planner behind this command (see the module docstring)."""
    if not args.user:
        return shell_operator()
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = getpass.getpass(f"Mật khẩu / password for {args.user}: ")
    return Authenticator(Accounts.load()).sign_in(args.user, password)


def _year(text: str) -> int:
    """``--period``: a year between 1900 and 2100 (argparse names the option on error)."""
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2100:
        # Before --lang is known: both languages.
        raise argparse.ArgumentTypeError(
            " / ".join(t("import.period_range", lang, value=text) for lang in ("vi", "en"))
        )
    return int(text)


def _import(args: argparse.Namespace) -> int:
    """``import``: one line with the file and the reason, never a traceback, when it fails."""
    from geo.figures.importing import UnreadableFileError

    try:
        return _import_file(args)
    except UnreadableFileError as exc:
        print(f"error: {exc.text(args.lang)}", file=sys.stderr)
        return 1
    except AtlasError:
        raise  # the command line prints it on one line with its problems
    except OSError as exc:  # --rejected-out cannot be written, the disk is full …
        print(f"error: {exc.filename or args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line for the user, not a traceback
        error = f"{type(exc).__name__}: {exc}"
        text = t("import.internal_error", args.lang, file=Path(args.path).name, error=error)
        print(f"error: {text}", file=sys.stderr)
        return 2


def _import_file(args: argparse.Namespace) -> int:
    from geo.figures.importing import import_file  # the importer; loaded only for this command

    path = Path(args.path)
    if not path.is_file():
        raise AtlasError(path.name, "file not found")
    options: dict[str, Any] = {
        "family": args.family,
        "period": args.period,
        "file_name": path.name,
        "vintage": args.vintage,
    }
    if args.sheet:
        options["sheet"] = args.sheet
    report = import_file(path, **options)
    if args.rejected_out and len(report.rejected):
        from geo.figures.importing import rejected_workbook

        Path(args.rejected_out).write_bytes(rejected_workbook(report, lang=args.lang))

    batch = None
    store = None
    error: AtlasError | None = None
    if not args.dry_run and len(report.accepted):
        planner = _planner(args)  # before opening the store: a refused sign-in writes nothing
        store = open_store(args.db)
        try:
            batch = store.import_report(report, user=planner, force=args.force)
        except StoreError as exc:  # includes a duplicate import: still print the report
            error = exc
    payload = report_payload(report, batch=batch, db=store.display_url if store else None)
    payload["dry_run"] = bool(args.dry_run)
    payload["error"] = str(error) if error else None
    if args.json:
        _print_json(payload)
    else:
        for line in report_lines(payload, lang=args.lang):
            print(line)
        if batch is not None:
            print(t("report.stored", args.lang, id=batch.id, user=batch.user))
        elif args.dry_run:
            print(t("report.dry_run", args.lang))
    if error is not None:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not len(report.accepted):
        print(f"error: {t('import.nothing', args.lang)}", file=sys.stderr)
        return 1
    return 0


def _batches(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    batches = store.batches(args.family, args.period)
    if args.json:
        _print_json({"db": store.display_url, "batches": [b.to_dict() for b in batches]})
        return 0
    print(f"{store.display_url}: {len(batches)} batches")
    for b in batches:
        status = b.status + (f" by {b.rolled_back_by}" if b.rolled_back_by else "")
        print(
            f"{b.id:>5}  {status:<24} {b.family:<13} {b.period}  "
            f"{b.accepted:>5}/{b.rejected}/{b.skipped}  {b.created_at:%Y-%m-%d %H:%M}Z  "
            f"{b.user:<20} {b.file_name}"
        )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    planner = _planner(args)
    batch = open_store(args.db).rollback(args.batch, user=planner)
    print(f"batch {batch.id} ({batch.family} {batch.period}) rolled back by {planner.name}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    planner = _planner(args)
    open_store(args.db).delete_batch(args.batch, user=planner)
    print(f"batch {args.batch} deleted by {planner.name}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from geo.figures.importing.vintage import period_vintage
    from geo.figures.templates import template_communes, template_workbook

    vintage = args.vintage or (
        period_vintage(args.period) if args.period is not None else VINTAGE_2020_2025
    )
    data = template_workbook(
        args.family,
        communes=template_communes(vintage, args.province),
        period=args.period,
        lang=args.lang,
    )
    Path(args.out).write_bytes(data)
    print(f"{args.out}: {args.family} template, vintage {vintage}, {len(data):,} bytes")
    return 0


def _user_add(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Mật khẩu / password for {args.name}: ")
        if getpass.getpass("Nhập lại / again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    try:
        path = add_user(
            args.name, password, path=args.accounts, email=args.email, replace=args.replace
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: planner {args.name.strip().lower()} saved")
    return 0


def add_data_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import``, ``batches``, ``rollback``, ``delete``, ``template`` and ``user``."""

    def db_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--db", help="database URL (default: $ATLAS_DB_URL, else data/atlas.sqlite)"
        )

    def user_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--user",
            help=f"planner to act as (password from ${PASSWORD_ENV} or asked); "
            "default: your OS login, trusted",
        )

    lang: dict[str, Any] = {"choices": ("vi", "en"), "default": "vi", "help": "language"}

    imp = commands.add_parser("import", help="check a planner's file and store it as a batch")
    imp.add_argument("path", help="CSV or Excel file")
    imp.add_argument("--family", required=True, choices=FAMILY_NAMES)
    imp.add_argument("--period", required=True, type=_year, help="period (year) of the figures")
    imp.add_argument(
        "--vintage",
        choices=(VINTAGE_2020_2025, VINTAGE_2025),
        help="boundary vintage of the codes; default: what the template says, else what the "
        "codes show, else the period's (2025 from period 2025 on); a choice the file "
        "contradicts is an error",
    )
    imp.add_argument("--sheet", help="sheet of an Excel workbook (default: the first)")
    db_option(imp)
    imp.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    imp.add_argument("--json", action="store_true", help="print JSON")
    user_option(imp)
    imp.add_argument("--force", action="store_true", help="import a file already imported")
    imp.add_argument("--rejected-out", help="write the rejected rows to this .xlsx")
    imp.add_argument("--lang", **lang)
    imp.set_defaults(handler=_import)

    batches = commands.add_parser("batches", help="list the imported batches")
    db_option(batches)
    batches.add_argument("--family", choices=FAMILY_NAMES)
    batches.add_argument("--period", type=int)
    batches.add_argument("--json", action="store_true", help="print JSON")
    batches.set_defaults(handler=_batches)

    rollback = commands.add_parser("rollback", help="take a batch out of the current figures")
    rollback.add_argument("batch", type=int, help="batch id")
    db_option(rollback)
    user_option(rollback)
    rollback.set_defaults(handler=_rollback)

    delete = commands.add_parser("delete", help="delete a rolled-back batch for good")
    delete.add_argument("batch", type=int, help="batch id")
    db_option(delete)
    user_option(delete)
    delete.set_defaults(handler=_delete)

    template = commands.add_parser("template", help="write an Excel template for a family")
    template.add_argument("--family", required=True, choices=FAMILY_NAMES)
    template.add_argument("--out", required=True, help="output .xlsx")
    template.add_argument("--period", type=int, help="period to pre-fill")
    template.add_argument("--province", default="17", help="GSO province code (default 17)")
    template.add_argument(
        "--vintage",
        choices=(VINTAGE_2020_2025, VINTAGE_2025),
        help="communes to list: 2020-2025 (with districts) or 2025 (no districts); "
        "default: the period's (2025 from period 2025 on)",
    )
    template.add_argument("--lang", **lang)
    template.set_defaults(handler=_template)

    user = commands.add_parser("user", help="manage planner accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a planner (asks twice for the password)")
    add.add_argument("name", help="user name: lower-case letters, digits, _ . -")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from the first line of stdin (≥ {MIN_PASSWORD_LENGTH} chars)",
    )
    add.add_argument("--email", help="e-mail for OIDC sign-in")
    add.add_argument("--replace", action="store_true", help="set a new password if NAME exists")
    add.add_argument("--accounts", help="accounts file (default: $ATLAS_ACCOUNTS or config/)")
    add.set_defaults(handler=_user_add)

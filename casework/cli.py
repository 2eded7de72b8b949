"""The ``casework`` command: one front door to running, building demo data and the rule engines.

``casework rules NAME`` runs without Django or a database, so other systems and auditors can call
the rule engines directly. Everything else is a Django management command underneath.
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_SETTINGS = "casework.settings.local"

COMMANDS = {
    "serve": "serve Casework on http://127.0.0.1:8000 (development server)",
    "demo": "build the demo world (people, staff, cases) and its logins; idempotent",
    "generate": "generate the seeded benchmark dataset: --scale national|region|demo; reused if loaded",
    "rules": "run a rule engine on JSON Lines from stdin (no database needed)",
    "remind": "email practitioners their overdue and soon-due safeguard tasks (once a day each; for cron)",
    "snapshot-workload": "keep this week's workload of every practitioner (idempotent per week; for cron)",
    "backup": "back up the database to a file (SQLite online backup or pg_dump, with a manifest and checksum)",
    "restore": "restore a backup, checked before and after (refuses a non-empty database without --force)",
    "audit": "the audit log: casework audit verify checks its hash chain",
    "check-integrity": "check the record's invariants (one case manager per case, tiers reproducible, ...)",
    "createadmin": "create an administrator account",
    "migrate": "bring the database schema up to date",
    "check": "check the configuration (add --deploy under production settings)",
    "manage": "run any Django management command: casework manage COMMAND ...",
}


def _parser() -> argparse.ArgumentParser:
    from casework.rules import registry

    parser = argparse.ArgumentParser(
        prog="casework",
        description="Casework: probation case supervision for England and Wales.",
        epilog=(
            "Settings come from the environment: DATABASE_URL (default: SQLite under var/), "
            "DJANGO_SETTINGS_MODULE (default: casework.settings.local; use casework.settings.production "
            "in production), SECRET_KEY, ALLOWED_HOSTS. See README.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    serve.add_argument("address", nargs="?", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
    demo = sub.add_parser("demo", help=COMMANDS["demo"], description=COMMANDS["demo"])
    demo.add_argument("--reset", action="store_true", help="delete the demo world and build it again")
    generate = sub.add_parser("generate", help=COMMANDS["generate"], description=COMMANDS["generate"])
    generate.add_argument("--scale", choices=["national", "region", "demo"], default="national",
                          help="national: 245,000 people and 5,000,000 contacts (default); region: a twelfth")
    generate.add_argument("--reset", action="store_true", help="delete the loaded world and generate it again")
    generate.add_argument("--no-progress", action="store_true", help="no progress bars")
    generate.add_argument("--no-summary", action="store_true", help="skip the distributions summary")
    rules = sub.add_parser(
        "rules",
        help=COMMANDS["rules"],
        description=(
            "Read one JSON request per line on stdin, write one JSON result per line on stdout. A line "
            "that fails validation gets {\"error\": {\"field\": ..., \"message\": ...}}; the exit status is "
            "2 if any line failed, else 0. Every contract (fields, codes, examples, errors) is described in "
            "docs/contracts.md; the same requests and responses are served at POST /api/rules/NAME."
        ),
    )
    rules.add_argument("name", choices=registry.names(), help="which rule engine (see docs/contracts.md)")
    rules.add_argument(
        "--stored-config",
        action="store_true",
        help="use the rule configuration in force in Casework's database (as the API and pages do) "
        "instead of the published defaults; needs DATABASE_URL",
    )
    remind = sub.add_parser("remind", help=COMMANDS["remind"], description=COMMANDS["remind"])
    remind.add_argument("--dry-run", action="store_true", help="say who would be emailed; send nothing")
    sub.add_parser("snapshot-workload", help=COMMANDS["snapshot-workload"], description=(
        "Record this week's points, available points and capacity of every practitioner in post (PO, PQiP, "
        "PSO), one snapshot each per week (the Monday). Run again in the same week, it updates in place the "
        "snapshots whose figures changed and leaves the rest; past weeks are never changed. Four "
        "consecutive weeks over 110% show as sustained on /workload/."))
    backup = sub.add_parser("backup", help=COMMANDS["backup"], description=COMMANDS["backup"])
    backup.add_argument("path", help="the backup file to write")
    restore = sub.add_parser("restore", help=COMMANDS["restore"], description=(
        "Restore a backup written by casework backup into the configured database (stop Casework first). "
        "Refused, leaving the database as it was, for a truncated or corrupt file, a backup from a newer "
        "schema, or a database that holds data without --force. Afterwards every table's row count is "
        "compared with the backup's and the audit hash chain verified."))
    restore.add_argument("path", help="the backup file")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
    audit = sub.add_parser("audit", help=COMMANDS["audit"], description=COMMANDS["audit"])
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="recompute the audit log's hash chain and report the first broken link "
                         "(exit status 1)", description="Walk the audit log in id order, recompute each row's hash "
                         "and report the first broken link: a row changed, or one deleted or inserted before it.")
    sub.add_parser("check-integrity", help=COMMANDS["check-integrity"], description=(
        "Check the record's invariants and print each violation with its ids and CRNs, then a summary; exit "
        "status 1 if any."))
    admin = sub.add_parser("createadmin", help=COMMANDS["createadmin"], description=COMMANDS["createadmin"])
    admin.add_argument("--username", help="the administrator's username")
    admin.add_argument("--email", default="", help="their email address")
    sub.add_parser("migrate", help=COMMANDS["migrate"], description=COMMANDS["migrate"])
    check = sub.add_parser("check", help=COMMANDS["check"], description=COMMANDS["check"])
    check.add_argument("--deploy", action="store_true", help="also run the deployment checks")
    manage = sub.add_parser("manage", help=COMMANDS["manage"], description=COMMANDS["manage"])
    manage.add_argument("args", nargs=argparse.REMAINDER, help="the management command and its arguments")
    return parser


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["casework", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "rules":
        from casework.rules.cli import run

        if not args.stored_config:
            return run(args.name, sys.stdin, sys.stdout)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
        import django

        django.setup()
        from casework.ruleset.handlers import answer_configured

        return run(args.name, sys.stdin, sys.stdout, handler=answer_configured)
    if args.command == "serve":
        return _django(["runserver", args.address])
    if args.command == "demo":
        return _django(["demo", *(["--reset"] if args.reset else [])])
    if args.command == "generate":
        flags = [f"--{name.replace('_', '-')}" for name in ("reset", "no_progress", "no_summary")
                 if getattr(args, name)]
        return _django(["generate", "--scale", args.scale, *flags])
    if args.command == "remind":
        return _django(["remind", *(["--dry-run"] if args.dry_run else [])])
    if args.command == "snapshot-workload":
        return _django(["snapshot_workload"])
    if args.command == "backup":
        return _django(["backup", args.path])
    if args.command == "restore":
        return _django(["restore", args.path, *(["--force"] if args.force else [])])
    if args.command == "audit":
        return _django(["audit_verify"])
    if args.command == "check-integrity":
        return _django(["check_integrity"])
    if args.command == "createadmin":
        extra = (["--username", args.username] if args.username else []) + (
            ["--email", args.email] if args.email else []
        )
        return _django(["createadmin", *extra])
    if args.command == "check":
        return _django(["check", *(["--deploy"] if args.deploy else [])])
    if args.command == "migrate":
        return _django(["migrate", "--no-input"])
    return _django(args.args or ["help"])


if __name__ == "__main__":
    sys.exit(main())

"""bin/migrate <stage> [--dry-run]: apply a stage's D1 migrations with the pinned wrangler, prod only after a
recovery point.

The ids come from the stage's stack outputs (wranglerConfigs): --outputs FILE holds the JSON of
`pulumi stack output --json` ("-": standard input); without it, bin/migrate runs that command itself
(--stack, default the stage). Each database's migrations folder is its migrations_dir in those configs
(default migrations/), under --root. Cloudflare credentials come from the environment
(CLOUDFLARE_API_TOKEN), e.g. through `infisical run --env=<stage> --path=/cloudflare -- bin/migrate <stage>`.

Recovery point (prod): before any statement reaches a prod database, bin/migrate records its D1 Time Travel
bookmark (wrangler d1 time-travel info), saves it in the records folder (--records, default .migrate/;
the deploy uploads it and writes it to the job summary), and prints the restore command before and after:
  wrangler d1 time-travel restore <database> --bookmark=<bookmark>
No bookmark, no migration. prod also refuses any migration that staging has not applied with the same
content (staging's ledger: <records>/staging.ledger.json, written by `bin/migrate staging`).

Every stage: a migration file edited after it was applied is refused (wrangler's d1_migrations ledger
keeps names only; bin/migrate keeps each applied file's SHA-256 in the d1_migration_hashes table of the
same database). --dry-run reads the ledgers and lists what would run; it writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from components.rules.naming import is_valid_stage  # standard library only
from components.rules.terminal import HelpFormatter
from migrate import exits

ROOT = Path(__file__).resolve().parents[1]
RECORDS = Path(".migrate")


def parse(argv: list[str] | None) -> argparse.Namespace:
    codes = "\n".join(f"  {code}  {text}" for code, text in exits.DESCRIPTIONS.items())
    parser = argparse.ArgumentParser(
        prog="bin/migrate",
        description=__doc__,
        epilog=f"exit codes:\n{codes}",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("stage", help="the stage to migrate: dev, staging, prod or pr-<number>")
    parser.add_argument("--dry-run", action="store_true", help="list what would run; change nothing")
    parser.add_argument("--outputs", metavar="FILE", help="JSON of `pulumi stack output --json` (-: standard input)")
    parser.add_argument("--stack", help="without --outputs: the stack to read outputs from (default: the stage)")
    parser.add_argument("--records", type=Path, default=RECORDS, help="records folder (default .migrate/)")
    parser.add_argument(
        "--staging-ledger",
        type=Path,
        metavar="FILE",
        help="prod: staging's ledger (default <records>/staging.ledger.json)",
    )
    parser.add_argument("--summary", type=Path, metavar="FILE", help="append a Markdown summary (job summary)")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the app folder the migrations_dir paths are relative to (default: this project)",
    )
    args = parser.parse_args(argv)
    if not is_valid_stage(args.stage):
        parser.error(f"{args.stage!r} is not a stage (dev, staging, prod or pr-<number>)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Everything below needs more than the standard library: imported once the arguments are known.
    from migrate.run import Options, run  # noqa: PLC0415 (after parsing: --help answers without it)

    records = args.records if args.records.is_absolute() else Path.cwd() / args.records
    options = Options(
        stage=args.stage,
        dry_run=args.dry_run,
        outputs=args.outputs,
        stack=args.stack or args.stage,
        records=records,
        staging_ledger=args.staging_ledger,
        summary=args.summary,
        root=args.root.resolve(),
    )
    return run(options, os.environ)


if __name__ == "__main__":
    sys.exit(main())

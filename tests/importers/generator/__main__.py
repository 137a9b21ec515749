"""``python -m tests.importers.generator --count 500 --seed 2026 [--formats …] [--keep DIR]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .render import FORMATS
from .run import by_trait, causes, recheck, run, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.importers.generator")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help=f"comma-separated, of {', '.join(FORMATS)}"
    )
    parser.add_argument("--keep", type=Path, help="copy failing files and their diffs here")
    parser.add_argument("--workdir", type=Path, help="render into this directory and keep it")
    parser.add_argument(
        "--recheck",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="import files already rendered (from --workdir or --keep) again and compare",
    )
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    if args.recheck:
        result = recheck(args.seed, args.count, args.recheck, keep=args.keep)
        found = tuple(f for f in FORMATS if result.select(fmt=f))
        print(table(result, found))
        print("\nrows exact by layout choice:")
        print(by_trait(result, found))
        print("\nmost frequent differences:")
        print(causes(result))
        for r in result.results:
            if not r.outcome.right:
                print(f"{r.path.name}: {r.outcome.exact}/{r.outcome.rows} rows exact")
        return 0
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.seed, args.count, formats, keep=args.keep, workdir=args.workdir)
    print(f"seed {args.seed}, {args.count} documents, formats: {', '.join(formats)}\n")
    print(table(result, formats))
    print("\nrows exact by layout choice:")
    print(by_trait(result, formats))
    print("\nmost frequent differences:")
    print(causes(result))
    print("\ntimings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
    if args.keep:
        print(f"failing files and diffs in {args.keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

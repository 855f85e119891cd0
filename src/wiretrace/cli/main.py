"""The ``wiretrace`` command: a thin shell over the Python API.

Exit codes: 0 success (also when some input records were rejected: they are
listed in ``rejected.jsonl``; or kept with an unusable field left empty: listed
in ``warnings.jsonl``), 1 failure (no readable article, unreadable
input, an unexpected error), 2 bad usage (unknown option, invalid parameter
value), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from wiretrace import __version__
from wiretrace.cli import attribute, compare, serve, trace
from wiretrace.cli.common import Failure, describe_error, say

EPILOG = "exit codes: 0 done, 1 failed (no readable input, error), 2 bad usage, 130 interrupted"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or progress lines")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an unexpected error")
    parser = argparse.ArgumentParser(
        prog="wiretrace", epilog=EPILOG,
        description="Find reused passages across news articles, group articles into "
                    "stories and show what each version changed.")
    parser.add_argument("--version", action="version", version=f"wiretrace {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars or progress lines")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    trace.add_parser(sub, [common], EPILOG)
    compare.add_parser(sub, [common], EPILOG)
    attribute.add_parser(sub, [common], EPILOG)
    serve.add_parser(sub, [common], EPILOG)

    from wiretrace.cli.index import add_parser as add_index_parser

    add_index_parser(sub, [common])
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        out, err = Console(), Console(stderr=True, soft_wrap=True)
        try:
            return args.func(args, out, err)
        except Failure as e:
            say(err, f"wiretrace: error: {e}", "red")
            return 1
        except KeyboardInterrupt:
            say(err, "wiretrace: interrupted", "red")
            return 130
        except Exception as e:
            if args.debug:
                raise
            say(err, f"wiretrace: error: {describe_error(e)} (run with --debug for the traceback)",
                 "red")
            return 1
    except SystemExit as e:  # argparse: --help, --version, bad usage
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)

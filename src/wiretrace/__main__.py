"""``python -m wiretrace``: the same as the ``wiretrace`` command."""

from wiretrace.cli.main import main

# guarded: a spawned worker process imports this module again (as ``__mp_main__``)
if __name__ == "__main__":
    raise SystemExit(main())

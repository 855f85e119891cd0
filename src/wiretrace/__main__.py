"""``python -m wiretrace``: the same as the ``wiretrace`` command."""

from wiretrace.cli import main

raise SystemExit(main())

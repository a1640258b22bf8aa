"""Allow ``python -m bot`` as an alternative to the ``wijkbot`` console script."""

from bot.cli import main

raise SystemExit(main())

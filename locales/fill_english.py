"""Fill empty entries of the English catalog with their message ids.

Message ids are written in English, so the English catalog is the identity translation;
run this after ``pybabel update`` so that it stays complete::

    python -m locales.fill_english
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        if message.fuzzy:
            message.flags.discard("fuzzy")
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, no_location=True, sort_output=True)
    print(f"{CATALOG}: filled {filled} entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Translation catalogs (``messages.pot``, ``nl`` and ``en``).

A package only so that the catalogs install together with wijkbot; see README.md for the
extract/update/compile commands.
"""

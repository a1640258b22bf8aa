"""wijkbot: run an integral local-safety partnership from inside Telegram chats.

The package ``bot`` assembles the application (settings, i18n, permissions, scheduling,
command line) and holds the domain services that are not Telegram-specific. Telegram
handlers live in ``handlers``, persistence in ``storage``, analytics and charts in
``charts``, translations in ``locales``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wijkbot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

"""Errors the user can act on. They carry an untranslated message id and named parameters,
so the text is translated into the language of whoever receives it."""

from __future__ import annotations

import html

from bot.i18n import Msgid, _


class UserError(Exception):
    """A request that cannot be carried out, with a translatable explanation."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self) -> str:
        """The message as Telegram HTML, in the current locale. Parameters are escaped: they
        often hold what the user typed (“/actie <b>x | …” once broke the reply, and the
        user got “something went wrong” instead of “unknown area”)."""
        # Parameters may be callables (e.g. a translated label) so that they, too, are
        # rendered in the receiving user's language.
        params = {
            k: html.escape(str(v() if callable(v) else _(v) if isinstance(v, Msgid) else v),
                           quote=False)
            for k, v in self.params.items()
        }
        return _(self.message).format(**params)

"""The global error handler and the fallbacks for input nobody else handled."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.commands import CB, named, suggest
from bot.context import WijkApp, WijkContext
from bot.i18n import _, get_locale
from handlers.common import (
    ANSWER,
    dialogue_ended,
    edited_command,
    esc,
    reply,
    stale_button,
)

log = logging.getLogger(__name__)

# Errors meaning the chat is gone for good (bot kicked, group deleted, user blocked).
_GONE = ("bot was kicked", "chat not found", "bot is not a member", "group chat was deleted",
         "bot was blocked", "user is deactivated")


async def on_error(update: object, context: WijkContext) -> None:
    """Log with the update id and tell the user, in their language, without internals."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    if isinstance(error, Forbidden | BadRequest) and any(
        phrase in str(error).lower() for phrase in _GONE
    ):
        try:
            await context.partnership.chat_gone(chat_id, "chat_gone")
        except Exception:
            log.exception("could not end the link of chat %s", chat_id)
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(
                _("Sorry, something went wrong. Please try again."), show_alert=True
            )
        else:
            await reply(update, _("Sorry, something went wrong on my side. Please try again; "
                                  "if it keeps happening, tell your project leader."))
    except TelegramError:
        log.warning("could not report the error to chat %s", chat_id)


async def unknown_command(update: Update, context: WijkContext) -> None:
    """A command nobody handles: name the one that was probably meant, if any."""
    message = update.effective_message
    typed = ""
    if message is not None and message.text:
        typed = message.text.split(maxsplit=1)[0].lstrip("/").split("@", 1)[0]
    spec = suggest(typed) if typed else None
    if spec is None:
        await reply(update, _("I do not know that command. /help shows what you can do."))
        return
    language = get_locale()
    await reply(update, _("I do not know /{typed}. Did you mean /{command} ({description})? "
                          "/help shows what you can do.").format(
        typed=esc(typed[:40]), command=spec.name_for(language),
        description=esc(_(spec.description))))


async def stray_text(update: Update, context: WijkContext) -> None:
    """Text outside a dialogue; one word that names a command ("help") gets that command."""
    message = update.effective_message
    words = message.text.split() if message is not None and message.text else []
    spec = named(words[0]) if len(words) == 1 else None
    if spec is None:
        await reply(update, _("I did not understand that. /help shows what you can do."))
        return
    await reply(update, _("I did not understand that. Did you mean /{command} "
                          "({description})?").format(
        command=spec.name_for(get_locale()), description=esc(_(spec.description))))


async def stray_attachment(update: Update, context: WijkContext) -> None:
    """A location or photo outside a dialogue (say, after /inbraak timed out): silence
    would leave someone in the street wondering whether it arrived."""
    await reply(update, _("What should I do with this? Start /log to add it to a field log "
                          "or /burglary to register a burglary, then send it when I ask."))


async def stray_other(update: Update, context: WijkContext) -> None:
    """Anything else in a private chat (a voice note, a sticker, a contact): said what
    the bot cannot do with it, rather than silence."""
    message = update.effective_message
    if message is not None and (message.voice or message.audio or message.video
                                or message.video_note):
        await reply(update, _("I cannot listen to or watch recordings. Please type what you "
                              "want to say; /help shows what you can do."))
        return
    await reply(update, _("I cannot do anything with this. /help shows what you can do."))


def register(app: WijkApp) -> None:
    app.add_error_handler(on_error)
    private = filters.ChatType.PRIVATE
    # Last in group 0: PTB runs only the first matching handler of a group, so these are
    # reached only when no capability handler took the message. (In a group of their own
    # they would run *in addition to* the real handler.)
    # New messages only: an edit of a message is no new question (and an edited answer in
    # a dialogue is ignored there too, see handlers.common.ANSWER).
    new = private & ANSWER
    app.add_handler(MessageHandler(new & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, stray_text))
    # New messages only: a live location's updates arrive as edits, every few seconds.
    app.add_handler(MessageHandler(new & (filters.LOCATION | filters.PHOTO), stray_attachment))
    # Everything else someone sends (documents are uploads: handlers.incidents).
    app.add_handler(MessageHandler(new & ~filters.StatusUpdate.ALL, stray_other))
    # An edited command (no capability answers edits, see handlers.common.Command).
    app.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE
                                   & filters.COMMAND, edited_command))
    # A dialogue's button that no open dialogue took: timed out, restarted, someone else's.
    app.add_handler(CallbackQueryHandler(dialogue_ended, pattern=(
        rf"^(?:{CB.ACTION_FORM}:|{CB.FIELD_LOG}:|{CB.NEW_PROJECT}:|"
        rf"{CB.BURGLARY}:(?:when|st|att|mo|cancel)\b)")))
    # Any other button nobody took.
    app.add_handler(CallbackQueryHandler(stale_button))

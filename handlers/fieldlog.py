"""``/melding`` (alias ``/log``): a wijkagent or partner logs, from the street, what they did
or saw — one tap for the kind, text, optional location (live or pinned), street, photos and
action code, one tap to save. ``/meldingen [gebied] [dagen]`` lists them.

The one-line form saves at once: ``/melding surveillance Dorpsstraat quiet tonight A12``.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.fieldlog import (
    KINDS,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    FieldDraft,
    split_kind,
)
from bot.i18n import N_, _, format_datetime, format_number, ngettext
from bot.permissions import Permission
from handlers.common import (
    ANSWER,
    NO_KEYBOARD,
    Command,
    cancel_dialogue,
    command_text,
    drop_buttons,
    edit_or_reply,
    edited_command,
    esc,
    get_access,
    guard,
    keyboard,
    location_keyboard,
    one_at_a_time,
    reply,
    reply_paged,
    reply_with_keyboards,
    tell,
)
from storage.field_logs import FieldLog, Photo

KIND, COLLECT = range(2)
_DRAFT = "field_draft"
_PANEL = "field_panel"  # the draft message that carries the live Save/Cancel buttons
_KEYS = "field_keys"    # the one-tap location button is under the text field
_STREET = re.compile(r"(?i)\s*(?:straat|street)\s*:?\s+(.+)")  # "straat: Dorpsstraat"
MAX_LISTED = 30


def _draft(context: WijkContext) -> FieldDraft:
    assert context.user_data is not None
    draft = context.user_data.get(_DRAFT)
    if not isinstance(draft, FieldDraft):
        raise UserError(N_("This log has expired. Start again with /log."))
    return draft


def _kind_buttons() -> list[list[tuple[str, str]]]:
    keys = list(KINDS)
    rows = [[(_(KINDS[a]), f"{CB.FIELD_LOG}:kind:{a}"), (_(KINDS[b]), f"{CB.FIELD_LOG}:kind:{b}")]
            for a, b in zip(keys[::2], keys[1::2], strict=True)]
    rows.append([(_("Cancel"), f"{CB.FIELD_LOG}:cancel")])
    return rows


def _save_buttons() -> list[list[tuple[str, str]]]:
    return [[(_("Save"), f"{CB.FIELD_LOG}:save"), (_("Cancel"), f"{CB.FIELD_LOG}:cancel")]]


def _draft_text(draft: FieldDraft, *, hint: bool = True, button: bool = False) -> str:
    """The draft as it stands; ``hint``: what can be added (``button``: the location by
    the one-tap button under the text field, else by the attachment menu)."""
    lines = ["<b>" + (_(KINDS[draft.kind]) if draft.kind else _("Field log")) + "</b>"]
    if draft.text:
        lines.append(esc(draft.text))
    if draft.location:
        lines.append("📍 " + (_("live location") if draft.live else _("location")))
    if draft.street:
        lines.append("🏠 " + esc(draft.street))
    if draft.photos:
        lines.append("📷 " + ngettext("{count} photo", "{count} photos",
                                      len(draft.photos)).format(count=len(draft.photos)))
    if draft.action_code:
        lines.append("→ " + _("counts as a result of {code}").format(code=draft.action_code))
    if hint:
        lines.append("")
        lines.append(_("Add text, your location (📍 button below), a street, photos or an "
                       "action code like A12 — then tap Save.") if button else
                     _("Add text, a location (📎 → Location), a street, photos or an action "
                       "code like A12 — then tap Save."))
    return "\n".join(lines)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def _keys_shown(context: WijkContext) -> bool:
    return bool(context.user_data and context.user_data.get(_KEYS))


async def _show(update: Update, context: WijkContext, text: str,
                markup: InlineKeyboardMarkup, *, keys: bool | None = None) -> Message | None:
    """Send a dialogue message; ``keys``: put the one-tap location button under the text
    field (True; again if it folded away when tapped), take it away (False) or leave it as
    it is (None). In private chats only: Telegram has the button nowhere else."""
    assert context.user_data is not None
    if not _private(update) or keys is None or (keys is False and not _keys_shown(context)):
        return await reply(update, text, markup=markup)
    context.user_data[_KEYS] = keys
    return await reply_with_keyboards(
        update, text, markup,
        location_keyboard(_("Text, a street or A12")) if keys else NO_KEYBOARD)


async def _add_text(update: Update, context: WijkContext, draft: FieldDraft,
                    text: str) -> None:
    """Add the text of the update's message to the log, with the action code it names
    that this person may report on (an edit: replace what the message said)."""
    message = update.effective_message
    assert message is not None
    access = await get_access(update, context)
    assert access.user_id is not None
    code = await context.field_logs.linked_action(access.user_id, draft.project_id, text,
                                                  access.chat_kind)
    draft.set_part(message.message_id, text, code)
    await _find_street(context, draft)


async def _find_street(context: WijkContext, draft: FieldDraft) -> None:
    """The street the text names, unless one was given with "straat: …"."""
    if not draft.street_typed:
        draft.street = await context.field_logs.known_street(draft.project_id, draft.text)


async def _take_text(update: Update, context: WijkContext, draft: FieldDraft, text: str, *,
                     may_be_street: bool) -> str | None:
    """A message's text into the log: a "straat: …" line (``may_be_street``) gives the
    street, anything else is text. Returns the problem, if any."""
    street = _STREET.fullmatch(text) if may_be_street else None
    if street is None:
        await _add_text(update, context, draft, text)
        return None
    try:
        draft.street = await context.field_logs.street_name(draft.project_id,
                                                            street.group(1))
    except UserError as err:
        await _find_street(context, draft)  # an edit may have taken the typed one away
        return err.render()
    message = update.effective_message
    assert message is not None
    draft.street_typed, draft.street_message = True, message.message_id
    return None


def _panel(draft: FieldDraft, problem: str | None, *,
           button: bool) -> tuple[str, InlineKeyboardMarkup]:
    """The draft on screen (after the problem, if any) and its buttons."""
    text = _draft_text(draft, button=button)
    if problem:
        text = "⚠️ " + problem + "\n\n" + text
    return text, keyboard(_save_buttons() if draft.kind else _kind_buttons())


# -- the dialogue --------------------------------------------------------------------------


@guard(Permission.LOG_FIELD)
async def _start(update: Update, context: WijkContext, access: Access) -> None:
    assert context.user_data is not None and access.project_id is not None
    assert access.user_id is not None
    draft = await context.field_logs.start(access.user_id, access.project_id, access.chat_kind)
    kind, text = split_kind(command_text(update))
    draft.kind = kind
    await _add_text(update, context, draft, text)
    if kind and text:
        await _save(update, context, draft)  # the one-line form: nothing to ask
        return
    context.user_data[_DRAFT] = draft
    context.user_data.pop(_KEYS, None)
    # From the first message on, the location is one tap away (on a phone in the street).
    if kind:
        panel = await _show(update, context, _draft_text(draft, button=_private(update)),
                            keyboard(_save_buttons()), keys=True)
    else:
        panel = await _show(update, context, _("<b>Field log</b> — what did you do or see?"),
                            keyboard(_kind_buttons()), keys=True)
    context.user_data[_PANEL] = panel


async def entry(update: Update, context: WijkContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(_DRAFT, None)
    await _start(update, context)
    draft = context.user_data.get(_DRAFT)
    if not isinstance(draft, FieldDraft):
        return ConversationHandler.END
    return COLLECT if draft.kind else KIND


async def kind_chosen(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    key = query.data.rsplit(":", 1)[1]
    try:
        draft = _draft(context)
    except UserError as err:
        await edit_or_reply(update, err.render())
        return ConversationHandler.END
    if key not in KINDS:
        return KIND
    draft.kind = key
    await edit_or_reply(update, _draft_text(draft, button=_keys_shown(context)),
                        markup=keyboard(_save_buttons()))
    assert context.user_data is not None
    context.user_data[_PANEL] = query.message
    return COLLECT


async def collected(update: Update, context: WijkContext) -> int:
    """Text, a location or photos while the log is open: added to the draft."""
    message = update.effective_message
    assert message is not None
    try:
        draft = _draft(context)
    except UserError as err:
        await reply(update, err.render())
        return ConversationHandler.END
    problem: str | None = None
    keys: bool | None = None  # the location button: as it is
    if message.location is not None:
        lat, lon = message.location.latitude, message.location.longitude
        try:
            await context.field_logs.check_location(draft.project_id, lat, lon)
        except UserError as err:
            problem = err.render()
            # Refused: the button (folded away when tapped) comes back for another try.
            keys = True if _keys_shown(context) else None
        else:
            keys = False  # the place is known: the button goes
            draft.location = (lat, lon)
            draft.live = bool(message.location.live_period)
    elif message.photo or (message.document is not None and (
            message.document.mime_type or "").startswith("image/")):
        problem = _add_photo(draft, message)
        if message.caption and problem is None:  # a refused photo's caption goes with it
            await _add_text(update, context, draft, message.caption)
    elif message.text:
        problem = await _take_text(update, context, draft, message.text, may_be_street=True)
    else:
        problem = _("I can add text, a location or photos to this log.")
    assert context.user_data is not None
    text, markup = _panel(draft, problem, button=_keys_shown(context) if keys is None else keys)
    # The draft is shown anew below what was added; the old copy loses its buttons.
    await drop_buttons(context.user_data.get(_PANEL))
    context.user_data[_PANEL] = await _show(update, context, text, markup, keys=keys)
    return COLLECT if draft.kind else KIND


async def edited(update: Update, context: WijkContext) -> None:
    """A message edited while the log is open. The text, caption or "straat: …" of a
    message already in the log is replaced by its new version, and the draft on screen is
    updated in place (nothing new is posted); an edited command is not run again."""
    message = update.edited_message
    assert message is not None and context.user_data is not None
    draft = context.user_data.get(_DRAFT)
    mid = message.message_id
    if not isinstance(draft, FieldDraft) or (mid not in draft.parts
                                             and mid != draft.street_message):
        if message.text and message.text.startswith("/"):
            await edited_command(update, context)
        return
    text = message.text or message.caption or ""
    command = text.startswith("/")
    if command:  # the /melding line itself: its text, without the kind word
        text = split_kind(command_text(update))[1]
    # What this message gave before goes; its new version is read as if sent now.
    draft.forget(mid)
    problem = await _take_text(update, context, draft, text,
                               may_be_street=bool(message.text) and not command)
    shown, markup = _panel(draft, problem, button=_keys_shown(context))
    panel = context.user_data.get(_PANEL)
    if isinstance(panel, Message):
        try:
            await panel.edit_text(shown, parse_mode=ParseMode.HTML, reply_markup=markup,
                                  disable_web_page_preview=True)
            return
        except BadRequest as err:
            if "not modified" in err.message:  # the edit changed nothing the draft shows
                return
            await drop_buttons(panel)  # too old to edit, or deleted: shown anew below
    context.user_data[_PANEL] = await _show(update, context, shown, markup)


def _add_photo(draft: FieldDraft, message: Message) -> str | None:
    if len(draft.photos) >= MAX_PHOTOS:
        return _("At most {max} photos per log.").format(max=MAX_PHOTOS)
    if message.photo:
        best = message.photo[-1]  # the largest size Telegram made
        file_id, unique, size = best.file_id, best.file_unique_id, best.file_size
        width, height = best.width, best.height
    else:
        assert message.document is not None
        file_id, unique = message.document.file_id, message.document.file_unique_id
        size, width, height = message.document.file_size, None, None
    if size is not None and size > MAX_PHOTO_BYTES:
        return _("This photo is {size} MB; at most {max} MB. Send it as a photo (not as a "
                 "file) so Telegram makes it smaller.").format(
            size=format_number(round(size / 1_048_576, 1)), max=MAX_PHOTO_BYTES // 1_048_576)
    draft.photos.append(Photo(file_id, unique, width, height, size))
    return None


async def save_button(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    try:
        draft = _draft(context)
    except UserError as err:
        await edit_or_reply(update, err.render())
        return ConversationHandler.END
    pressed = query.message if isinstance(query.message, Message) else None
    if await _save(update, context, draft, record=pressed):
        assert context.user_data is not None
        context.user_data.pop(_DRAFT, None)
        context.user_data.pop(_PANEL, None)
        return ConversationHandler.END
    return COLLECT


async def _save(update: Update, context: WijkContext, draft: FieldDraft, *,
                record: Message | None = None) -> bool:
    """Save the draft; ``record`` (the draft message whose Save was tapped) then becomes
    the record of what was saved, without buttons or the hint."""
    access = await get_access(update, context)
    assert access.user_id is not None
    try:
        saved = await context.field_logs.save(access.user_id, access.chat_kind,
                                              access.chat_id, draft)
    except UserError as err:
        await tell(update, err.render())
        return False
    await drop_buttons(record, _draft_text(draft, hint=False))
    keys = context.user_data.pop(_KEYS, None) if context.user_data is not None else None
    await reply(update, saved_text(saved), markup=NO_KEYBOARD if keys else None)
    return True


def saved_text(log: FieldLog) -> str:
    parts = [_("Logged: {kind}").format(kind=_(KINDS[log.kind]))]
    if log.area_name:
        parts.append(_("area {area}").format(area=esc(log.area_name)))
    elif log.street:
        parts.append(esc(log.street))
    if log.photos:
        parts.append(ngettext("{count} photo", "{count} photos", log.photos).format(
            count=log.photos))
    text = "✅ " + ", ".join(parts) + "."
    if log.action_number is not None:
        text += "\n" + _("Added as a result of A{number}.").format(number=log.action_number)
    return text


async def cancel(update: Update, context: WijkContext) -> int:
    assert context.user_data is not None
    return await cancel_dialogue(update, context, _DRAFT,
                                 prompt=context.user_data.pop(_PANEL, None),
                                 keyboard_shown=bool(context.user_data.pop(_KEYS, None)))


# -- /meldingen ----------------------------------------------------------------------------


def parse_list_args(text: str) -> tuple[str | None, int]:
    """``[area] [days]``: ``Centrum 30``, ``30``, ``Oude Wijk``, ``4w``."""
    words = text.split()
    days = 14
    if words:
        # Any number is the period (the service says when it is out of range), never
        # part of an area name.
        match = re.fullmatch(r"(\d+)([dw]?)", words[-1].casefold())
        if match:
            days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
            words = words[:-1]
    return (" ".join(words) or None), days


@guard(Permission.VIEW_FIELD_LOGS)
async def list_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    area, days = parse_list_args(command_text(update))
    summary = await context.field_logs.summary(access.user_id, access.project_id,
                                               access.chat_kind, area=area, days=days)
    heading = (ngettext("<b>Field logs in {area}, last {days} day</b>",
                        "<b>Field logs in {area}, last {days} days</b>", days) if summary.area
               else ngettext("<b>Field logs, last {days} day</b>",
                             "<b>Field logs, last {days} days</b>", days)).format(
        area=esc(summary.area or ""), days=format_number(days))
    if not summary.logs:
        await reply(update, heading + "\n" + _("Nothing logged in this period."))
        return
    lines = [heading, ngettext("{count} log", "{count} logs", len(summary.logs)).format(
        count=format_number(len(summary.logs)))]
    lines.append("")
    lines.append("<b>" + _("Per area and kind") + "</b>")
    for where, kind, count in summary.by_area_kind:
        lines.append(f"• {esc(where or _('no area'))} — {_(KINDS[kind])}: {format_number(count)}")
    lines.append("")
    for log in summary.logs[:MAX_LISTED]:
        where = log.area_name or log.street or ""
        extra = []
        if log.photos:
            extra.append(f"📷 {log.photos}")
        if log.action_number is not None:
            extra.append(f"→ A{log.action_number}")
        lines.append(f"{format_datetime(log.created_at, 'short')} · <b>{_(KINDS[log.kind])}</b>"
                     + (f" · {esc(where)}" if where else "")
                     + f" · {esc(log.partner_name or log.user_name)}"
                     + (f" · {' '.join(extra)}" if extra else ""))
        if log.text:
            lines.append("   " + esc(log.text[:200]))
    if len(summary.logs) > MAX_LISTED:
        lines.append(_("… and {count} more").format(
            count=format_number(len(summary.logs) - MAX_LISTED)))
    await reply_paged(update, context, lines)


def register(app: WijkApp) -> None:
    # A live location counts with its first position: the later ones arrive as edits.
    attachment = ANSWER & (filters.LOCATION | filters.PHOTO | filters.Document.IMAGE
                           | (filters.TEXT & ~filters.COMMAND))
    # A corrected text, caption or street (a live location's moves are edits too: not these).
    correction: BaseHandler[Update, WijkContext, object] = MessageHandler(
        filters.UpdateType.EDITED_MESSAGE & (filters.TEXT | filters.CAPTION), edited)
    app.add_handler(ConversationHandler(
        entry_points=[Command(Cmd.FIELD_LOG, one_at_a_time(entry))],
        states={
            KIND: [CallbackQueryHandler(kind_chosen, pattern=rf"^{CB.FIELD_LOG}:kind:"),
                   MessageHandler(attachment, collected), correction],
            COLLECT: [CallbackQueryHandler(save_button, pattern=rf"^{CB.FIELD_LOG}:save$"),
                      CallbackQueryHandler(kind_chosen, pattern=rf"^{CB.FIELD_LOG}:kind:"),
                      MessageHandler(attachment, collected), correction],
        },
        fallbacks=[Command(Cmd.CANCEL, cancel),
                   CallbackQueryHandler(cancel, pattern=rf"^{CB.FIELD_LOG}:cancel$")],
        conversation_timeout=30 * 60,
        allow_reentry=True,  # so that one_at_a_time answers the command again
        name="field_log",
    ))
    app.add_handler(Command(Cmd.FIELD_LOGS, list_command))

"""``/actie`` (``/action``): register an action by guided dialogue or in one line, or show
one (``/actie A12``).

The dialogue is a small step engine: each step renders a prompt with buttons (back, skip
where optional, cancel) and accepts either a button or typed text. The draft lives in
``chat_data`` per user, so several people can register actions in the operational group
at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.access import GROUP_TYPES, Access
from bot.action_text import card, intervention_label, target_label, type_label
from bot.actions import TARGET_WORDS, TYPE_WORDS, Draft, clean_text
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.errors import UserError
from bot.i18n import N_, _
from bot.interventions import BY_KEY, TARGETS, TYPES, for_target
from bot.labels import word_key
from bot.periods import Period, format_effect, format_period, parse_period, parse_week_or_date
from bot.permissions import Permission
from handlers.common import (
    ANSWER,
    Command,
    ask_project,
    cancel_dialogue,
    command_text,
    drop_buttons,
    edit_or_reply,
    esc,
    get_access,
    guard,
    keyboard,
    one_at_a_time,
    reply,
)
from storage.actions import Action
from storage.models import AreaKind

FORM = 0
DIALOGUE_TIMEOUT = 30 * 60
STEPS = ("area", "problem", "what", "aim", "type", "target", "partners", "period",
         "capacity", "notes", "effect", "confirm")
OPTIONAL = {"area", "problem", "aim", "type", "target", "period", "capacity", "notes",
            "effect"}
_PROMPTS = {
    "area": N_("Which area is it about? Tap one or type its name."),
    "problem": N_("What is the problem? (e.g. “burglaries mainly via back alleys”)"),
    "what": N_("What will be done? Type it, or pick from the interventions catalogue."),
    "aim": N_("What is the aim? Mention what you will count, if you can."),
    "type": N_("What type of action is it?"),
    "target": N_("What is it aimed at?"),
    "partners": N_("Which partners are responsible? Tap to select, then Done."),
    "period": N_("In which period? Tap, or type e.g. “wk 48-49” or “wk 52-2”."),
    "capacity": N_("What capacity is committed? (e.g. “2 pers., extra round 19–23 h”)"),
    "notes": N_("Any notes? (e.g. “record a debriefing”)"),
    "effect": N_("From when do you expect an effect? Tap, or type a week or date."),
}


@dataclass
class Form:
    project_id: int
    draft: Draft
    step: str = "area"
    trail: list[str] = field(default_factory=list)   # steps visited, for Back
    prompt: Message | None = None                    # the prompt whose buttons are live
    picking: str | None = None                       # catalogue target being browsed

    def is_prompt(self, message: object) -> bool:
        return (isinstance(message, Message) and self.prompt is not None
                and message.message_id == self.prompt.message_id)


def _key(update: Update) -> str:
    assert update.effective_user is not None
    return f"action_form:{update.effective_user.id}"


def _form(update: Update, context: WijkContext) -> Form | None:
    assert context.chat_data is not None
    form = context.chat_data.get(_key(update))
    return form if isinstance(form, Form) else None


def _nav(step: str) -> list[tuple[str, str]]:
    row = [(_("◀ Back"), f"{CB.ACTION_FORM}:back")]
    if step in OPTIONAL:
        row.append((_("Skip"), f"{CB.ACTION_FORM}:skip"))
    row.append((_("Cancel"), f"{CB.ACTION_FORM}:cancel"))
    return row


async def _render(update: Update, context: WijkContext, form: Form,
                  notice: str | None = None) -> None:
    """Show the current step, replacing the prompt after a button press."""
    text, rows = await _step_view(context, form)
    if notice:
        text = f"{notice}\n\n{text}"
    chat = update.effective_chat
    if chat is not None and chat.type in GROUP_TYPES and form.step != "confirm":
        text += "\n" + _("<i>In a group: reply to this message to type your answer.</i>")
    markup = keyboard(rows)
    if update.callback_query is not None and form.is_prompt(update.callback_query.message):
        await edit_or_reply(update, text, markup=markup)
    else:
        # A typed answer: the prompt is shown anew below it, and the old prompt's buttons
        # go dead so that only one set is live.
        await drop_buttons(form.prompt)
        form.prompt = await reply(update, text, markup=markup)


async def _step_view(context: WijkContext, form: Form) -> tuple[str, list[list[tuple[str,
                                                                                     str]]]]:
    step, draft, prefix = form.step, form.draft, CB.ACTION_FORM
    if step == "confirm":
        return await _summary(context, form)
    title = _("New action — step {n} of {total}").format(
        n=STEPS.index(step) + 1, total=len(STEPS) - 1)
    text = f"<b>{title}</b>\n{_(_PROMPTS[step])}"
    rows: list[list[tuple[str, str]]] = []
    if step == "area":
        areas = [a for a in await context.repos.projects.areas(form.project_id)
                 if a.kind is not AreaKind.STRAAT][:12]
        rows = [[(a.name, f"{prefix}:area:{a.id}")] for a in areas]
    elif step == "what":
        if form.picking is None:
            rows = [[(_("Interventions catalogue: {target}").format(target=target_label(t)),
                      f"{prefix}:cat:{t}")] for t in TARGETS]
        else:
            rows = [[(intervention_label(i.key), f"{prefix}:pick:{i.key}")]
                    for i in for_target(form.picking)]
            rows.append([(_("◀ Other targets"), f"{prefix}:cat:-")])
    elif step == "type":
        rows = [[(("✓ " if draft.type == t else "") + type_label(t), f"{prefix}:type:{t}")
                 for t in TYPES[:2]],
                [(("✓ " if draft.type == t else "") + type_label(t), f"{prefix}:type:{t}")
                 for t in TYPES[2:]]]
    elif step == "target":
        rows = [[(("✓ " if draft.target == t else "") + target_label(t),
                  f"{prefix}:target:{t}") for t in TARGETS]]
    elif step == "partners":
        partners = await context.repos.projects.partners(form.project_id)
        rows = [[(("✅ " if p.id in draft.partner_ids else "▫️ ") + p.name,
                  f"{prefix}:p:{p.id}")] for p in partners]
        rows.append([(_("Done"), f"{prefix}:pdone")])
    elif step == "period":
        today = context.actions.today()
        this = Period(today - timedelta(days=today.weekday()),
                      today - timedelta(days=today.weekday()) + timedelta(days=6))
        nxt = Period(this.start + timedelta(weeks=1), this.end + timedelta(weeks=1))
        both = Period(this.start, nxt.end)
        rows = [[(_("This week ({period})").format(period=format_period(this)),
                  f"{prefix}:period:0")],
                [(_("Next week ({period})").format(period=format_period(nxt)),
                  f"{prefix}:period:1")],
                [(_("This and next week ({period})").format(period=format_period(both)),
                  f"{prefix}:period:2")]]
    elif step == "effect":
        end = draft.period.end if draft.period else context.actions.today()
        rows = [[(format_effect(end + timedelta(days=1 + 7 * weeks)),
                  f"{prefix}:effect:{weeks}")] for weeks in (0, 2, 4)]
    rows.append(_nav(step))
    return text, rows


async def _summary(context: WijkContext, form: Form) -> tuple[str, list[list[tuple[str, str]]]]:
    draft = form.draft
    area = await context.repos.projects.area(draft.area_id) if draft.area_id else None
    partners = {p.id: p.name for p in await context.repos.projects.partners(form.project_id)}
    lines = [_("<b>New action — check and save</b>"),
             _("Area: {value}").format(value=esc(area.name) if area else "—"),
             _("Problem: {text}").format(text=esc(draft.problem or "—")),
             _("Action: {value}").format(value=esc(draft.what)),
             _("Aim: {text}").format(text=esc(draft.aim or "—")),
             _("Type: {type} · target: {target}").format(type=type_label(draft.type),
                                                         target=target_label(draft.target)),
             _("Partners: {value}").format(value=esc(", ".join(
                 partners.get(p, "?") for p in draft.partner_ids) or "—")),
             _("Period: {period}").format(period=esc(format_period(draft.period))),
             _("Capacity: {text}").format(text=esc(draft.capacity or "—")),
             _("Notes: {text}").format(text=esc(draft.notes or "—")),
             _("Expected effect: {when}").format(when=esc(format_effect(draft.expected_effect)))]
    hints = context.actions.smart_hints(draft)
    if hints:
        lines.append("")
        lines.extend("⚠️ " + _(hint) for hint in hints)
    rows = [[(_("Save"), f"{CB.ACTION_FORM}:save")],
            [(_("◀ Back"), f"{CB.ACTION_FORM}:back"),
             (_("Cancel"), f"{CB.ACTION_FORM}:cancel")]]
    return "\n".join(lines), rows


def _advance(form: Form) -> None:
    form.trail.append(form.step)
    form.step = STEPS[STEPS.index(form.step) + 1]
    form.picking = None


# -- entry --------------------------------------------------------------------------------


@guard(Permission.VIEW_ACTIONS)
async def _show(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    action, history = await context.actions.card(access.user_id, access.project_id,
                                                  command_text(update), access.chat_kind)
    await send_card(update, context, action, history=history)


def card_buttons(action: Action) -> InlineKeyboardMarkup:
    data = f"{action.id}:{action.version}"
    return keyboard([
        [(_("✅ Done"), f"{CB.ACTION_CARD}:done:{data}"),
         (_("➕ Result"), f"{CB.ACTION_CARD}:res:{data}")],
        [(_("⏭ Postpone 1 week"), f"{CB.ACTION_CARD}:post:{data}"),
         (_("✖️ Not done"), f"{CB.ACTION_CARD}:nd:{data}")],
    ])


async def send_card(update: Update, context: WijkContext, action: Action, *,
                    history: Any = (), edit: bool = False) -> None:
    text = card(action, context.actions.today(), history)
    text += "\n\n" + _("<i>Reply to this card to add a result.</i>")
    # card() keeps within one message, so the buttons always come along.
    if edit:
        await edit_or_reply(update, text, markup=card_buttons(action))
    else:
        await reply(update, text, markup=card_buttons(action))


async def action_command(update: Update, context: WijkContext) -> int:
    """``/actie`` → dialogue; ``/actie A12`` → card; ``/actie a | b | …`` → one line."""
    assert context.chat_data is not None
    context.chat_data.pop(_key(update), None)  # a new command replaces a stale draft
    text = command_text(update)
    if text and "|" not in text:
        await _show(update, context)
    elif text:
        await _one_line(update, context)
    else:
        await _begin(update, context)
    return FORM if _form(update, context) else ConversationHandler.END


@guard(Permission.REGISTER_ACTION)
async def _one_line(update: Update, context: WijkContext, access: Access) -> None:
    assert access.member is not None
    draft = await context.actions.parse_one_line(access.member.project_id,
                                                 command_text(update), access.member)
    await _save(update, context, access.member.project_id, draft)


@guard(Permission.REGISTER_ACTION, needs_project=False)
async def _begin(update: Update, context: WijkContext, access: Access) -> None:
    assert context.chat_data is not None
    if access.member is None and access.needs_project_choice:
        # The dialogue can only start from the command itself, so after the choice the
        # person is asked to send it again.
        await ask_project(update, context, access, _send_again, Permission.REGISTER_ACTION)
        return
    assert access.member is not None
    form = Form(access.member.project_id, context.actions.default_draft(access.member))
    context.chat_data[_key(update)] = form
    await _render(update, context, form)


async def _send_again(update: Update, context: WijkContext, access: Access) -> None:
    await reply(update, _("Now send /action again to register the action."))


async def _save(update: Update, context: WijkContext, project_id: int, draft: Draft) -> None:
    user = update.effective_user
    assert user is not None
    access = await get_access(update, context)
    action, hints = await context.actions.create(user.id, project_id, draft, access.chat_kind)
    await context.meetings.link_new_action(project_id, action.id)
    lines = [_("Action <b>{code}</b> registered.").format(code=action.code)]
    lines += ["⚠️ " + _(hint) for hint in hints]
    await reply(update, "\n".join(lines))
    await send_card(update, context, action)


# -- dialogue steps -----------------------------------------------------------------------


async def on_text(update: Update, context: WijkContext) -> int:
    form = _form(update, context)
    if form is None or update.message is None:
        return ConversationHandler.END
    value = update.message.text or ""
    draft, step = form.draft, form.step
    try:
        if step == "area":
            draft.area_id = (await context.actions.find_area(form.project_id, value)).id
        elif step in ("problem", "aim", "capacity", "notes"):
            setattr(draft, step, clean_text(value, what=N_(step)))
        elif step == "what":
            draft.what = clean_text(value, what=N_("action"), limit=300, required=True)
        elif step == "type":
            if word_key(value) not in TYPE_WORDS:
                raise UserError(N_("Unknown type “{value}”."), value=value)
            draft.type = TYPE_WORDS[word_key(value)]
        elif step == "target":
            if word_key(value) not in TARGET_WORDS:
                raise UserError(N_("Unknown target “{value}”."), value=value)
            draft.target = TARGET_WORDS[word_key(value)]
        elif step == "partners":
            draft.partner_ids = [p.id for p in
                                 await context.actions.find_partners(form.project_id, value)]
        elif step == "period":
            draft.period = parse_period(value, context.actions.today())
        elif step == "effect":
            draft.expected_effect = parse_week_or_date(value, context.actions.today())
        elif step == "confirm":
            await reply(update, _("Tap Save to register the action, or Back to change it."))
            return FORM
    except UserError as err:
        await _render(update, context, form, notice="⚠️ " + err.render())
        return FORM
    _advance(form)
    await _render(update, context, form)
    return FORM


async def on_button(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    form = _form(update, context)
    if form is None or not form.is_prompt(query.message):
        await query.answer(_("This dialogue is no longer active. Start again with /action."),
                           show_alert=True)
        return FORM if form else ConversationHandler.END
    _prefix, op, *rest = query.data.split(":")
    arg = rest[0] if rest else ""
    draft = form.draft
    await query.answer()
    if op == "cancel":
        return await cancel(update, context)
    if op == "back":
        if form.trail:
            form.step = form.trail.pop()
            form.picking = None
        await _render(update, context, form)
        return FORM
    if op == "save":
        assert context.chat_data is not None
        context.chat_data.pop(_key(update), None)
        await edit_or_reply(update, (await _summary(context, form))[0])
        try:
            await _save(update, context, form.project_id, draft)
        except UserError as err:
            await reply(update, err.render())
        return ConversationHandler.END
    if op == "skip" and form.step in OPTIONAL:
        _advance(form)
    elif op == "area" and arg.isdigit():
        draft.area_id = int(arg)
        _advance(form)
    elif op == "cat":
        form.picking = arg if arg in TARGETS else None
    elif op == "pick" and arg in BY_KEY:
        item = BY_KEY[arg]
        draft.what = intervention_label(item.key)
        draft.target, draft.type = item.target, item.type
        _advance(form)
    elif op == "type" and arg in TYPES:
        draft.type = arg
        _advance(form)
    elif op == "target" and arg in TARGETS:
        draft.target = arg
        _advance(form)
    elif op == "p" and arg.isdigit():
        pid = int(arg)
        draft.partner_ids = ([p for p in draft.partner_ids if p != pid]
                             if pid in draft.partner_ids else [*draft.partner_ids, pid])
    elif op == "pdone":
        _advance(form)
    elif op == "period" and arg in ("0", "1", "2"):
        today = context.actions.today()
        monday = today - timedelta(days=today.weekday())
        start = monday + timedelta(weeks=1 if arg == "1" else 0)
        end = monday + timedelta(weeks=0 if arg == "0" else 1, days=6)
        draft.period = Period(start, end)
        _advance(form)
    elif op == "effect" and arg.isdigit():
        end = draft.period.end if draft.period else context.actions.today()
        draft.expected_effect = end + timedelta(days=1 + 7 * int(arg))
        _advance(form)
    await _render(update, context, form)
    return FORM


async def cancel(update: Update, context: WijkContext) -> int:
    # The form lives in chat_data, per person: one's form in a group is not one's private one.
    form = context.chat_data.pop(_key(update), None) if context.chat_data is not None else None
    return await cancel_dialogue(update, context, None,
                                 prompt=form.prompt if isinstance(form, Form) else None)


async def timed_out(update: Update, context: WijkContext) -> None:
    if context.chat_data is not None:
        context.chat_data.pop(_key(update), None)


def register(app: WijkApp) -> None:
    text = filters.TEXT & ~filters.COMMAND & ANSWER
    app.add_handler(
        ConversationHandler(
            entry_points=[Command(Cmd.ACTION, one_at_a_time(action_command))],
            states={
                FORM: [MessageHandler(text, on_text),
                       CallbackQueryHandler(on_button, pattern=rf"^{CB.ACTION_FORM}:")],
                ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
            },
            fallbacks=[Command(Cmd.CANCEL, cancel)],
            conversation_timeout=DIALOGUE_TIMEOUT,
            allow_reentry=True,  # so that one_at_a_time answers the command again
            name="action_form",
        )
    )


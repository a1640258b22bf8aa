"""Incident data in chat: an analyst sends a police export (CSV/XLSX) or CBS open-data file
in a private chat; a wijkagent registers one burglary with ``/inbraak``.

Imports are all or nothing and end with a precise report (imported, duplicates, rejected
rows with their numbers and reasons). Long imports show progress by editing one message.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.access import Access
from bot.commands import CB, Cmd
from bot.context import WijkApp, WijkContext
from bot.corrections import FIELD_LABELS, Correction
from bot.errors import UserError
from bot.i18n import (
    N_,
    _,
    format_date_range,
    format_datetime,
    format_number,
    format_window,
    ngettext,
)
from bot.incident_import import ImportProblem, RejectedRow, split_options, wants_options
from bot.incidents import MAX_UPLOAD_BYTES, ImportReport
from bot.periods import year_of
from bot.permissions import Permission
from charts.text import mo_label
from handlers.common import (
    ANSWER,
    Command,
    cancel_dialogue,
    command_text,
    dialogue_ended,
    drop_buttons,
    edit_or_reply,
    esc,
    get_access,
    guard,
    keyboard,
    location_keyboard,
    one_at_a_time,
    reply,
    reply_dropping_keyboard,
    split_pages,
    tell,
)

MAX_LISTED_ROWS = 20
PROGRESS_EVERY_S = 1.0
# From this many rows the status message says when the reading is done and saving begins.
SAVING_NOTICE_ROWS = 1_000
MO_KEYS = ("braak achterdeur", "braak voordeur", "raam forceren", "insluiping",
           "cilinder trekken", "flipperen", "onbekend")
ATTEMPT_WORDS = ("poging", "attempt", "ja", "yes", "j", "y")
BURGLARY_WORDS = ("inbraak", "burglary", "nee", "no", "n")
WHEN, WHERE, ATTEMPT, MO = range(4)
_DRAFT = "burglary_draft"
# One-line registrations waiting for their street to be chosen, by their question's id.
_PENDING = "burglary_pending"


# -- import ------------------------------------------------------------------------------


def _rows_text(rows: Sequence[RejectedRow], limit: int = MAX_LISTED_ROWS) -> list[str]:
    lines = [_("• row {row}: {reason}").format(row=r.row, reason=r.render())  # HTML-safe
             for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(_("… and {count} more").format(count=format_number(len(rows) - limit)))
    return lines


def caption_hint() -> str:
    """How to give a mapping, coordinate system or time zone with a file sent in a chat."""
    return _("ℹ️ Send the file again with the missing details in its caption (the text you "
             "can add when you send a file), for example: <code>crs=EPSG:28992 "
             "tz=Europe/Amsterdam date=Pleegdatum</code>")


def problem_text(filename: str, problem: ImportProblem, limit: int = MAX_LISTED_ROWS,
                 options_hint: Callable[[], str] = caption_hint) -> str:
    """Why nothing was imported, with the first ``limit`` rejected rows (Telegram HTML),
    and how to give the import options when they would help."""
    lines = [_("<b>Nothing was imported from {filename}.</b>").format(filename=esc(filename)),
             problem.render()]
    lines += _rows_text(problem.rejected, limit)
    if wants_options(problem):
        lines.append(options_hint())
    return "\n".join(lines)


def report_text(report: ImportReport) -> str:
    lines = [_("<b>Import of {filename}</b>").format(filename=esc(report.filename))]
    if report.kind == "monthly":
        lines.append(ngettext("{count} monthly count imported (CBS open data).",
                              "{count} monthly counts imported (CBS open data).",
                              report.imported).format(count=format_number(report.imported)))
    else:
        if report.first is not None and report.last is not None:
            lines.append(_("Period: {period}").format(
                period=format_date_range(report.first, report.last)))
        lines.append(ngettext("{count} burglary imported.", "{count} burglaries imported.",
                              report.imported).format(count=format_number(report.imported)))
        duplicates = report.duplicates_in_file + report.already_known
        if duplicates:
            lines.append(ngettext(
                "{count} duplicate skipped ({in_file} twice in the file, {known} already "
                "imported before).",
                "{count} duplicates skipped ({in_file} twice in the file, {known} already "
                "imported before).", duplicates).format(
                count=format_number(duplicates), in_file=format_number(report.duplicates_in_file),
                known=format_number(report.already_known)))
        if report.replaced:
            lines.append(ngettext(
                "{count} of them had been registered with /burglary already: the export's row "
                "takes the place of that registration, so the burglary counts once.",
                "{count} of them had been registered with /burglary already: the export's rows "
                "take the place of those registrations, so each burglary counts once.",
                report.replaced).format(count=format_number(report.replaced)))
        if report.corrected:
            lines.append(ngettext(
                "{count} burglary imported before has other details in this file; the newer "
                "details count from now on ({fields}).",
                "{count} burglaries imported before have other details in this file; the "
                "newer details count from now on ({fields}).", report.corrected).format(
                count=format_number(report.corrected), fields=corrected_fields(report)))
            lines += [correction_line(c) for c in report.corrected_examples]
            if report.corrected > len(report.corrected_examples):
                lines.append(_("… and {count} more").format(
                    count=format_number(report.corrected - len(report.corrected_examples))))
    if report.rejected:
        lines.append(ngettext("{count} row rejected:", "{count} rows rejected:",
                              len(report.rejected)).format(count=format_number(len(report.rejected))))
        lines += _rows_text(report.rejected)
    for warning in report.warnings:
        lines.append("⚠️ " + warning.render())
    return "\n".join(lines)


def _was_now(before: object, after: object) -> str:
    return f"{esc(str(before)) if before not in (None, '') else '–'} → {esc(str(after))}"


def correction_line(correction: Correction) -> str:
    """One corrected burglary: its registration number and address, then what changed
    (“• PL0900-1 · Molenstraat 12: modus operandi Unknown → Latch slipping”). For the
    analyst and project leader who import (the report is only sent to them)."""
    was, now = correction.before, correction.changes
    where = " ".join(str(p) for p in (was.get("street"), was.get("house_number")) if p)
    head = " · ".join(esc(p) for p in (correction.registration_number, where) if p)
    parts = []
    for group in FIELD_LABELS:
        if group not in correction.fields:
            continue
        label = _(FIELD_LABELS[group])
        if group == "time":
            before, after = correction.windows()
            parts.append(f"{label} " + _was_now(format_window(*before), format_window(*after)))
        elif group == "attempt":
            kinds = (_("burglary"), _("attempt"))
            parts.append(_was_now(kinds[bool(was["attempt"])], kinds[bool(now["attempt"])]))
        elif group == "modus_operandi":
            old = mo_label(was[group]) if was[group] else None
            parts.append(f"{label} " + _was_now(old, mo_label(now[group])))
        elif group == "position":
            parts.append(label)
        elif group in now:  # a text column of the same name
            parts.append(f"{label} " + _was_now(was.get(group), now[group]))
        else:  # only the buurt's CBS code changed
            parts.append(label)
    return f"• {head or '?'}: {', '.join(parts)}"


def corrected_fields(report: ImportReport) -> str:
    """What a file corrected, e.g. "modus operandi 3×, location 1×"."""
    return ", ".join(_("{field} {count}×").format(field=_(FIELD_LABELS[name]),
                                                  count=format_number(n))
                     for name, n in report.corrected_fields.items())


@guard(Permission.IMPORT_INCIDENTS)
async def document_received(update: Update, context: WijkContext, access: Access) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    assert access.project_id is not None and access.user_id is not None
    document = message.document
    filename = document.file_name or "upload"
    if document.file_size is not None and document.file_size > MAX_UPLOAD_BYTES:
        await reply(update, _("The file “{filename}” is {size} MB; at most {max} MB can be "
                              "imported. Split it, for example per year, or leave out "
                              "columns you do not need.").format(
            filename=esc(filename), size=format_number(round(document.file_size / 1_048_576, 1)),
            max=MAX_UPLOAD_BYTES // 1_048_576))
        return
    status = await reply(update, _("Reading {filename}…").format(filename=esc(filename)))
    data = bytes(await (await document.get_file()).download_as_bytearray())
    mapping, crs, tz = split_options(message.caption)
    progress = _Progress(status, filename)

    async def saving(rows: int) -> None:
        # Comparing with the stored incidents and saving a large file takes seconds more
        # than reading it: the status says so instead of standing at "… of … rows".
        await progress.settled()
        if status is not None and rows >= SAVING_NOTICE_ROWS:
            await _edit_quietly(status, saving_text(filename, rows))

    try:
        report = await context.incidents.import_file(
            access.project_id, data, filename, user_id=access.user_id, mapping=mapping,
            crs=crs, tz=tz, progress=progress, saving=saving)
    except ImportProblem as problem:
        await progress.settled()
        await _final(update, status, problem_text(filename, problem))
        return
    await progress.settled()
    text = report_text(report)
    if (report.kind == "incidents" and (report.imported or report.corrected)
            and report.import_id is not None):
        text += "\n" + _("Wrong file? /imports removes import #{number} as a whole.").format(
            number=report.import_id)
    await _final(update, status, text)


def saving_text(filename: str, rows: int) -> str:
    return ngettext("Saving {count} row of {filename}…", "Saving {count} rows of {filename}…",
                    rows).format(count=format_number(rows), filename=esc(filename))


class _Progress:
    """Called from the reading thread with the rows read: edits the status message at most
    once a second. :meth:`settled` waits for the edits sent so far, so that a later edit
    (saving, the report) is never overtaken by one of them and the report stays on top."""

    def __init__(self, status: Message | None, filename: str) -> None:
        self.loop = asyncio.get_running_loop()
        self.status = status
        self.filename = filename
        self.last = 0.0
        self.sent: list[concurrent.futures.Future[None]] = []

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.status is None or (now - self.last < PROGRESS_EVERY_S and done < total):
            return
        self.last = now
        text = _("Reading {filename}… {done} of {total} rows").format(
            filename=esc(self.filename), done=format_number(done), total=format_number(total))
        self.sent.append(asyncio.run_coroutine_threadsafe(_edit_quietly(self.status, text),
                                                          self.loop))

    async def settled(self) -> None:
        """Once the reading is done (no more calls): wait for the edits it sent."""
        await asyncio.gather(*(asyncio.wrap_future(f) for f in self.sent),
                             return_exceptions=True)


async def _edit_quietly(message: Message, text: str) -> None:
    # Progress is a courtesy; the final report follows anyway.
    with contextlib.suppress(TelegramError):
        await message.edit_text(text, parse_mode=ParseMode.HTML)


async def _final(update: Update, status: Message | None, text: str) -> None:
    """The report replaces the status message; a report too long for one message goes on
    in more messages, split between whole lines (never cut inside its HTML)."""
    pages = split_pages(text.split("\n"))
    first, rest = pages[0], pages[1:]
    sent = False
    if status is not None:
        try:
            await status.edit_text(first, parse_mode=ParseMode.HTML)
            sent = True
        except TelegramError:
            pass
    for page in ([] if sent else [first]) + rest:
        await reply(update, page)


# -- /inbraak ----------------------------------------------------------------------------


@dataclass
class BurglaryDraft:
    project_id: int
    when: tuple[datetime, datetime] | None = None
    street: str | None = None
    house_number: str | None = None
    location: tuple[float, float] | None = None
    attempt: bool | None = None  # None: not asked yet
    mo: str | None = None
    question: Message | None = None  # the open question, edited into its answer
    suggestions: list[str] = field(default_factory=list)  # streets the typed one resembles


def _draft(context: WijkContext) -> BurglaryDraft:
    assert context.user_data is not None
    draft = context.user_data.get(_DRAFT)
    if not isinstance(draft, BurglaryDraft):
        raise UserError(N_("This dialogue has expired. Start again with /burglary."))
    return draft


# A time up to this far ahead is the phone's clock or a rounding ("21:30" at 21:10): it
# means now. Later than that, a time without a date means yesterday's.
_CLOCK_SLACK = timedelta(hours=1)


# Words a wijkagent types for the moment, in Dutch or English (the buttons' windows too).
_NOW_WORDS = frozenset({"nu", "net", "zojuist", "now", "just now"})
_NIGHT_WORDS = frozenset({"vannacht", "afgelopen nacht", "last night"})
_DAY_WORDS = {"vandaag": 0, "today": 0, "gisteren": 1, "yesterday": 1, "eergisteren": 2}
_TIME = re.compile(r"(?:(\d{1,2})-(\d{1,2})(?:-(\d{4}))?\s*)?(\d{1,2})[:.](\d{2})"
                   r"(?:\s*-\s*(\d{1,2})[:.](\d{2}))?")


def parse_when(text: str, now: datetime) -> tuple[datetime, datetime]:
    """``21:30``, ``gisteren 21:30``, ``23-11 21:30``, ``23-11-2026 08:00-17:30``,
    ``vannacht`` (local time).

    What a wijkagent means: a time without a date that lies ahead is yesterday's (“21:30”
    typed in the morning); a date without a year is the nearest one, which is last year's
    only around New Year (“31-12” typed on 2 January) — “25-11” typed on 23 November is a
    slip, refused as a future date, not a burglary of a year ago; a window cannot end later
    than now. A day word alone is that whole day up to now;
    “vannacht” and “nu” are the buttons' windows. An explicit future date is refused."""
    typed = " ".join(text.split()).casefold()
    if typed in _NOW_WORDS:
        return now, now
    if typed in _NIGHT_WORDS:
        return _night_window(now)
    word = next((w for w in _DAY_WORDS if typed == w or typed.startswith(w + " ")), "")
    day = now.date() - timedelta(days=_DAY_WORDS.get(word, 0))
    if word and typed == word:
        start = datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)
        return start, min(now, start + timedelta(days=1))
    match = _TIME.fullmatch(typed[len(word):].strip())
    if not match or (word and match[1]):
        raise UserError(N_("Write the time like “21:30”, “yesterday 21:30”, “23-11 21:30” or "
                           "“23-11 08:00-17:30”."))
    d, m, y, h1, m1, h2, m2 = match.groups()
    for hours, minutes in ((h1, m1), (h2, m2)):
        if hours is not None and (int(hours) > 23 or int(minutes) > 59):
            raise UserError(N_("{text} is not a valid time: hours run from 0 to 23, minutes "
                               "from 0 to 59."), text=f"{hours}:{minutes}")
    explicit = bool(d or word)
    try:
        if d:
            year = year_of(y, now.date()) if y else day.year
            day = day.replace(year=year, month=int(m), day=int(d))
            if not y and day > now.date():
                before = _last_year(day)
                if (now.date() - before) < (day - now.date()):
                    day = before
        start = datetime(day.year, day.month, day.day, int(h1), int(m1), tzinfo=now.tzinfo)
        end = (datetime(day.year, day.month, day.day, int(h2), int(m2), tzinfo=now.tzinfo)
               if h2 else start)
    except ValueError:
        raise UserError(N_("{text} is not a valid date."), text=text.strip()) from None
    if end < start:
        end += timedelta(days=1)  # overnight window
    # Without a date, a time or window still ahead is yesterday's: "08:00-17:30" typed at
    # 07:30 is yesterday's working day, not one that has not begun.
    if not explicit and (start > now + _CLOCK_SLACK
                         or (end > now + _CLOCK_SLACK and start > now)):
        start, end = start - timedelta(days=1), end - timedelta(days=1)
    if start > now + _CLOCK_SLACK:  # asked now, not after the whole dialogue
        raise UserError(N_("The date {value} lies in the future."),
                        value=lambda: format_datetime(start, "short"))
    if end > now:  # a window ends by now at the latest (a start just ahead: the clocks)
        end = max(now, start)
    return start, end


def _last_year(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _day_window(now: datetime) -> tuple[datetime, datetime]:
    """“During the day”: 08:00–18:00 today, up to now; before 08:00, yesterday's day."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now.hour < 8:
        today -= timedelta(days=1)
    return today + timedelta(hours=8), min(now, today + timedelta(hours=18))


def _night_window(now: datetime) -> tuple[datetime, datetime]:
    """“Last night”: 18:00 the evening before until 07:00, or until now if that is earlier."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(hours=6), min(now, today + timedelta(hours=7))


def _title() -> str:
    return _("<b>Register a burglary</b>")


def _when_buttons(now: datetime) -> list[list[tuple[str, str]]]:
    day = _("Today, during the day") if now.hour >= 8 else _("Yesterday, during the day")
    return [[(_("Just now"), f"{CB.BURGLARY}:when:now")],
            [(day, f"{CB.BURGLARY}:when:day")],
            [(_("Last night"), f"{CB.BURGLARY}:when:night")],
            [(_("Cancel"), f"{CB.BURGLARY}:cancel")]]


def _where_text(draft: BurglaryDraft) -> str:
    if draft.street:
        return " ".join(filter(None, (draft.street, draft.house_number)))
    return _("shared location") if draft.location else "?"


def _summary(draft: BurglaryDraft) -> str:
    """What will be (or was) saved, line by line: when, where, attempt, modus operandi."""
    assert draft.when is not None
    lines = [_("When: {when}").format(when=format_window(*draft.when)),
             _("Where: {where}").format(where=esc(_where_text(draft)))]
    if draft.attempt is not None:
        lines.append(_("Attempt: {answer}").format(answer=_("yes") if draft.attempt
                                                   else _("no")))
    if draft.mo:
        lines.append(_("Modus operandi: {mo}").format(mo=esc(mo_label(draft.mo))))
    return "\n".join(lines)


def _mo_key(text: str) -> str:
    """A modus operandi as typed, in Dutch or in the user's language, as the key the police
    exports use (so that “sneak-in” and “insluiping” count as one); other text as typed."""
    folded = " ".join(text.split()).casefold()
    for key in MO_KEYS:
        if folded in (key, mo_label(key).casefold()):
            return key
    return folded


@guard(Permission.REGISTER_INCIDENT)
async def burglary_start(update: Update, context: WijkContext, access: Access) -> None:
    assert context.user_data is not None and access.project_id is not None
    draft = BurglaryDraft(access.project_id)
    text = command_text(update)
    if text:
        await _one_line(update, context, draft, text)
        return
    context.user_data[_DRAFT] = draft
    now = context.clock.now().astimezone(context.settings.tz)
    question = await reply(update, _title() + "\n" + _(
        "When? Tap, or type e.g. “21:30”, “yesterday 21:30”, “23-11 21:30” or "
        "“23-11 08:00-17:30”."),
        markup=keyboard(_when_buttons(now)))
    draft.question = question


async def _one_line(update: Update, context: WijkContext, draft: BurglaryDraft,
                    text: str) -> None:
    """``/inbraak Dorpsstraat 12 | 23-11 21:30 | poging | insluiping``."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2 or not parts[0]:
        raise UserError(N_("Give street | time [| attempt] [| modus operandi]."))
    draft.street, draft.house_number = split_address(parts[0])
    draft.when = parse_when(parts[1], context.clock.now().astimezone(context.settings.tz))
    answer = parts[2].casefold() if len(parts) > 2 else ""
    if answer and answer not in ATTEMPT_WORDS + BURGLARY_WORDS:
        raise UserError(N_("Write “attempt” or “burglary” as the third part, not “{text}”."),
                        text=parts[2])
    draft.attempt = answer in ATTEMPT_WORDS
    draft.mo = _mo_key(parts[3]) if len(parts) > 3 and parts[3] else None
    if await _has_suggestions(update, context, draft):
        # Nothing is saved yet: the line waits for the street to be chosen.
        assert context.user_data is not None
        question = await reply(update, _street_question(draft),
                               markup=_street_buttons(draft, "fix"))
        if question is not None:
            context.user_data.setdefault(_PENDING, {})[question.message_id] = draft
        return
    await _save_burglary(update, context, draft)


async def _has_suggestions(update: Update, context: WijkContext, draft: BurglaryDraft) -> bool:
    """Whether the typed street is unknown but resembles known ones (then offered)."""
    if not draft.street:
        return False
    user = update.effective_user
    assert user is not None
    access = await get_access(update, context)
    draft.suggestions = await context.incidents.street_suggestions(
        user.id, draft.project_id, access.chat_kind, draft.street)
    return bool(draft.suggestions)


def _street_question(draft: BurglaryDraft) -> str:
    return (_title() + "\n" + _summary(draft) + "\n\n"
            + _("“{street}” is not a street of this project. Did you mean:").format(
                street=esc(draft.street or "")))


def _street_buttons(draft: BurglaryDraft, step: str) -> InlineKeyboardMarkup:
    """One button per suggested street, one to keep the street as typed, and Cancel."""
    rows = [[(name, f"{CB.BURGLARY}:{step}:{index}")]
            for index, name in enumerate(draft.suggestions)]
    rows.append([(_("No, keep “{street}”").format(street=draft.street or ""),
                  f"{CB.BURGLARY}:{step}:keep")])
    rows.append([(_("Cancel"), f"{CB.BURGLARY}:{step}:cancel" if step == "fix"
                  else f"{CB.BURGLARY}:cancel")])
    return keyboard(rows)


def _choose_street(draft: BurglaryDraft, data: str) -> None:
    """Apply a street button (``…:<index>`` or ``…:keep``); the house number stays."""
    choice = data.rsplit(":", 1)[1]
    if choice.isdigit() and int(choice) < len(draft.suggestions):
        draft.street = draft.suggestions[int(choice)]
    draft.suggestions = []


async def fix_button(update: Update, context: WijkContext) -> None:
    """The street chosen for a one-line registration: save it now (or cancel it)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    pending = context.user_data.get(_PENDING) or {}
    draft = pending.pop(query.message.message_id, None) if query.message else None
    if not isinstance(draft, BurglaryDraft):
        # Not the presser's own pending line (someone else's in a group, or lost in a
        # restart): an alert only, so another person's live question keeps its buttons.
        await dialogue_ended(update, context)
        return
    if query.data.endswith(":cancel"):
        await query.answer()
        await edit_or_reply(update, _("Cancelled. Nothing was saved."))
        return
    await query.answer()
    _choose_street(draft, query.data)
    # The question becomes the record of what was saved, as in the dialogue.
    draft.question = query.message if isinstance(query.message, Message) else None
    await _save_burglary(update, context, draft)


async def burglary_entry(update: Update, context: WijkContext) -> int:
    """Start the dialogue (or handle the one-line form); stay only if a draft was opened."""
    assert context.user_data is not None
    context.user_data.pop(_DRAFT, None)
    await burglary_start(update, context)
    return WHEN if isinstance(context.user_data.get(_DRAFT), BurglaryDraft) \
        else ConversationHandler.END


async def _answered(draft: BurglaryDraft, text: str) -> None:
    """Turn the question message into its answer, without its buttons, so that the chat
    reads as a record and an old button cannot be tapped again."""
    question, draft.question = draft.question, None
    await drop_buttons(question, _title() + "\n" + text)


async def when_text(update: Update, context: WijkContext) -> int:
    assert update.message is not None
    draft = _draft(context)
    try:
        draft.when = parse_when(update.message.text or "",
                                context.clock.now().astimezone(context.settings.tz))
    except UserError as err:
        await reply(update, err.render())
        return WHEN
    return await _ask_where(update, draft)


async def when_button(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    now = context.clock.now().astimezone(context.settings.tz)
    choice = query.data.rsplit(":", 1)[1]
    draft = _draft(context)  # its question is the message whose button was pressed
    draft.when = (_night_window(now) if choice == "night" else _day_window(now)
                  if choice == "day" else (now, now))
    return await _ask_where(update, draft)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def _ask_where(update: Update, draft: BurglaryDraft) -> int:
    assert draft.when is not None
    await _answered(draft, _("When: {when}").format(when=format_window(*draft.when)))
    if _private(update):  # the one-tap location button works in private chats only
        await reply(update, _("Where? Type the street (and number), or tap “📍 Share my "
                              "location” below."), markup=_where_keyboard())
    else:
        await reply(update, _("Where? Type the street (and number), or share a location "
                              "(📎 → Location)."))
    return WHERE


def _where_keyboard() -> ReplyKeyboardMarkup:
    return location_keyboard(_("Street and number"))


async def _where_again(update: Update, problem: str) -> int:
    """The place was not usable: say why and ask again, with the location button back
    (it folded away when it was tapped)."""
    await reply(update, problem, markup=_where_keyboard() if _private(update) else None)
    return WHERE


async def where_given(update: Update, context: WijkContext) -> int:
    message = update.message
    assert message is not None
    draft = _draft(context)
    if draft.question is not None:
        # Streets were offered, but the place was given again instead: those buttons go.
        await _answered(draft, _summary(draft))
        draft.suggestions = []
    if message.location is not None:
        lat, lon = message.location.latitude, message.location.longitude
        try:  # now, so the place can be given again; the service checks again on saving
            await context.incidents.check_location(draft.project_id, lat, lon)
        except UserError as err:
            return await _where_again(update, err.render())
        draft.location, draft.street, draft.house_number = (lat, lon), None, None
    else:
        street, number = split_address(message.text or "")
        if not street:
            return await _where_again(update, _("Give the street or share a location."))
        draft.street, draft.house_number, draft.location = street, number, None
        if await _has_suggestions(update, context, draft):
            text, buttons = _street_question(draft), _street_buttons(draft, "st")
            draft.question = await (reply_dropping_keyboard(update, text, buttons)
                                    if _private(update) else reply(update, text, markup=buttons))
            return WHERE
    text, buttons = _attempt_question(draft)
    # The place is known: the location button goes, whatever happens next.
    draft.question = await (reply_dropping_keyboard(update, text, buttons) if _private(update)
                            else reply(update, text, markup=buttons))
    return ATTEMPT


def _attempt_question(draft: BurglaryDraft) -> tuple[str, InlineKeyboardMarkup]:
    text = _title() + "\n" + _summary(draft) + "\n\n" + _("Was it an attempt (nobody got in)?")
    return text, keyboard([[(_("Attempt"), f"{CB.BURGLARY}:att:1"),
                            (_("Burglary"), f"{CB.BURGLARY}:att:0")],
                           [(_("Cancel"), f"{CB.BURGLARY}:cancel")]])


async def street_button(update: Update, context: WijkContext) -> int:
    """One of the offered streets, or the typed one kept: on to the attempt question."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    draft = _draft(context)
    _choose_street(draft, query.data)
    text, buttons = _attempt_question(draft)
    await edit_or_reply(update, text, markup=buttons)
    return ATTEMPT


def split_address(text: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"\s*(.*?\D)\s+(\d+\s*[a-zA-Z]?(?:-\d+)?)\s*", text)
    if match:
        return " ".join(match.group(1).split()), match.group(2).replace(" ", "")
    return " ".join(text.split())[:80], None


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


async def attempt_button(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    draft = _draft(context)
    draft.attempt = query.data.endswith(":1")
    # Buttons start with a capital, as buttons do; in sentences the label stays as it is.
    rows = [[(_capital(mo_label(key)), f"{CB.BURGLARY}:mo:{index}")]
            for index, key in enumerate(MO_KEYS)]
    rows.append([(_("Cancel"), f"{CB.BURGLARY}:cancel")])
    await edit_or_reply(update, _title() + "\n" + _summary(draft) + "\n\n"
                        + _("How did they get in (modus operandi)?"), markup=keyboard(rows))
    return MO


async def mo_button(update: Update, context: WijkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    index = int(query.data.rsplit(":", 1)[1])
    draft = _draft(context)
    draft.mo = MO_KEYS[index] if 0 <= index < len(MO_KEYS) else None
    await _save_burglary(update, context, draft)
    assert context.user_data is not None
    context.user_data.pop(_DRAFT, None)
    return ConversationHandler.END


async def _save_burglary(update: Update, context: WijkContext, draft: BurglaryDraft) -> None:
    user = update.effective_user
    assert user is not None and draft.when is not None
    access = await get_access(update, context)
    start, end = draft.when
    lat, lon = draft.location if draft.location else (None, None)
    try:
        registered = await context.incidents.register(
            user.id, draft.project_id, access.chat_kind, occurred_from=start,
            occurred_to=end, street=draft.street, house_number=draft.house_number,
            attempt=bool(draft.attempt), modus_operandi=draft.mo, lat=lat, lon=lon,
        )
    except UserError as err:
        await tell(update, err.render())
        return
    done = "✅ " + ngettext(
        "Burglary registered. The project now has {count} registered burglary.",
        "Burglary registered. The project now has {count} registered burglaries.",
        registered.total).format(count=format_number(registered.total))
    note = ""
    if registered.area is None and draft.street:
        # Not lost, but in no neighbourhood's count either: say so, and what helps.
        note = "\n\n" + _(
            "⚠️ {street} is not a known street of this project: this burglary counts in the "
            "project's totals, but for no neighbourhood. If the street belongs to the project, "
            "ask a project leader to add it with /area, so that later burglaries there count "
            "for its neighbourhood.").format(
                street=esc(draft.street))
    # A wrong street or a double tap is undone in one tap, not by asking the analyst.
    undo = keyboard([[(_("↩️ Withdraw (registered by mistake)"),
                       f"{CB.BURGLARY}:undo:{draft.project_id}:{registered.key}")]])
    if draft.question is not None:  # the dialogue: its last question becomes the record
        await _answered(draft, _summary(draft))
        await reply(update, done + note, markup=undo)
    else:  # the one-line form: show how the line was understood
        await reply(update, done + "\n" + _summary(draft) + note, markup=undo)


# The service checks REGISTER_INCIDENT, and that it is the one who registered it, on the
# project in the button (not the chat's current one: that may have changed since).
@guard(Permission.HELP, needs_project=False)
async def undo_button(update: Update, context: WijkContext, access: Access) -> None:
    """``inb:undo:<project id>:<registration key>`` under a registration's confirmation."""
    query = update.callback_query
    assert query is not None and query.data is not None and access.user_id is not None
    try:
        _prefix, _step, project_id, key = query.data.split(":", 3)
        project = int(project_id)
    except ValueError:
        await query.answer()
        return
    total = await context.incidents.withdraw(access.user_id, project, access.chat_kind, key)
    await query.answer()
    withdrawn = "↩️ " + ngettext(
        "Withdrawn: this burglary is no longer registered. The project now has {count} "
        "registered burglary.",
        "Withdrawn: this burglary is no longer registered. The project now has {count} "
        "registered burglaries.", total).format(count=format_number(total))
    # The confirmation stays readable, struck through: the chat keeps what was withdrawn.
    message = query.message
    before = message.text_html if isinstance(message, Message) and message.text else ""
    await edit_or_reply(update, f"{withdrawn}\n\n<s>{before}</s>" if before else withdrawn)


async def cancel(update: Update, context: WijkContext) -> int:
    assert context.user_data is not None
    draft = context.user_data.get(_DRAFT)
    return await cancel_dialogue(update, context, _DRAFT, prompt=draft.question
                                 if isinstance(draft, BurglaryDraft) else None)


def register(app: WijkApp) -> None:
    # An import (and the hotspot check after it) can take seconds or more: a task of its
    # own, so that the partners' other updates do not wait for it. Not part of a dialogue.
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE,
                                   document_received, block=False))
    text = filters.TEXT & ~filters.COMMAND & ANSWER
    app.add_handler(ConversationHandler(
        entry_points=[Command(Cmd.BURGLARY, one_at_a_time(burglary_entry))],
        states={
            WHEN: [MessageHandler(text, when_text),
                   CallbackQueryHandler(when_button, pattern=rf"^{CB.BURGLARY}:when:")],
            WHERE: [MessageHandler(text | (ANSWER & filters.LOCATION), where_given),
                    CallbackQueryHandler(street_button, pattern=rf"^{CB.BURGLARY}:st:")],
            ATTEMPT: [CallbackQueryHandler(attempt_button, pattern=rf"^{CB.BURGLARY}:att:")],
            MO: [CallbackQueryHandler(mo_button, pattern=rf"^{CB.BURGLARY}:mo:")],
        },
        fallbacks=[Command(Cmd.CANCEL, cancel),
                   CallbackQueryHandler(cancel, pattern=rf"^{CB.BURGLARY}:cancel$")],
        conversation_timeout=15 * 60,
        allow_reentry=True,  # so that one_at_a_time answers the command again
        name="burglary",
    ))
    # The street of a one-line /inbraak, chosen after it (outside the dialogue), and the
    # withdrawal of a registration made by mistake.
    app.add_handler(CallbackQueryHandler(fix_button, pattern=rf"^{CB.BURGLARY}:fix:"))
    app.add_handler(CallbackQueryHandler(undo_button, pattern=rf"^{CB.BURGLARY}:undo:"))

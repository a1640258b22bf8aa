"""The outbox sender: delivers what :class:`storage.outbox.OutboxRepository` holds — alerts,
approval requests and every scheduled post (meeting packs, check-ins, reminders, digests,
the tactical summary) — within Telegram's flood limits, exactly once across restarts.

Why an outbox: an alert is decided in a database transaction (the hotspot, the alert row and
its message are written together), while the message itself may have to wait — for the
flood limits, for Telegram to answer, or for the bot to come back after a crash. The sender
is the only place that turns rows into Bot API calls:

* **Limits.** A :class:`Pacer` keeps sliding windows like Telegram's (about 30 messages a
  second overall, 20 a minute per group, one a second per private chat), with a small
  margin, so sends never wait inside PTB's ``AIORateLimiter`` and never meet a 429. A
  ``RetryAfter`` that still comes back delays that row (and that chat) by what Telegram asks.
* **Errors.** Network errors and time-outs retry with exponential backoff; permanent errors
  (bot removed, chat gone) mark the row failed, end the chat's link and cancel what was still
  waiting for it; a group that became a supergroup is followed to its new id.
* **Order.** A scheduled post is a sequence (a header, the charts, the agenda, the Word
  document): a row waits until the one before it is done, and a chat's rows are started
  in order, so a retry never lets a later message overtake an earlier one.
* **Files once.** Photos and documents are stored once (``outbox_files``) and uploaded
  once; every later message sends Telegram's file id (one map for 200 groups).
* **Exactly once.** A row is claimed (``pending`` → ``sending``) just before its request,
  and marked ``sent`` right after; requests in flight are shielded from cancellation, so a
  stop waits for them. Only a hard crash *during* a request leaves a row in doubt; it is
  sent again at start-up (a lost alert is worse than a repeated one). Pacing happens
  before the claim, so that window is one HTTP round trip.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.clock import Clock
from bot.posts import markup_of, send_post, weight
from storage.outbox import OutboxItem, file_refs
from storage.repositories import Repositories

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF_S = 15 * 60


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's published limits, with a margin for clock skew between us and them."""

    overall: int = 30
    overall_period: float = 1.03
    per_group: int = 20
    group_period: float = 62.0
    per_private: int = 1
    private_period: float = 1.05


class _Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.times: collections.deque[float] = collections.deque()

    def delay(self, now: float, weight: int = 1) -> float:
        """How long until ``weight`` more messages fit in the window."""
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        excess = len(self.times) + min(weight, self.limit) - self.limit
        if excess <= 0:
            return 0.0
        return self.times[excess - 1] + self.period - now

    def add(self, now: float, weight: int = 1) -> None:
        self.times.extend([now] * weight)


class Pacer:
    """Sliding-window flood limits: overall, per group, per private chat."""

    def __init__(self, limits: Limits | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.monotonic = monotonic
        self.overall = _Window(self.limits.overall, self.limits.overall_period)
        self.chats: dict[int, _Window] = {}
        self.blocked_until: dict[int, float] = {}
        self.last = float("-inf")

    def _chat(self, chat_id: int) -> _Window:
        window = self.chats.get(chat_id)
        if window is None:
            window = (_Window(self.limits.per_group, self.limits.group_period) if chat_id < 0
                      else _Window(self.limits.per_private, self.limits.private_period))
            self.chats[chat_id] = window
        return window

    def chat_delay(self, chat_id: int, weight: int = 1) -> float:
        now = self.monotonic()
        return max(self._chat(chat_id).delay(now, weight),
                   self.blocked_until.get(chat_id, 0.0) - now)

    def overall_delay(self, weight: int = 1) -> float:
        # Evenly spaced rather than in bursts of 30: kinder to Telegram, and at most one or
        # two requests are ever in flight, which keeps a crash's window of doubt small.
        now = self.monotonic()
        spacing = self.limits.overall_period / self.limits.overall
        return max(self.overall.delay(now, weight), self.last + spacing - now)

    def record(self, chat_id: int, weight: int = 1) -> None:
        """``weight`` messages go now (an album of six photos counts as six)."""
        now = self.monotonic()
        spacing = self.limits.overall_period / self.limits.overall
        # Keep to the planned slot when we are a little late (the claim between the wait
        # and this call takes a moment), so those moments do not add up over a broadcast.
        # The sliding windows below count real times and stay the hard limit.
        slot = self.last + spacing if now - (self.last + spacing) < spacing / 2 else now
        self.last = max(slot, now - spacing / 2) + spacing * (weight - 1)
        self.overall.add(now, weight)
        self._chat(chat_id).add(now, weight)

    def block(self, chat_id: int, seconds: float) -> None:
        self.blocked_until[chat_id] = self.monotonic() + seconds


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Defer(Exception):
    """The row cannot go yet (e.g. the message it edits is not sent); try again later."""


class OutboxSender:
    """Runs as one background task for the life of the application."""

    def __init__(self, repos: Repositories, bot: Bot, clock: Clock, *,
                 pacer: Pacer | None = None, poll_s: float = 5.0, concurrency: int = 8) -> None:
        self.repos = repos
        self.bot = bot
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._inflight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._backlog = False  # due rows held back by the limits at the last pass
        self._passing = False
        self._uploads: dict[int, asyncio.Lock] = {}  # stored file → its first upload
        self.sent = 0

    # -- lifecycle -----------------------------------------------------------------------

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next poll."""
        self._wake.set()

    @property
    def busy(self) -> bool:
        """Something can go now or is on its way (rows waiting for a later moment, e.g. a
        backoff, do not count)."""
        return bool(self._inflight) or self._backlog or self._passing or self._wake.is_set()

    async def start(self) -> None:
        recovered = await self.repos.outbox.recover()
        if recovered:
            log.warning("outbox: %d message(s) in doubt after a restart are sent again",
                        recovered)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    # -- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                wait = await self._pass()
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken row must not stop all delivery
                log.exception("outbox pass failed")
                wait = self.poll_s
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _pass(self) -> float:
        """Start every due row the limits allow; return how long to wait before the next."""
        self._passing = True
        try:
            return await self._start_due()
        finally:
            self._passing = False

    async def _start_due(self) -> float:
        self._wake.clear()
        items = await self.repos.outbox.due(self.clock.now())
        started = 0
        shortest = self.poll_s
        held: set[int] = set()
        self._backlog = False
        for item in items:
            size = weight(item.payload)
            chat_wait = self.pacer.chat_delay(item.chat_id, size)
            if chat_wait > 0 or item.chat_id in held:
                # This chat is full; others may go. Later rows for it wait too, so a chat's
                # messages keep their order.
                held.add(item.chat_id)
                self._backlog = True
                shortest = min(shortest, max(chat_wait, 0.05))
                continue
            # Sleeping is right here: the window opens at a known moment, not on an event.
            while (overall := self.pacer.overall_delay(size)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(overall)
            await self._slots.acquire()
            if not await self.repos.outbox.claim(item.id):
                self._slots.release()
                continue
            self.pacer.record(item.chat_id, size)
            task = asyncio.create_task(self._deliver(item))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            started += 1
        if started:
            return 0.0
        upcoming = await self.repos.outbox.next_due()
        if upcoming is not None:
            shortest = min(shortest, max(0.05, (upcoming - self.clock.now()).total_seconds()))
        return shortest

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            # Shielded: once a request is on its way, a stop waits for its answer and records
            # it, so a restart neither repeats nor loses it.
            await asyncio.shield(self._attempt(item))
        finally:
            self._slots.release()
            self.wake()  # the next row of a sequence may go now

    async def _attempt(self, item: OutboxItem) -> None:
        outbox = self.repos.outbox
        try:
            message_id = await self._call(item)
        except _Defer as why:
            await outbox.retry_later(item.id, self.clock.now() + timedelta(seconds=5), str(why),
                                     count_attempt=False)
        except RetryAfter as err:
            seconds = _seconds(err.retry_after)
            self.pacer.block(item.chat_id, seconds)
            await outbox.retry_later(item.id, self.clock.now() + timedelta(seconds=seconds),
                                     str(err), count_attempt=False)
        except ChatMigrated as err:
            await self._migrated(item.chat_id, err.new_chat_id)
            await outbox.retry_later(item.id, self.clock.now(), str(err), count_attempt=False)
        except Forbidden as err:
            await self._chat_gone(item, "removed", str(err))
        except BadRequest as err:
            text = err.message.lower()
            if "not modified" in text:
                await outbox.mark_sent(item.id, None, self.clock.now())
            elif "chat not found" in text or "group chat was deactivated" in text:
                await self._chat_gone(item, "chat_gone", str(err))
            else:
                log.error("outbox %s: rejected by Telegram: %s", item.dedupe_key, err)
                await outbox.mark_failed(item.id, str(err))
        except (NetworkError, TelegramError) as err:  # TimedOut is a NetworkError
            if item.attempts + 1 >= MAX_ATTEMPTS:
                await outbox.mark_failed(item.id, f"gave up after {MAX_ATTEMPTS} attempts: {err}")
            else:
                backoff = min(MAX_BACKOFF_S, 2 ** (item.attempts + 1))
                await outbox.retry_later(item.id, self.clock.now() + timedelta(seconds=backoff),
                                         str(err))
        except Exception as err:
            # A row we cannot even build a request from (a bug, a damaged payload): record
            # it rather than leave it "in flight" for ever, and keep delivering the rest.
            log.exception("outbox %s: could not be sent", item.dedupe_key)
            await outbox.mark_failed(item.id, f"internal error: {err!r}")
        else:
            await outbox.mark_sent(item.id, message_id, self.clock.now())
            self.sent += 1

    async def _reference(self, outbox_id: int | None, *, required: bool) -> int | None:
        """The Telegram message id of an earlier outbox row (for edits and replies)."""
        if outbox_id is None:
            return None
        original = await self.repos.outbox.get(outbox_id)
        if original is None or original.status in ("failed", "cancelled"):
            if required:
                raise BadRequest("the message to edit was never delivered")
            return None
        if original.status != "sent":
            raise _Defer("waiting for the original message")
        return original.message_id

    async def _call(self, item: OutboxItem) -> int | None:
        p: dict[str, Any] = item.payload
        markup = markup_of(p.get("buttons"))
        if item.method == "edit":
            message_id = await self._reference(p["edit_of"], required=True)
            if p.get("caption_only"):
                await self.bot.edit_message_caption(
                    chat_id=item.chat_id, message_id=message_id, caption=p["text"],
                    parse_mode=ParseMode.HTML, reply_markup=markup)
            else:
                await self.bot.edit_message_text(
                    p["text"], chat_id=item.chat_id, message_id=message_id,
                    parse_mode=ParseMode.HTML, reply_markup=markup)
            return message_id
        reply_to = await self._reference(p.get("reply_to"), required=False)
        refs = file_refs(p)
        stored = await self.repos.outbox.files(refs)
        # A file Telegram does not have yet is uploaded by one message at a time; the
        # others wait for that answer and then send Telegram's file id instead of the bytes.
        held: list[asyncio.Lock] = []
        try:
            for ref in sorted({r for r in refs if stored[r][1] is None}):
                lock = self._uploads.setdefault(ref, asyncio.Lock())
                await lock.acquire()
                held.append(lock)
            if held:
                stored = await self.repos.outbox.files(refs)

            def resolve(value: Any) -> bytes | str:
                if isinstance(value, str):  # inline base64 (rows queued before 0013)
                    return base64.b64decode(value)
                data, telegram_id = stored[value["file"]]
                return telegram_id or data

            sent = await send_post(self.bot, item.chat_id, p, reply_to=reply_to,
                                   resolve=resolve)
            for ref, telegram_id in zip(refs, sent.file_ids, strict=False):
                if telegram_id and stored[ref][1] is None:
                    await self.repos.outbox.uploaded(ref, telegram_id)
                    self._uploads.pop(ref, None)
        finally:
            for lock in held:
                lock.release()
        return sent.message_id

    async def _migrated(self, old: int, new: int) -> None:
        async with self.repos.db.transaction():
            await self.repos.chats.migrate(old, new)
            await self.repos.outbox.move_chat(old, new)
            await self.repos.alerts.move_chat(old, new)

    async def _chat_gone(self, item: OutboxItem, reason: str, error: str) -> None:
        now = self.clock.now()
        async with self.repos.db.transaction():
            await self.repos.outbox.mark_failed(item.id, error)
            cancelled = await self.repos.outbox.cancel_pending(item.chat_id, reason)
            linked = await self.repos.chats.active(item.chat_id)
            if linked is not None:
                await self.repos.chats.end(item.chat_id, reason, now)
                await self.repos.audit.record(
                    now=now, user_id=None, project_id=linked.project_id, entity="chat",
                    entity_id=item.chat_id, action="unlinked",
                    detail={"reason": reason, "error": error, "cancelled": cancelled})
        log.warning("outbox: chat %s is gone (%s); link ended, %d waiting message(s) "
                    "cancelled", item.chat_id, error, cancelled)

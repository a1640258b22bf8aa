"""``/regio`` (``/region``): join a region (project leader) or receive its tactical summary;
and the bimonthly job that sends the summary to the project leaders of every region (through
the outbox, once per leader and period)."""

from __future__ import annotations

import asyncio
from datetime import time

from telegram import Update

from bot.access import Access
from bot.commands import Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, get_locale, normalize_language, use_locale
from bot.permissions import Permission
from bot.posts import Payload, document_post, photo_post, send_posts, text_post
from bot.tactical import TacticalService
from bot.tactical_docs import summary_chart, summary_docx, summary_filename, summary_messages
from handlers.common import Command, command_text, esc, guard, reply
from storage.models import Role

JOB = "tactical-bimonthly"


def service(context: WijkContext) -> TacticalService:
    return TacticalService(context.repos, context.clock, context.settings.tz)


async def summary_posts(context: WijkContext, region_id: int, language: str) -> list[Payload]:
    """The tactical summary as messages, a chart and a Word document."""
    summary = await service(context).summary(region_id, language)
    with use_locale(language):
        chart, document = await asyncio.gather(
            asyncio.to_thread(summary_chart, summary, language),
            asyncio.to_thread(summary_docx, summary, language))
        posts = [text_post(part) for part in summary_messages(summary, language)]
        posts.append(photo_post(chart))
        posts.append(document_post(document, summary_filename(
            summary.region, summary.generated_at, language)))
    return posts


async def region_command(update: Update, context: WijkContext) -> None:
    if command_text(update):
        await _join(update, context)
    else:
        await _show(update, context)


@guard(Permission.MANAGE_MEETINGS)
async def _join(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    region_id = await service(context).join(access.user_id, access.project_id,
                                            access.chat_kind, command_text(update))
    projects = await context.repos.projects.region_projects(region_id)
    await reply(update, _("This project is now part of the region, with: {projects}.").format(
        projects=esc(", ".join(p.municipality for p in projects))))


@guard(Permission.VIEW_REGION)
async def _show(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    region_id = await service(context).region(access.user_id, access.project_id,
                                              access.chat_kind)
    await send_posts(context.bot, access.chat_id,
                     await summary_posts(context, region_id, get_locale()))


async def bimonthly(context: WijkContext) -> None:
    """On the first of every other month: the summary to each region's project leaders,
    queued in the outbox once per leader and period (recorded in the same transaction)."""
    today = context.clock.now().astimezone(context.settings.tz).date()
    if today.month % 2 == 0:
        return
    period = f"{today.year}-{today.month:02d}"
    repos = context.repos
    tactical = service(context)
    built: dict[tuple[int, str], list[Payload]] = {}  # one summary per region and language
    queued = 0
    for region in await repos.projects.regions():
        for project in await repos.projects.region_projects(region["id"]):
            for leader in await repos.members.with_role(project.id, Role.PROJECTLEIDER):
                language = normalize_language(await repos.users.preferred_language(
                    leader.user_id, context.settings.language), context.settings.language)
                if await tactical.queued(region["id"], leader.user_id, period):
                    continue  # skip building a summary nobody will receive
                if (region["id"], language) not in built:
                    built[region["id"], language] = await summary_posts(
                        context, region["id"], language)
                queued += await tactical.queue_summary(region["id"], leader.user_id, period,
                                                       project.id, built[region["id"], language])
    if queued:
        context.outbox.wake()


def schedule(app: WijkApp) -> None:
    assert app.job_queue is not None and app.bot_data.settings is not None
    app.job_queue.run_monthly(bimonthly, when=time(9, 0, tzinfo=app.bot_data.settings.tz),
                              day=1, name=JOB)


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.REGION, region_command))

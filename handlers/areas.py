"""``/area`` (``/area``) and ``/partner``: list and add a project's areas and partners."""

from __future__ import annotations

from telegram import Update

from bot.access import Access
from bot.commands import Cmd
from bot.context import WijkApp, WijkContext
from bot.i18n import _, format_number
from bot.labels import (
    AREA_KIND_WORDS,
    PARTNER_KIND_WORDS,
    area_kind_label,
    partner_kind_label,
    typed_words,
    word_key,
)
from bot.partnership import CBS_CODE_RE
from bot.permissions import Permission
from handlers.common import Command, command_text, esc, guard, reply, reply_paged, reply_usage
from storage.models import AreaKind, PartnerKind


def _kind_list(kinds: list[str]) -> str:
    return ", ".join(f"<code>{k}</code>" for k in kinds)


@guard(Permission.MANAGE_AREAS)
async def area_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        areas = await context.repos.projects.areas(access.project_id)
        lines = [_("<b>Areas</b> ({count})").format(count=format_number(len(areas)))]
        lines += [f"• {esc(a.name)} — {area_kind_label(a.kind)}"
                  + (f" ({esc(a.cbs_code)})" if a.cbs_code else "")
                  + (" — " + _("{homes} homes").format(homes=format_number(a.homes))
                     if a.homes is not None else "")
                  for a in areas]
        lines += ["", _("Add one: <code>/area neighbourhood Oostbroek | BU99010001 | 1450</code> "
                        "(kind, name, optional CBS code, number of homes and parent area)")]
        await reply_paged(update, context, lines)
        return
    head, *rest = [p.strip() for p in text.split("|")]
    kind_word, _sep, name = head.partition(" ")
    kind = AREA_KIND_WORDS.get(word_key(kind_word))
    if kind is None or not name.strip():
        await reply_usage(update, _("Start with the kind of area: {kinds}.").format(
            kinds=_kind_list(typed_words(AreaKind))))
        return
    cbs_code: str | None = None
    homes: int | None = None
    parent: str | None = None
    for field in rest:
        if not field:
            continue
        compact = field.replace(".", "").replace(" ", "")
        if CBS_CODE_RE.match(field.upper()):
            cbs_code = field.upper()
        elif compact.isdigit():
            homes = int(compact)
        elif field.upper()[:2] in ("BU", "WK", "GM") and any(c.isdigit() for c in field):
            cbs_code = field  # looks like a code but is malformed: the service explains
        elif parent is None:
            parent = field
        else:
            await reply_usage(update, _("I do not understand “{text}”.").format(text=esc(field)))
            return
    area = await context.partnership.add_area(
        access.user_id, access.project_id, name=name, kind=kind, cbs_code=cbs_code, homes=homes,
        parent=parent,
    )
    await reply(update, _("Area added: <b>{name}</b> ({kind}).").format(
        name=esc(area.name), kind=area_kind_label(area.kind)))


@guard(Permission.MANAGE_PARTNERS)
async def partner_command(update: Update, context: WijkContext, access: Access) -> None:
    assert access.project_id is not None and access.user_id is not None
    text = command_text(update)
    if not text:
        partners = await context.repos.projects.partners(access.project_id)
        lines = [_("<b>Partners</b> ({count})").format(count=format_number(len(partners)))]
        lines += [f"• {esc(p.name)} — {partner_kind_label(p.kind)}" for p in partners]
        lines += ["", _("Add one: <code>/partner police Politie basisteam Oost</code> "
                        "(kind, then name)")]
        await reply(update, "\n".join(lines))
        return
    kind_word, _sep, name = text.partition(" ")
    kind = PARTNER_KIND_WORDS.get(word_key(kind_word))
    if kind is None:
        await reply_usage(update, _("Start with the kind of partner: {kinds}.").format(
            kinds=_kind_list(typed_words(PartnerKind))))
        return
    if not name.strip():  # the kind is there; what is missing is the name
        await reply_usage(update, _("Give the partner's name after the kind, e.g. "
                                    "<code>/partner {kind} Politie basisteam Oost</code>.")
                          .format(kind=esc(kind_word)))
        return
    partner = await context.partnership.add_partner(
        access.user_id, access.project_id, name=name, kind=kind
    )
    await reply(update, _("Partner added: <b>{name}</b> ({kind}). Invite its people with "
                          "/invite.").format(name=esc(partner.name),
                                                 kind=partner_kind_label(partner.kind)))


def register(app: WijkApp) -> None:
    app.add_handler(Command(Cmd.AREA, area_command))
    app.add_handler(Command(Cmd.PARTNER, partner_command))

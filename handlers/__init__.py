"""Thin Telegram handlers, one module per capability, each exposing ``register(app)``.

:func:`register_all` adds them in a deliberate order; see the comments there.
"""

from __future__ import annotations

from telegram.ext import TypeHandler

from bot.context import WijkApp
from handlers import (
    actions,
    alerts,
    areas,
    common,
    errors,
    export,
    fieldlog,
    groups,
    help,
    imports,
    incidents,
    invitations,
    language,
    meetings,
    overviews,
    project,
    region,
    reminders,
    reporting,
    start,
    steering,
)


def register_all(app: WijkApp) -> None:
    # 1. Before anything else (group -2): pick the update's language and time zone.
    #    A TypeHandler matches every update and does not stop later groups.
    app.add_handler(TypeHandler(object, common.prepare_update), group=-2)
    # 2. Dialogues first: while one is active its text steps must win over fallbacks.
    project.register(app)
    actions.register(app)
    fieldlog.register(app)        # the /melding dialogue: before uploads (image files)
    incidents.register(app)       # the /inbraak dialogue and file uploads
    # 3. Commands and buttons of each capability (group 0).
    start.register(app)
    help.register(app)
    language.register(app)
    common.register(app)          # "which project?" buttons
    areas.register(app)
    invitations.register(app)
    groups.register(app)
    reporting.register(app)       # replies to action cards go first (group -1), even
                                  # before an open dialogue: they are meant for the card
    overviews.register(app)
    reminders.register(app)
    export.register(app)
    steering.register(app)
    imports.register(app)         # /importen and its remove buttons
    meetings.register(app)
    region.register(app)
    alerts.register(app)          # /hotspots, /waarschuwingen, approval buttons
    # 4. Fallbacks (last in group 0) and the global error handler.
    errors.register(app)

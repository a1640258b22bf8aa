"""Command names, callback-data prefixes and the command catalogue.

The catalogue drives both ``/help`` (filtered by what the asker may do in that chat) and
the command menus registered with Telegram's ``setMyCommands`` per language and scope.
Every command has a Dutch name and, where it differs, an English alias; both always work.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.i18n import N_
from bot.permissions import ChatKind, Permission, allowed_chats


class Cmd:
    """Command names: the Dutch name, the English name (when it differs), more aliases.

    The first two are what the Dutch and English menus and /help show; every name works."""

    START = ("start",)
    HELP = ("help", "help", "hulp")  # /help in both menus; Dutch speakers may type /hulp
    LANGUAGE = ("taal", "language")
    NEW_PROJECT = ("nieuwproject", "newproject")
    PROJECT = ("project",)
    AREA = ("gebied", "area")
    PARTNER = ("partner",)
    INVITE = ("uitnodigen", "invite")
    LINK = ("koppelen", "link")
    UNLINK = ("ontkoppelen", "unlink")
    CANCEL = ("annuleren", "cancel")
    # The action / monitoring framework
    ACTION = ("actie", "action")
    DONE = ("gedaan", "done")
    RESULT = ("resultaat", "result")
    NOT_DONE = ("nietgedaan", "notdone")
    VOID = ("vervallen", "void")
    POSTPONE = ("uitstellen", "postpone")
    EDIT = ("wijzig", "edit")
    OPEN = ("openstaand", "open")
    MINE = ("mijnacties", "myactions")
    STATUS = ("status",)
    SEARCH = ("zoek", "search")
    EXPORT = ("export",)
    REMINDERS = ("herinneringen", "reminders")
    # Incident data and steering information
    BURGLARY = ("inbraak", "burglary")
    STEERING = ("sturing", "steering")
    INCIDENTS = ("incidenten", "incidents")
    IMPORTS = ("importen", "imports")
    # The fortnightly meeting
    MEETING = ("overleg", "meeting")
    AGENDA = ("agenda",)
    DECISION = ("besluit", "decision")
    ESCALATION = ("escalatie", "escalation")
    TACTICAL = ("tactisch", "tactical")
    ATTENDANCE = ("aanwezig", "attendance")
    MINUTES = ("verslag", "minutes")
    EFFECT = ("effect",)
    GOAL = ("doel", "goal")
    REGION = ("regio", "region")
    # From the street
    FIELD_LOG = ("melding", "log")
    FIELD_LOGS = ("meldingen", "logs")
    HOTSPOTS = ("hotspots",)
    ALERTS = ("waarschuwingen", "alerts")


class CB:
    """Callback-data prefixes (callback data is ``<prefix>:<fields…>``, at most 64 bytes)."""

    LANGUAGE = "lang"
    CHOOSE_PROJECT = "prj"
    NEW_PROJECT = "np"
    INVITE = "inv"
    LINK = "lnk"
    PAGE = "pg"
    ACTION_FORM = "af"     # steps of the /actie dialogue
    ACTION_CARD = "ac"     # buttons on an action card: ac:<step>:<action id>:<version>
    REMINDERS = "rem"
    BURGLARY = "inb"
    IMPORTS = "imp"        # the import log: imp:<rm|ok>:<project>:<import>, imp:ls:<project>
    ATTENDANCE = "att"
    FIELD_LOG = "fl"       # steps of the /melding dialogue
    ALERT = "alr"          # approve / reject an alert: alr:<ok|no>:<hotspot id>
    ALERT_SETTINGS = "als"


# Sections of /help (msgids): a project leader may use some forty commands, which read
# better under a few headings than as one list.
START = N_("Getting started")
PROJECT = N_("Project, partners and groups")
ACTIONS = N_("Actions")
STEERING = N_("Steering information")
MEETINGS = N_("Meetings")
STREET = N_("On the street")
WATCH = N_("Neighbourhood watch")
SETTINGS = N_("Settings")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    names: tuple[str, ...]
    permission: Permission
    description: str  # msgid, translated at use
    usage: str | None = None  # msgid with the argument syntax, e.g. "<kind> <name>"
    section: str = START  # msgid of its /help heading

    @property
    def name(self) -> str:
        return self.names[0]

    def name_for(self, language: str) -> str:
        """The command as shown in a language's menu: English alias for English users."""
        return self.names[1] if language == "en" and len(self.names) > 1 else self.names[0]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(Cmd.START, Permission.HELP, N_("what this bot does; join with an invitation"),
                section=START),
    CommandSpec(Cmd.HELP, Permission.HELP, N_("what you can do here"), section=START),
    CommandSpec(Cmd.PROJECT, Permission.VIEW_PROJECT,
                N_("project overview; switch project"), N_("[project name]"), section=PROJECT),
    CommandSpec(Cmd.NEW_PROJECT, Permission.CREATE_PROJECT, N_("start a new partnership"),
                N_("[name | municipality]"), section=PROJECT),
    CommandSpec(Cmd.AREA, Permission.MANAGE_AREAS, N_("list or add areas"),
                N_("[<kind> <name> | CBS code | homes | parent area]"), section=PROJECT),
    CommandSpec(Cmd.PARTNER, Permission.MANAGE_PARTNERS, N_("list or add partners"),
                N_("[<kind> <name>]"), section=PROJECT),
    CommandSpec(Cmd.INVITE, Permission.INVITE, N_("invite someone to join a partner"),
                N_("[<partner> | <role> | multi | <days>]"), section=PROJECT),
    CommandSpec(Cmd.LINK, Permission.LINK_GROUP, N_("link a group chat to the project"),
                N_("[operational | neighbourhoodwatch <area>, …] or, in the group, <code>"),
                section=PROJECT),
    CommandSpec(Cmd.UNLINK, Permission.UNLINK_GROUP, N_("unlink this group from the project"),
                section=PROJECT),
    CommandSpec(Cmd.ACTION, Permission.REGISTER_ACTION,
                N_("register an action (dialogue or one line); show one with A12"),
                N_("[area | what | partner | period | capacity] or [A12]"), section=ACTIONS),
    CommandSpec(Cmd.OPEN, Permission.VIEW_ACTIONS, N_("outstanding actions per partner"),
                N_("[partner]"), section=ACTIONS),
    CommandSpec(Cmd.MINE, Permission.VIEW_ACTIONS, N_("your partner's actions"), section=ACTIONS),
    CommandSpec(Cmd.DONE, Permission.UPDATE_ACTION, N_("report an action done"),
                N_("A12 [note]"), section=ACTIONS),
    CommandSpec(Cmd.RESULT, Permission.UPDATE_ACTION, N_("add a result (with a number)"),
                N_("A12 <result, e.g. 12 locks replaced>"), section=ACTIONS),
    CommandSpec(Cmd.NOT_DONE, Permission.UPDATE_ACTION, N_("report an action not done"),
                N_("A12 <reason>"), section=ACTIONS),
    CommandSpec(Cmd.VOID, Permission.UPDATE_ACTION, N_("cancel an action"),
                N_("A12 <reason>"), section=ACTIONS),
    CommandSpec(Cmd.POSTPONE, Permission.UPDATE_ACTION, N_("postpone an action by weeks"),
                N_("A12 [weeks]"), section=ACTIONS),
    CommandSpec(Cmd.EDIT, Permission.UPDATE_ACTION, N_("change a field of an action"),
                N_("A12 <field> <value>"), section=ACTIONS),
    CommandSpec(Cmd.STATUS, Permission.VIEW_STATUS,
                N_("per partner: open, overdue, done; results"), section=ACTIONS),
    CommandSpec(Cmd.SEARCH, Permission.VIEW_ACTIONS, N_("search actions"), N_("<text>"),
                section=ACTIONS),
    CommandSpec(Cmd.EXPORT, Permission.EXPORT_ACTIONS,
                N_("the action framework as Excel and CSV"), section=ACTIONS),
    CommandSpec(Cmd.REMINDERS, Permission.MANAGE_REMINDERS, N_("pause or resume reminders"),
                N_("[pause|on]"), section=ACTIONS),
    CommandSpec(Cmd.STEERING, Permission.VIEW_STEERING,
                N_("steering information: charts and key points"), N_("[area] [date]"),
                section=STEERING),
    CommandSpec(Cmd.INCIDENTS, Permission.VIEW_STEERING,
                N_("burglaries of the last two weeks (detail only for the police and analyst)"),
                N_("[area]"), section=STEERING),
    CommandSpec(Cmd.IMPORTS, Permission.IMPORT_INCIDENTS,
                N_("imported files; remove a wrong one as a whole"), N_("[#3]"),
                section=STEERING),
    CommandSpec(Cmd.EFFECT, Permission.VIEW_AGENDA,
                N_("effect review of an action: before and after, against the rest"),
                N_("A12"), section=STEERING),
    CommandSpec(Cmd.GOAL, Permission.MANAGE_MEETINGS, N_("the project's goal, tracked in "
                                                          "every pack"),
                N_("[max 120 2027 | incidence 8]"), section=STEERING),
    CommandSpec(Cmd.MEETING, Permission.MANAGE_MEETINGS,
                N_("meeting schedule: rhythm, dates, skip, move, lead time"),
                N_("[every 2 weeks monday 10:00 | date 7-12-2026 10:00 | skip 21-12-2026 | "
                   "move 21-12-2026 22-12-2026 14:00 | lead 2 09:00]"), section=MEETINGS),
    CommandSpec(Cmd.AGENDA, Permission.VIEW_AGENDA, N_("the draft agenda of the next meeting"),
                section=MEETINGS),
    CommandSpec(Cmd.DECISION, Permission.RECORD_NOTES, N_("record a decision"), N_("<text>"),
                section=MEETINGS),
    CommandSpec(Cmd.ESCALATION, Permission.RECORD_NOTES,
                N_("record a point for the tactical meeting"), N_("<text>"), section=MEETINGS),
    CommandSpec(Cmd.TACTICAL, Permission.RECORD_NOTES,
                N_("record a point handed down by the tactical meeting"), N_("<text>"),
                section=MEETINGS),
    CommandSpec(Cmd.ATTENDANCE, Permission.MANAGE_MEETINGS, N_("record who is present"),
                section=MEETINGS),
    CommandSpec(Cmd.MINUTES, Permission.VIEW_AGENDA, N_("the minutes of the last meeting"),
                section=MEETINGS),
    CommandSpec(Cmd.REGION, Permission.VIEW_REGION,
                N_("the region's tactical summary; a project leader sets the region"),
                N_("[region name]"), section=MEETINGS),
    CommandSpec(Cmd.BURGLARY, Permission.REGISTER_INCIDENT, N_("register a burglary"),
                N_("[street | time | attempt | modus operandi]"), section=STREET),
    CommandSpec(Cmd.FIELD_LOG, Permission.LOG_FIELD,
                N_("log what you did or saw on your round (location, photo, A12)"),
                N_("[text]"), section=STREET),
    CommandSpec(Cmd.FIELD_LOGS, Permission.VIEW_FIELD_LOGS, N_("field logs per area and kind"),
                N_("[area] [days]"), section=STREET),
    CommandSpec(Cmd.HOTSPOTS, Permission.VIEW_HOTSPOTS,
                N_("current zones of raised burglary risk and their alerts"), section=WATCH),
    CommandSpec(Cmd.ALERTS, Permission.MANAGE_ALERTS,
                N_("neighbourhood watch alerts: automatic or approval, radius, period"),
                N_("[auto|approval | radius 200 | days 14 | interval 72 | followup on|off | "
                   "map on|off]"), section=WATCH),
    CommandSpec(Cmd.LANGUAGE, Permission.SET_LANGUAGE, N_("switch language (Nederlands/English)"),
                N_("[nl|en]"), section=SETTINGS),
)

BY_NAME: dict[str, CommandSpec] = {name: spec for spec in COMMANDS for name in spec.names}

# Words people type for a command that is called differently (the meeting's Dutch names in
# the seed documents, plurals of lists). Only suggested, never run: a guess that ran a
# command could change data.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "vergadering": Cmd.MEETING, "vergaderingen": Cmd.MEETING, "overleggen": Cmd.MEETING,
    "notulen": Cmd.MINUTES, "actielijst": Cmd.OPEN, "acties": Cmd.OPEN, "actions": Cmd.OPEN,
    "klaar": Cmd.DONE, "afgerond": Cmd.DONE, "uitgevoerd": Cmd.DONE,
    "sturingsinformatie": Cmd.STEERING, "cijfers": Cmd.STEERING, "kaart": Cmd.STEERING,
    "inbraken": Cmd.INCIDENTS, "burglaries": Cmd.INCIDENTS, "aanwezigheid": Cmd.ATTENDANCE,
    "gebieden": Cmd.AREA, "areas": Cmd.AREA, "partners": Cmd.PARTNER,
    "partijen": Cmd.PARTNER, "import": Cmd.IMPORTS,
    "importeren": Cmd.IMPORTS, "hotspot": Cmd.HOTSPOTS, "waarschuwing": Cmd.ALERTS,
    "alert": Cmd.ALERTS, "logboek": Cmd.FIELD_LOGS,
}


def named(word: str) -> CommandSpec | None:
    """The command a plain word names exactly ("help", "open", "vergadering"): for text
    typed without the slash. No guessing at typos here, as free text is rarely a command."""
    word = word.casefold().strip(".,!?:;")
    if word in BY_NAME:
        return BY_NAME[word]
    return BY_NAME[SYNONYMS[word][0]] if word in SYNONYMS else None


def suggest(typed: str) -> CommandSpec | None:
    """The command someone probably meant by an unknown ``/typed`` (without the slash):
    a known synonym, else the closest name when it is close (a typo, a plural)."""
    exact = named(typed)
    if exact is not None:
        return exact
    close = difflib.get_close_matches(typed.casefold(), BY_NAME, n=1, cutoff=0.75)
    return BY_NAME[close[0]] if close else None


def menu_for(chat_kinds: frozenset[ChatKind]) -> list[CommandSpec]:
    """Commands that apply in any of these chat kinds (for a ``setMyCommands`` scope)."""
    return [
        spec for spec in COMMANDS
        if allowed_chats(spec.permission) & chat_kinds
        # /language also works in linked groups (to set the group's language) for leaders
        or (spec.names == Cmd.LANGUAGE and ChatKind.OPERATIONAL in chat_kinds)
    ]

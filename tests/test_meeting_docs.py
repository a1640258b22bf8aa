"""Agenda and minutes of the fortnightly operational meeting (appendix 3): Telegram HTML
messages and Word documents."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.shared import Cm
from docx.table import Table

from bot.i18n import _, format_time, ngettext, pgettext, use_locale
from bot.meeting_docs import (
    MESSAGE_LIMIT,
    Agenda,
    AgendaAction,
    Decision,
    Minutes,
    agenda_docx,
    agenda_messages,
    document_filename,
    minutes_docx,
    minutes_messages,
    split_line,
)

# Monday 7 December 2026, ISO week 50; 10:00 in Amsterdam (winter time).
MEETING = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
GENERATED = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
PROJECT, MUNICIPALITY = "Veilig Wonen Oost", "Rotterdam"
POLICE = "Politie"
HOUSING = "Woningcorporatie <BV> & Co"  # HTML-dangerous partner name
WARDENS = "Stadstoezicht"
DANGEROUS = "Extra avondronde <script>&"

A12 = AgendaAction(code="A12", what=DANGEROUS, area="Gebied X", period="wk 48-49",
                   partner=POLICE, status="open", overdue_weeks=2)
A3 = AgendaAction(code="A3", what="Sloten plaatsen", area="Gebied Y", period="wk 47",
                  partner=HOUSING, status="done",
                  results=("12 sloten vervangen", "3 PKVW-adviezen"),
                  effect="Sinds de nieuwe sloten is in deze woningen niet meer ingebroken.")
A5 = AgendaAction(code="A5", what="Flyers bezorgen", area="", period="wk 46",
                  partner=POLICE, status="not_done", reason="Geen capaciteit door DDO")
A7 = AgendaAction(code="A7", what="Snoeien achterpad", area="Gebied X", period="wk 47",
                  partner=HOUSING, status="cancelled", reason="Dubbel met A3")
A9 = AgendaAction(code="A9", what="Buurtpreventie-avond", area="Gebied Y", period="wk 49",
                  partner="", status="open", overdue_weeks=1)
A14 = AgendaAction(code="A14", what="Extra ronde 19-23 uur", area="Gebied X",
                   period="wk 50-51", partner=WARDENS, status="open")

AGENDA = Agenda(
    project=PROJECT,
    municipality=MUNICIPALITY,
    meeting_at=MEETING,
    chair="Jan Jansen",
    participants=(POLICE, HOUSING, WARDENS),
    attendance=((POLICE, True), (HOUSING, False)),  # the wardens have not answered yet
    guests=("Piet de Vries (Veiligheidshuis)",),
    announcements=("Nieuwe wijkagent in Oost", "Regels\nover twee regels"),
    feedback=(A12, A3, A5, A7, A9),
    analysis=("Stijging van insluipingen in Gebied X", "Verwachting komende twee weken: 6"),
    tactical=("Donkere Dagen Offensief start in week 49",),
    agreements=(A12, A9, A5, A14),
    escalations=("Meer capaciteit BOA's <vraag> & besluit",),
    decisions=("Volgende keer in het wijkbureau",),
    goal="Doel 2027: maximaal 120 inbraken — tot nu toe 34.",
)

MINUTES = Minutes(
    project=PROJECT,
    municipality=MUNICIPALITY,
    meeting_at=MEETING,
    chair="Jan Jansen",
    attendance=((POLICE, True), (HOUSING, False), (WARDENS, True)),
    guests=("Piet de Vries (Veiligheidshuis)",),
    decisions=(
        Decision("Extra ronde in Gebied X <ook zaterdag> & zondag", "Jan Jansen",
                 datetime(2026, 12, 7, 9, 32, tzinfo=UTC)),
        Decision("Flyers pas in week 51", "Fatima Bakker", datetime(2026, 12, 7, 9, 41,
                                                                    tzinfo=UTC)),
    ),
    escalations=(Decision("Capaciteit stadstoezicht", "Jan Jansen",
                          datetime(2026, 12, 7, 9, 50, tzinfo=UTC)),),
    new_actions=(A14, A9),
    updated_actions=(A3, A5, A12),
    analysis=("Stijging van insluipingen in Gebied X",),
)



def en_time(hour: int, minute: int) -> str:
    """A UTC time of the meeting day as English Babel writes it (Amsterdam, 24-hour)."""
    with use_locale("en"):
        return format_time(datetime(2026, 12, 7, hour, minute, tzinfo=UTC))


WHEN_EN = f"Monday, 7 December 2026 at {en_time(9, 0)} (week 50)"


# --- helpers ----------------------------------------------------------------------------

TELEGRAM_TAGS = {"b", "i", "u", "code"}
_HTML_TOKEN = re.compile(r"<(/?)([^<>]*)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<>&]")


def assert_telegram_html(text: str) -> None:
    """Only Telegram tags we use, balanced on every line, and no unescaped < > &."""
    for line in text.split("\n"):
        stack: list[str] = []
        for match in _HTML_TOKEN.finditer(line):
            token = match.group(0)
            assert token not in "<>&", f"unescaped {token!r} in {line!r}"
            entity = match.group(3)
            if entity is not None:
                assert entity in ("lt", "gt", "amp", "quot") or entity.startswith("#"), line
                continue
            closing, name = match.group(1), match.group(2)
            assert name in TELEGRAM_TAGS, f"tag {name!r} in {line!r}"
            if closing:
                assert stack and stack.pop() == name, f"unbalanced </{name}> in {line!r}"
            else:
                stack.append(name)
        assert not stack, f"unclosed {stack} in {line!r}"


def tg_len(text: str) -> int:
    """Message length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def check_parts(parts: list[str]) -> None:
    assert parts
    for part in parts:
        assert part.strip()
        assert tg_len(part) <= MESSAGE_LIMIT
        assert_telegram_html(part)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def item_titles(lang: str) -> list[str]:
    """The six items and 3a/3b as the module should render them in ``lang``."""
    with use_locale(lang):
        return [
            f"1. {_('Opening & announcements')}",
            f"2. {_('Feedback on the actions agreed last time')}",
            f"3. {_('Current situation and needs')}",
            _("3a. Operational analysis"),
            _("3b. Tactical points from the tactical meeting"),
            f"4. {_('Action agreements (ongoing and new)')}",
            f"5. {_('Points and questions for the tactical meeting')}",
            f"6. {_('Other decisions and points')}",
        ]


def section(text: str, start: str, end: str) -> str:
    """The text between two headings of a message."""
    return text[text.index(f"<b>{esc(start)}</b>"): text.index(f"<b>{esc(end)}</b>")]


def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def headings(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None
            and p.style.name is not None and p.style.name.startswith("Heading")]


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# --- the validator itself ---------------------------------------------------------------

def test_the_telegram_html_check_catches_mistakes() -> None:
    assert_telegram_html("<b>A1</b> · <i>x &amp; y &lt;z&gt;</i>\n<u>ok</u>")
    for bad in ("<b>open", "</b>", "<b><i>x</b></i>", "<script>x</script>", "a & b", "a < b",
                '<a href="x">y</a>', "<b>\n</b>"):
        with pytest.raises(AssertionError):
            assert_telegram_html(bad)


# --- agenda messages --------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "nl"])
def test_agenda_items_in_the_order_of_appendix_3(lang: str) -> None:
    parts = agenda_messages(AGENDA, lang)
    check_parts(parts)
    text = "\n".join(parts)
    positions = [text.index(f"<b>{esc(title)}</b>") for title in item_titles(lang)]
    assert positions == sorted(positions)
    with use_locale(lang):
        title = _("Agenda of the operational meeting of {date}")
        assert text.startswith("📋 <b>" + esc(title.split("{")[0]))
        assert f"<b>{PROJECT}</b> · {MUNICIPALITY}" in text
        # The header comes before item 1.
        for label in ("To", "From", "Date", "Attendance"):
            assert text.index(f"<b>{pgettext('meeting header', label)}:</b>") < positions[0]


def test_agenda_header_to_from_date_and_attendance() -> None:
    text = "\n".join(agenda_messages(AGENDA, "en"))
    lines = text.split("\n")
    assert ("<b>To:</b> Participants of the operational meeting: Politie, "
            "Woningcorporatie &lt;BV&gt; &amp; Co, Stadstoezicht") in lines
    assert "<b>From:</b> Jan Jansen" in lines
    assert f"<b>Date:</b> {WHEN_EN}" in lines
    assert en_time(9, 0).startswith("10:00")  # shown in Amsterdam time
    assert "✅ Politie" in lines
    assert "❌ Woningcorporatie &lt;BV&gt; &amp; Co" in lines
    assert "▫️ Stadstoezicht" in lines  # invited, attendance not known yet
    assert "<b>Guests:</b> Piet de Vries (Veiligheidshuis)" in lines


def test_agenda_feedback_grouped_per_partner_with_icons() -> None:
    titles = item_titles("en")
    text = "\n".join(agenda_messages(AGENDA, "en"))
    item2 = section(text, titles[1], titles[2])
    # Partners in the order of the invitation, the action without a partner last.
    groups = ["<u>Politie</u>", "<u>Woningcorporatie &lt;BV&gt; &amp; Co</u>",
              "<u>(no partner)</u>"]
    positions = [item2.index(group) for group in groups]
    assert positions == sorted(positions)
    assert "<u>Stadstoezicht</u>" not in item2  # no actions, no empty group
    police, housing, nobody = (item2[a:b] for a, b in zip(
        positions, [*positions[1:], len(item2)], strict=True))
    assert ("⏳ <b>A12</b> · wk 48-49 · Gebied X — Extra avondronde &lt;script&gt;&amp; "
            "<i>(2 weeks overdue)</i>") in police
    assert "✖️ <b>A5</b> · wk 46 — Flyers bezorgen" in police
    assert "↳ <i>not done</i>: Geen capaciteit door DDO" in police
    assert "✅ <b>A3</b> · wk 47 · Gebied Y — Sloten plaatsen" in housing
    assert "↳ 12 sloten vervangen" in housing and "↳ 3 PKVW-adviezen" in housing
    assert ("💡 <i>Sinds de nieuwe sloten is in deze woningen niet meer ingebroken.</i>"
            in housing)
    assert "🚫 <b>A7</b> · wk 47 · Gebied X — Snoeien achterpad" in housing
    assert "↳ <i>cancelled</i>: Dubbel met A3" in housing
    assert "⏳ <b>A9</b> · wk 49 · Gebied Y — Buurtpreventie-avond <i>(1 week overdue)</i>" \
        in nobody


def test_agenda_agreements_grouped_per_area_whole_project_last() -> None:
    titles = item_titles("en")
    text = "\n".join(agenda_messages(AGENDA, "en"))
    item4 = section(text, titles[5], titles[6])
    groups = ["<u>Gebied X</u>", "<u>Gebied Y</u>", "<u>Whole project</u>"]
    positions = [item4.index(group) for group in groups]
    assert positions == sorted(positions)
    area_x, area_y, whole = (item4[a:b] for a, b in zip(
        positions, [*positions[1:], len(item4)], strict=True))
    # Grouped by area, so each line names the partner instead.
    assert "⏳ <b>A12</b> · wk 48-49 · Politie — Extra avondronde" in area_x
    assert "⏳ <b>A14</b> · wk 50-51 · Stadstoezicht — Extra ronde 19-23 uur" in area_x
    assert "<b>A9</b> · wk 49 — Buurtpreventie-avond" in area_y
    assert "✖️ <b>A5</b> · wk 46 · Politie — Flyers bezorgen" in whole


def test_agenda_points_goal_and_escaping() -> None:
    titles = item_titles("en")
    parts = agenda_messages(AGENDA, "en")
    text = "\n".join(parts)
    assert "<script>" not in text and "<BV>" not in text and "<vraag>" not in text
    assert "&lt;script&gt;&amp;" in text
    assert "• Nieuwe wijkagent in Oost" in section(text, titles[0], titles[1])
    assert "• Regels\n   over twee regels" in text  # a line break in a point is kept
    item3a = section(text, titles[3], titles[4])
    assert "🎯 Doel 2027: maximaal 120 inbraken — tot nu toe 34." in item3a
    assert "• Stijging van insluipingen in Gebied X" in item3a
    assert "• Donkere Dagen Offensief start in week 49" in section(text, titles[4], titles[5])
    assert "• Meer capaciteit BOA's &lt;vraag&gt; &amp; besluit" in section(
        text, titles[6], titles[7])
    assert text.rstrip().endswith("• Volgende keer in het wijkbureau")
    assert "<b>1. Opening &amp; announcements</b>" in text
    assert len(parts) == 1


def test_empty_agenda_shows_placeholders() -> None:
    empty = Agenda(project=PROJECT, municipality="", meeting_at=MEETING, chair="",
                   participants=())
    parts = agenda_messages(empty, "en")
    check_parts(parts)
    text = parts[0]
    # Items 1, 2, 3a, 3b, 4, 5 and 6 each say so.
    assert text.count("<i>nothing yet</i>") == 7
    assert "<b>From:</b> —" in text
    assert "<b>To:</b> Participants of the operational meeting\n" in text


def test_dutch_agenda_uses_the_dutch_catalog() -> None:
    parts = agenda_messages(AGENDA, "nl")
    check_parts(parts)
    text = "\n".join(parts)
    for title in item_titles("nl"):
        assert f"<b>{esc(title)}</b>" in text
    with use_locale("nl"):
        overdue = ngettext("{count} week overdue", "{count} weeks overdue", 2).format(count=2)
        not_done = _("not done")
        whole = _("Whole project")
        date_label = pgettext("meeting header", "Date")
    assert not_done != "not done"  # an existing message id, already translated
    assert f"<i>({overdue})</i>" in text
    assert f"↳ <i>{not_done}</i>: Geen capaciteit door DDO" in text
    assert f"<u>{whole}</u>" in text
    assert f"<b>{date_label}:</b> maandag 7 december 2026" in text
    assert "(week 50)" in text


def test_long_agenda_is_split_into_self_contained_parts() -> None:
    story = "Uitgebreid verhaal over de wijk <b> & meer. " * 60  # ~2,700 characters
    feedback = tuple(
        AgendaAction(code=f"A{n}", what=f"Actie {n}: " + "extra toezicht in de avond " * 4,
                     area=f"Gebied {n % 3}", period="wk 48", partner=(POLICE, HOUSING)[n % 2],
                     status=("open", "done", "not_done", "cancelled")[n % 4],
                     reason="Geen tijd" if n % 4 == 2 else None,
                     results=(f"Resultaat {n} 🏠",) if n % 4 == 1 else (),
                     overdue_weeks=n % 3)
        for n in range(1, 81)
    )
    giant = "woord" * 2000 + " " + "kort " * 1500  # one word longer than a whole message
    agenda = replace(AGENDA, announcements=(story, giant), feedback=feedback,
                     agreements=feedback)
    parts = agenda_messages(agenda, "en")
    assert len(parts) > 5
    check_parts(parts)
    text = "\n".join(parts)
    # Every action appears once under item 2 and once under item 4, in order.
    for n in range(1, 81):
        assert text.count(f"<b>A{n}</b> ") == 2
    positions = [text.index(f"<b>{esc(title)}</b>") for title in item_titles("en")]
    assert positions == sorted(positions)
    # A part that continues an item starts with that item's heading.
    continued = [part for part in parts[1:] if not part.startswith("<b>")]
    assert not continued, continued[0][:200]
    assert any(part.startswith("<b>2. Feedback on the actions agreed last time</b> "
                               "(continued)\n<u>") for part in parts)
    # No part ends with a heading.
    for part in parts:
        last = part.split("\n")[-1]
        assert not re.fullmatch(r"<b>\d\. [^<]*</b>|<u>[^<]*</u>", last), last
    # The over-long text was cut but nothing was lost.
    everything = visible(text)
    assert everything.count("Uitgebreid verhaal over de wijk <b> & meer.") == 60
    assert everything.count("kort") == 1500
    # The giant word is cut where a message is full (a cut may land inside a "woord").
    assert everything.count("woord") >= 1990


def test_split_line_keeps_tags_balanced() -> None:
    line = "<b>" + "abc &amp; def " * 50 + "</b> tail <i>" + "x" * 300 + "</i>"
    pieces = split_line(line, 100)
    assert len(pieces) > 5
    for piece in pieces:
        assert tg_len(piece) <= 100
        assert_telegram_html(piece)
    assert visible("".join(pieces)).replace(" ", "") == visible(line).replace(" ", "")
    assert split_line("<b>short</b>", 100) == ["<b>short</b>"]


def test_naive_meeting_time_is_refused() -> None:
    naive = replace(AGENDA, meeting_at=datetime(2026, 12, 7, 10, 0))
    with pytest.raises(ValueError):
        agenda_messages(naive, "en")
    with pytest.raises(ValueError):
        agenda_docx(naive, "en")


# --- minutes messages -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "nl"])
def test_minutes_messages(lang: str) -> None:
    parts = minutes_messages(MINUTES, lang)
    check_parts(parts)
    text = "\n".join(parts)
    with use_locale(lang):
        order = [_("Decisions"), _("Points and questions for the tactical meeting"),
                 _("New action agreements"), _("Updated actions"),
                 _("Key points of the operational analysis")]
        chair = pgettext("meeting header", "Chair")
        recorded = _("recorded by {name} on {when}")
    positions = [text.index(f"<b>{esc(title)}</b>") for title in order]
    assert positions == sorted(positions)
    assert text.startswith("📝 <b>")
    assert f"<b>{chair}:</b> Jan Jansen" in text
    assert "✅ Stadstoezicht" in text and "❌ Woningcorporatie &lt;BV&gt; &amp; Co" in text
    decisions = section(text, order[0], order[1])
    assert "1. Extra ronde in Gebied X &lt;ook zaterdag&gt; &amp; zondag" in decisions
    assert "2. Flyers pas in week 51" in decisions
    by = recorded.split("{")[0]
    assert f"<i>{by}Fatima Bakker" in decisions
    assert "1. Capaciteit stadstoezicht" in section(text, order[1], order[2])
    new = section(text, order[2], order[3])
    assert new.index("<u>Gebied X</u>") < new.index("<b>A14</b>") < new.index("<u>Gebied Y</u>")
    updated = section(text, order[3], order[4])
    # Per partner, in the order of the attendance list.
    assert updated.index("<u>Politie</u>") < updated.index("<b>A5</b>") \
        < updated.index("<u>Woningcorporatie &lt;BV&gt; &amp; Co</u>") \
        < updated.index("<b>A3</b>")
    # The caller's order within a group.
    assert updated.index("<b>A5</b>") < updated.index("<b>A12</b>")
    if lang == "en":
        assert f"<i>recorded by Jan Jansen on 7 Dec 2026 {en_time(9, 32)}</i>" in decisions
    else:
        assert "7 dec 2026 10:32" in decisions


# --- Word documents ---------------------------------------------------------------------

ACTION_HEADERS_BY_PARTNER = ["Action id", "Action (what)", "Problem area", "Period", "Status",
                             "Results"]
ACTION_HEADERS_BY_AREA = ["Action id", "Action (what)", "Partner", "Period", "Status",
                          "Results"]


def test_agenda_docx_structure() -> None:
    document = open_docx(agenda_docx(AGENDA, "en", generated_at=GENERATED))
    titles = item_titles("en")
    style = document.paragraphs[0].style
    assert style is not None and style.name == "Title"
    assert document.paragraphs[0].text == "Agenda of the operational meeting of 7 December 2026"
    assert document.paragraphs[1].text == "Veilig Wonen Oost, Rotterdam"
    assert headings(document) == [
        titles[0], titles[1], POLICE, HOUSING, "(no partner)", titles[2], titles[3], titles[4],
        titles[5], "Gebied X", "Gebied Y", "Whole project", titles[6], titles[7],
    ]
    texts = [p.text for p in document.paragraphs]
    bullets = [p.text for p in document.paragraphs
               if p.style is not None and p.style.name == "List Bullet"]
    assert "Nieuwe wijkagent in Oost" in bullets
    assert "Regels\nover twee regels" in bullets
    assert "Doel 2027: maximaal 120 inbraken — tot nu toe 34." in bullets
    assert "Meer capaciteit BOA's <vraag> & besluit" in bullets  # docx needs no escaping
    assert "Key points:" in texts

    props = document.core_properties
    assert props.author == "wijkbot"
    assert props.title == "Agenda of the operational meeting of 7 December 2026: " + PROJECT
    assert props.created == GENERATED
    assert props.comments == ""
    section_ = document.sections[0]
    assert section_.page_width is not None and abs(section_.page_width - Cm(21)) < Cm(0.01)


def test_agenda_docx_header_table_has_yes_no_per_partner() -> None:
    document = open_docx(agenda_docx(AGENDA, "en", generated_at=GENERATED))
    header = rows(document.tables[0])
    assert header[0][:2] == ["To:", "Participants of the operational meeting\n"
                             "Politie, Woningcorporatie <BV> & Co, Stadstoezicht"]
    assert header[1][:2] == ["From:", "Jan Jansen"]
    assert header[2][:2] == ["Date:", WHEN_EN]
    assert header[3:] == [
        ["Attendance:", POLICE, "☒ yes", "☐ no"],
        ["Attendance:", HOUSING, "☐ yes", "☒ no"],
        ["Attendance:", WARDENS, "☐ yes", "☐ no"],
        ["Attendance:", "Other (guest), namely: Piet de Vries (Veiligheidshuis)", "☐ yes",
         "☐ no"],
    ]


def test_agenda_docx_action_tables() -> None:
    document = open_docx(agenda_docx(AGENDA, "en", generated_at=GENERATED))
    police, housing, nobody, area_x, area_y, whole = (rows(t) for t in document.tables[1:])
    for table in (police, housing, nobody):
        assert table[0] == ACTION_HEADERS_BY_PARTNER
    for table in (area_x, area_y, whole):
        assert table[0] == ACTION_HEADERS_BY_AREA
    assert police[1] == ["A12", DANGEROUS, "Gebied X", "wk 48-49", "⏳ open (2 weeks overdue)",
                         ""]
    assert police[2] == ["A5", "Flyers bezorgen", "", "wk 46",
                         "✖️ not done\nGeen capaciteit door DDO", ""]
    assert housing[1] == [
        "A3", "Sloten plaatsen", "Gebied Y", "wk 47", "✅ done",
        "12 sloten vervangen\n3 PKVW-adviezen\n"
        "Sinds de nieuwe sloten is in deze woningen niet meer ingebroken.",
    ]
    assert housing[2][4] == "🚫 cancelled\nDubbel met A3"
    assert [row[0] for row in nobody[1:]] == ["A9"]
    assert [row[0] for row in area_x[1:]] == ["A12", "A14"]
    assert area_x[2][2] == WARDENS
    assert [row[0] for row in area_y[1:]] == ["A9"] and area_y[1][2] == ""
    assert [row[0] for row in whole[1:]] == ["A5"]


def test_agenda_docx_in_dutch_and_without_content() -> None:
    bare = Agenda(project="Wijk\x07 Noord", municipality="", meeting_at=MEETING, chair="",
                  participants=())
    document = open_docx(agenda_docx(bare, "nl"))
    assert headings(document) == item_titles("nl")
    assert [p.text for p in document.paragraphs].count("…") == 7
    with use_locale("nl"):
        attendance = pgettext("meeting header", "Attendance")
        guest = _("Other (guest), namely: {name}").format(name="…")
    header = rows(document.tables[0])
    assert header[-1] == [f"{attendance}:", guest, f"☐ {pgettext('attendance', 'yes')}",
                          f"☐ {pgettext('attendance', 'no')}"]
    assert header[2][1].startswith("maandag 7 december 2026")
    assert document.paragraphs[1].text == "Wijk Noord"  # the control character is dropped
    assert document.core_properties.language == "nl-NL"


def test_minutes_docx() -> None:
    document = open_docx(minutes_docx(MINUTES, "en", generated_at=GENERATED))
    assert document.paragraphs[0].text == "Minutes of the operational meeting of 7 December 2026"
    assert headings(document) == [
        "Decisions", "Points and questions for the tactical meeting", "New action agreements",
        "Gebied X", "Gebied Y", "Updated actions", POLICE, HOUSING,
        "Key points of the operational analysis",
    ]
    header, decisions, escalations, area_x, area_y, police, housing = (
        rows(t) for t in document.tables)
    assert header[0][:2] == ["Date:", WHEN_EN]
    assert header[1][:2] == ["Chair:", "Jan Jansen"]
    assert ["Attendance:", WARDENS, "☒ yes", "☐ no"] in header
    # Guests named in the minutes were there.
    assert header[-1][1:] == ["Other (guest), namely: Piet de Vries (Veiligheidshuis)",
                              "☒ yes", "☐ no"]
    assert decisions == [
        ["No.", "Decision", "Recorded by", "When"],
        ["1.", "Extra ronde in Gebied X <ook zaterdag> & zondag", "Jan Jansen",
         f"7 Dec 2026 {en_time(9, 32)}"],
        ["2.", "Flyers pas in week 51", "Fatima Bakker", f"7 Dec 2026 {en_time(9, 41)}"],
    ]
    assert escalations[1] == ["1.", "Capaciteit stadstoezicht", "Jan Jansen",
                              f"7 Dec 2026 {en_time(9, 50)}"]
    assert area_x[0] == ACTION_HEADERS_BY_AREA and [r[0] for r in area_x[1:]] == ["A14"]
    assert [r[0] for r in area_y[1:]] == ["A9"]
    assert police[0] == ACTION_HEADERS_BY_PARTNER
    assert [r[0] for r in police[1:]] == ["A5", "A12"]  # the caller's order
    assert [r[0] for r in housing[1:]] == ["A3"]
    bullets = [p.text for p in document.paragraphs
               if p.style is not None and p.style.name == "List Bullet"]
    assert bullets == ["Stijging van insluipingen in Gebied X"]
    assert document.core_properties.author == "wijkbot"


def test_minutes_docx_without_decisions_in_dutch() -> None:
    bare = Minutes(project=PROJECT, municipality=MUNICIPALITY, meeting_at=MEETING,
                   chair="Jan", attendance=())
    document = open_docx(minutes_docx(bare, "nl"))
    with use_locale("nl"):
        assert headings(document)[0] == _("Decisions")
    assert len(document.tables) == 1  # only the header
    assert [p.text for p in document.paragraphs].count("…") == 5


# --- file names -------------------------------------------------------------------------

def test_document_filenames() -> None:
    assert document_filename("agenda", PROJECT, MEETING, "en") == \
        "agenda-veilig-wonen-oost-2026-12-07.docx"
    assert document_filename("minutes", PROJECT, MEETING, "en") == \
        "minutes-veilig-wonen-oost-2026-12-07.docx"
    with use_locale("nl"):
        agenda_prefix = pgettext("file name", "agenda")
        minutes_prefix = pgettext("file name", "minutes")
    assert document_filename("agenda", PROJECT, MEETING, "nl") == \
        f"{agenda_prefix}-veilig-wonen-oost-2026-12-07.docx"
    assert document_filename("minutes", PROJECT, MEETING, "nl") == \
        f"{minutes_prefix}-veilig-wonen-oost-2026-12-07.docx"
    # The local date (23:30 UTC is already the next day in Amsterdam), safe characters only.
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    name = document_filename("agenda", "Wijk <Noord>/Zuid: Ĳsselmonde ✓", late, "en")
    assert name == "agenda-wijk-noord-zuid-ijsselmonde-2026-12-08.docx"
    assert re.fullmatch(r"[a-z0-9-]+\.docx", document_filename("minutes", "🏠", late, "nl"))
    with pytest.raises(ValueError):
        document_filename("letter", PROJECT, MEETING, "en")

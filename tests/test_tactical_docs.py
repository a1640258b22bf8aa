"""The summary for the tactical meeting: Telegram messages, Word document, chart, file name."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime

import docx
import pytest

from bot.i18n import _, ngettext, pgettext, use_locale
from bot.meeting_docs import MESSAGE_LIMIT
from bot.tactical_docs import (
    MunicipalityRow,
    PartnerLine,
    RegionSummary,
    summary_chart,
    summary_docx,
    summary_figure,
    summary_filename,
    summary_messages,
)
from charts.render import figure_texts
from tests.layout import check_layout

GENERATED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DANGEROUS = "Woningcorporatie <b>& Co"
LONG = "Inbraken via achterpaden blijven hoog; extra verlichting nodig in het hofje. " * 12

DELFT = MunicipalityRow(
    project="Veilig Wonen Delft", municipality="Delft", burglaries_12m=96, previous_12m=120,
    incidence=2.4,
    goal="Goal 2027: at most 120 burglaries — 34 so far, on course for about 110: on track.",
    goal_max=120,
    partners=(PartnerLine("Politie", 4, 1, 7), PartnerLine(DANGEROUS, 2, 0, 3)),
    escalations=("Camera's op de Buitenwatersloot <b>&",),
    successes=("Effect review: 40% fewer burglaries after the lock campaign.",),
    bottlenecks=("5 actions more than 2 weeks overdue",),
)
# No number of homes known: no incidence.
RIJSWIJK = MunicipalityRow(
    project="Rijswijk Veilig", municipality="Rijswijk", burglaries_12m=40, previous_12m=0,
    incidence=None, goal="Goal 2027: at most 50 burglaries.", goal_max=50, partners=(),
    escalations=(), successes=(), bottlenecks=(),
)
# No goal, long texts that force the messages to split.
WESTLAND = MunicipalityRow(
    project="Westland <Oost> & Co", municipality="Westland & <Naaldwijk>", burglaries_12m=1,
    previous_12m=3, incidence=0.1, goal=None, goal_max=None,
    partners=(PartnerLine("Stadstoezicht", 0, 0, 0),),
    escalations=tuple(f"{number}. {LONG}" for number in range(8)),
    successes=(), bottlenecks=tuple(LONG for _number in range(3)),
)
SUMMARY = RegionSummary(
    region="Haaglanden", period_start=date(2026, 9, 28), period_end=date(2026, 11, 22),
    generated_at=GENERATED, municipalities=(DELFT, RIJSWIJK, WESTLAND),
)
NAMES = ("Delft", "Rijswijk", "Westland & <Naaldwijk>")


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _balanced(message: str) -> bool:
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)([a-z]+)>", message):
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return False
    return not stack


def _plain(message: str) -> str:
    return html.unescape(re.sub(r"</?[a-z]+>", "", message))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_messages(language: str) -> None:
    messages = summary_messages(SUMMARY, language)
    assert len(messages) > 1
    for message in messages:
        assert 0 < _u16(message) <= MESSAGE_LIMIT
        assert _balanced(message)
        assert "<b>&" not in message.replace("<b>&amp;", "")  # user text escaped
        assert re.findall(r"</?([a-z]+)>", message) and set(
            re.findall(r"</?([a-z]+)>", message)) <= {"b", "i", "u"}
    text = "\n".join(_plain(message) for message in messages)
    for name in NAMES:
        assert name in text
    assert DANGEROUS in text
    assert "Camera's op de Buitenwatersloot <b>&" in text
    with use_locale(language):
        for label in ("Tactical summary", "Successes", "Bottlenecks", "Escalations"):
            assert _(label) in text
        assert _("{heading} (continued)").split("{heading}")[-1] in text
    assert "—" in text  # empty sections
    # The burglary count is a year's, under a two-month period: it says so.
    with use_locale(language):
        year = ngettext("{count} burglary in the last 12 months",
                        "{count} burglaries in the last 12 months", 96).format(count=96)
    assert year == {"nl": "96 inbraken in de laatste 12 maanden",
                    "en": "96 burglaries in the last 12 months"}[language]
    assert f"Delft): {year} (" in text


def test_dutch_differs_from_english() -> None:
    nl, en = summary_messages(SUMMARY, "nl"), summary_messages(SUMMARY, "en")
    with use_locale("nl"):
        assert _("Tactical summary") in _plain(nl[0])
    assert "Tactical summary" in _plain(en[0])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_docx(language: str) -> None:
    document = docx.Document(io.BytesIO(summary_docx(SUMMARY, language)))
    overview = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in overview.rows]
    assert len(rows) == 4
    with use_locale(language):
        assert rows[0][0] == _("Municipality")
        assert rows[0][1] == _("Burglaries, last 12 months")
        heading = document.paragraphs[0].text
        assert heading.startswith(_("Tactical summary"))
        texts = [paragraph.text for paragraph in document.paragraphs]
        for label in ("Successes", "Bottlenecks", "Escalations", "Goal"):
            assert _(label) in texts
        year = ngettext("{count} burglary in the last 12 months",
                        "{count} burglaries in the last 12 months", 96).format(count=96)
        assert any(text.startswith(year + " (") for text in texts)
    assert [row[0] for row in rows[1:]] == [
        "Delft (Veilig Wonen Delft)", "Rijswijk (Rijswijk Veilig)",
        "Westland & <Naaldwijk> (Westland <Oost> & Co)"]
    assert rows[1][1] == "96"
    assert rows[1][2].endswith("%") and rows[1][2].startswith("−")
    assert rows[2][2] == "—" and rows[2][3] == "—"  # no base year, no homes
    assert rows[3][4] == "—"  # no goal
    partners = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert partners[1:] == [["Politie", "4", "1", "7"], [DANGEROUS, "2", "0", "3"]]
    assert "—" in texts  # e.g. Rijswijk's empty sections
    for name in NAMES:
        assert any(name in text for text in texts)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_chart(language: str) -> None:
    texts = figure_texts(summary_figure(SUMMARY, language))
    joined = "\n".join(texts)
    for name in ("Delft", "Rijswijk", "Westland & <Naaldwijk>"):
        assert name in joined
    with use_locale(language):
        assert _("Burglaries, last 12 months") in texts
        assert _("goal: yearly maximum") in texts
    assert summary_chart(SUMMARY, language).startswith(b"\x89PNG\r\n\x1a\n")
    assert check_layout([("summary.png", summary_figure(SUMMARY, language), "")]) > 10


def test_empty_summary() -> None:
    empty = RegionSummary("Haaglanden", date(2026, 9, 28), date(2026, 11, 22), GENERATED, ())
    assert summary_messages(empty, "en")[0]
    assert len(docx.Document(io.BytesIO(summary_docx(empty, "en"))).tables[0].rows) == 1
    assert summary_chart(empty, "en").startswith(b"\x89PNG")


def test_filename() -> None:
    assert summary_filename("Haaglanden", GENERATED, "en") == (
        "tactical-summary-haaglanden-2026-11-23.docx")
    with use_locale("nl"):
        prefix = pgettext("file name", "tactical-summary")
    assert summary_filename("Haaglanden", GENERATED, "nl") == (
        f"{prefix}-haaglanden-2026-11-23.docx")
    assert re.fullmatch(r"[a-z0-9.-]+", summary_filename("Zuid & <Oost>", GENERATED, "nl"))


def test_naive_moment_rejected() -> None:
    naive = RegionSummary("X", date(2026, 1, 1), date(2026, 2, 1), datetime(2026, 2, 2), ())
    with pytest.raises(ValueError):
        summary_messages(naive, "en")

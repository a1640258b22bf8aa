"""Catalogs are complete and consistent; the locale is per task; Babel formats dates."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import (
    _,
    format_date,
    format_datetime,
    format_number,
    format_week,
    get_locale,
    locales_dir,
    ngettext,
    set_locale,
    use_locale,
)

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "en")
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
# Only Telegram's HTML tags count; "<kind> <name>" in usage lines is escaped plain text.
TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-spoiler|blockquote)\b[^>]*>")


def catalog(lang: str):
    with (locales_dir() / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def template():
    with (locales_dir() / "messages.pot").open("rb") as fh:
        return read_po(fh)


def source_ids() -> set[str]:
    ids: set[str] = set()
    for package in ("bot", "handlers", "storage", "charts"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / package), method_map=[("**.py", "python")]
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_template_is_up_to_date_with_the_source() -> None:
    in_template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template() if m.id}
    missing = source_ids() - in_template
    assert not missing, f"run pybabel extract (see README): {sorted(missing)[:5]}"


# Messages with "<word>" that is no Telegram tag, each checked to reach the user escaped
# (usage hints) or never to go to Telegram at all (command line). Any other such message
# would make Telegram refuse the whole reply ("Can't parse entities"), as "/region <name>"
# once did; rephrase it, or check it and add it here.
NOT_HTML = {
    "<text>", "A12 <field> <value>", "A12 <reason>", "A12 <result, e.g. 12 locks replaced>",
    "[<kind> <name> | CBS code | homes | parent area]", "[<kind> <name>]",
    "[<partner> | <role> | multi | <days>]",
    "[operational | neighbourhoodwatch <area>, …] or, in the group, <code>",
    # the command line
    "  3. Join as project leader: open https://t.me/<your_bot>?start={payload} and send "
    "/help, /project.",
    "coordinate system: rd, wgs84 or EPSG:<n> (default: detect)",
    "malformed bot token in {variable}: expected '<digits>:<secret>'",
}


def test_no_pseudo_tags_in_messages_sent_as_html() -> None:
    pseudo = re.compile(r"<(?!/?(?:b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-spoiler|"
                        r"blockquote)\b)[^<>]*>")
    found = set()
    for message in template():
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            if text and pseudo.search(text):
                found.add(text)
    assert found == NOT_HTML, sorted(found ^ NOT_HTML)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_complete_and_placeholders_match(lang: str) -> None:
    cat = catalog(lang)
    ids = {m.id for m in cat if m.id}
    problems = []
    for message in template():
        if message.id and message.id not in ids:
            problems.append(f"missing: {message.id!r}")
    for message in cat:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        singulars = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        wanted = set(PLACEHOLDER.findall(singulars[-1]))
        allowed = set().union(*(PLACEHOLDER.findall(s) for s in singulars))
        wanted_tags = sorted(TAG.findall(singulars[0]))
        for index, text in enumerate(strings):
            found = set(PLACEHOLDER.findall(text))
            # A plural's singular form may leave the count out ("the day after"); the
            # other forms must carry the plural's placeholders exactly.
            singular_form = len(strings) > 1 and index == 0
            if (not found <= allowed) if singular_form else found != wanted:
                problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
            if sorted(TAG.findall(text)) != wanted_tags:
                problems.append(f"HTML tags differ: {message.id!r} -> {text!r}")
    assert not problems, "\n".join(problems[:20])


def test_translations_are_used() -> None:
    with use_locale("nl"):
        assert _("Cancelled. Nothing was saved.") != "Cancelled. Nothing was saved."
    with use_locale("en"):
        assert _("Cancelled. Nothing was saved.") == "Cancelled. Nothing was saved."


async def test_locale_is_per_task_not_global() -> None:
    seen: dict[str, str] = {}

    async def speak(lang: str) -> None:
        set_locale(lang)
        await asyncio.sleep(0.01)  # let the other task run and set its own locale
        seen[lang] = get_locale()

    before = get_locale()
    await asyncio.gather(asyncio.create_task(speak("en")), asyncio.create_task(speak("nl")))
    assert seen == {"en": "en", "nl": "nl"}
    assert get_locale() == before


def test_babel_formatting() -> None:
    moment = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 21:30 in Amsterdam
    with use_locale("nl"):
        assert format_date(date(2026, 11, 23), "long") == "23 november 2026"
        assert "21:30" in format_datetime(moment, "short")
        assert format_datetime(moment) == "23 nov 2026, 21:30"  # medium: no seconds
        assert format_number(1234.5) == "1.234,5"
        assert format_week(date(2026, 11, 23)) == "week 48"
    with use_locale("en"):
        # British conventions: day before month, 24-hour clock, four-digit year.
        assert format_date(date(2026, 11, 23), "long") == "23 November 2026"
        assert format_datetime(moment, "short") == "23/11/2026, 21:30"
        assert format_datetime(moment, "medium") == "23 Nov 2026, 21:30"
        assert format_number(1234.5) == "1,234.5"
        # ISO weeks even where the locale's own calendar starts on Sunday.
        assert format_week(date(2027, 1, 3)) == "week 53"
        assert format_week(date(2026, 12, 28), with_year=True) == "week 53 of 2026"


def test_dst_is_respected() -> None:
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with use_locale("nl"):
        assert "12:00" in format_datetime(summer, "short")
        assert "11:00" in format_datetime(winter, "short")


def test_plural_forms() -> None:
    for lang, one, many in (("en", "1 member", "3 members"), ("nl", "1 lid", "3 leden")):
        with use_locale(lang):
            assert ngettext("{count} member", "{count} members", 1).format(count=1) == one
            assert ngettext("{count} member", "{count} members", 3).format(count=3) == many


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_words_a_usage_hint_suggests_are_understood(lang) -> None:
    """Every word a hint lists (in the user's language) is read back as its own key."""
    from bot.labels import AREA_KIND_WORDS, PARTNER_KIND_WORDS, ROLE_WORDS, typed_words, word_key
    from storage.models import AreaKind, PartnerKind, Role

    with use_locale(lang):
        for keys, words in ((Role, ROLE_WORDS), (PartnerKind, PARTNER_KIND_WORDS),
                            (AreaKind, AREA_KIND_WORDS)):
            typed = typed_words(keys)
            assert [words[word_key(w)] for w in typed] == list(keys)

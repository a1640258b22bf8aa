"""End to end: projects join a region; the tactical summary covers every project of the
region, as message, chart and Word document, and the bimonthly job sends it once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx

from handlers.region import JOB
from tests.conftest import invitation_payload


async def test_tactical_summary_covers_every_project_of_the_region(app, people, botapi,
                                                                   clock) -> None:
    east, west = people(100, "Anna", "en"), people(101, "Bram", "en-GB")
    await east.say("/newproject Veilig Oost | Havendam")
    await west.say("/newproject Veilig West | Veenland")
    # Before there is a region: how to set one (this text once crashed the reply, as its
    # "<name>" was taken for an HTML tag).
    lonely = await east.say("/region")
    assert lonely["text"] == ("This project is not part of a region yet. A project leader "
                              "sets it with /region and the region's name, e.g. /region "
                              "Haaglanden.")
    dutch = people(102, "Cor", "nl")
    await dutch.say("/nieuwproject Veilig Noord | Havendam")
    assert "Een projectleider stelt die in met /regio en de naam" in (
        await dutch.say("/regio"))["text"]
    joined = await east.say("/region Haaglanden")
    assert "Havendam" in joined["text"]
    joined = await west.say("/region haaglanden")
    assert "Havendam" in joined["text"] and "Veenland" in joined["text"]
    await east.say("/goal max 50 2026")
    await east.say("/burglary Dorpsstraat 3 | 22-11 21:30 | attempt")

    since = botapi.mark()
    botapi.send_text(east.user, "/region")
    document = await botapi.wait_for("sendDocument", since=since, timeout=30)
    texts = " ".join(c.params.get("text", "") for c in botapi.calls[since:]
                     if c.method == "sendMessage")
    assert "Havendam" in texts and "Veenland" in texts
    assert botapi.calls_to("sendPhoto")
    table = docx.Document(io.BytesIO(next(iter(document.files.values())).data)).tables[0]
    cells = " ".join(c.text for row in table.rows for c in row.cells)
    assert "Havendam" in cells and "Veenland" in cells

    # Not for partners, and not in groups.
    partner = people(200, "Kees", "en")
    await botapi.settle()
    botapi.drain(100)
    invite = await east.say("/invite Gemeente Havendam | partner")
    await partner.say(f"/start {invitation_payload(invite['text'])}")
    refused = await partner.say("/region")
    assert "Veenland" not in refused["text"]

    # The bimonthly job: on 1 January each region's project leaders get it, once.
    clock.set(datetime(2027, 1, 1, 8, 0, tzinfo=UTC))
    [job] = app.job_queue.get_jobs_by_name(JOB)
    mark = botapi.mark()
    await job.run(app)
    await job.run(app)
    await botapi.settle()
    documents = [c.params["chat_id"] for c in botapi.calls[mark:] if c.method == "sendDocument"]
    assert sorted(documents) == [100, 101]
    # In the leader's own language, also when Telegram gives it with a region (en-GB).
    to_west = [c.params["text"] for c in botapi.calls[mark:]
               if c.method == "sendMessage" and c.params.get("chat_id") == 101]
    assert to_west and to_west[0].startswith("📊 <b>Tactical summary</b>")

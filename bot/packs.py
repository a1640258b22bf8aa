"""Writing a steering pack to a folder: the charts as PNG, the key points as text, and
all numbers as JSON and CSV (``wijkbot steering`` and ``wijkbot demo``)."""

from __future__ import annotations

import json
from pathlib import Path

from charts.pack import SteeringPack


def write_pack(pack: SteeringPack, points: list[str], out: Path) -> None:
    """PNG files, the key points as text, and all numbers as JSON and CSV."""
    out.mkdir(parents=True, exist_ok=True)
    for name, png, _caption in pack.figures:
        (out / name).write_bytes(png)
    (out / "kernpunten.txt" if pack.language == "nl" else out / "key_points.txt").write_text(
        "\n".join(f"- {p}" for p in points) + "\n", encoding="utf-8")
    (out / "pack.json").write_text(pack.to_json(indent=2), encoding="utf-8")
    pack.buurt_table.to_csv(out / "neighbourhoods.csv", index=False)
    pack.street_table.to_csv(out / "streets.csv", index=False)
    pack.field_work.to_csv(out / "field_logs.csv", index=False)
    captions = {name: caption for name, _png, caption in pack.figures}
    (out / "captions.json").write_text(json.dumps(captions, ensure_ascii=False, indent=2),
                                       encoding="utf-8")

-- Photos and documents of outbox messages, stored once however many messages carry them
-- (one alert map for 200 groups, the charts of a meeting pack), and uploaded to Telegram
-- once: after the first upload the sender sends Telegram's file id instead of the bytes.
CREATE TABLE outbox_files (
    id               INTEGER PRIMARY KEY,
    sha256           TEXT NOT NULL UNIQUE,
    data             BLOB NOT NULL,
    telegram_file_id TEXT,
    created_at       TEXT NOT NULL
);

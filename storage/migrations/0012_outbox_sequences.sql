-- Scheduled posts (meeting packs, check-ins, reminders, digests, the tactical summary) go
-- through the outbox too. Such a post is a sequence of messages that must arrive in order
-- (a header, the charts, the agenda, the Word document): a row waits until the row before it
-- is done (sent, failed or cancelled).
ALTER TABLE outbox ADD COLUMN after_id INTEGER REFERENCES outbox(id);

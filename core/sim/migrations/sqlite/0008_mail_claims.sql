-- A worker's claim on a queued message: until when (Unix ms) and by which
-- worker. With several instances of the portal on one database, each
-- message is sent by the one worker that claimed it; a claim left by a
-- worker that died lapses, and another worker takes the message.
ALTER TABLE mail_queue ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_queue ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

-- A worker's claim on a queued message (Unix ms until which it is the
-- claimer's): with several instances of the portal on one database, each
-- message is sent by the one worker that claimed it; a claim left by a
-- worker that died lapses, and another worker takes the message.
ALTER TABLE mail_queue ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;

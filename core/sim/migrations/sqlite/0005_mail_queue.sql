-- The portal's outgoing mail, written in the transaction of the request
-- that sends it and handed to the relay by one worker, with retries. A
-- message's body holds its code or link: once sent it is emptied (but on a
-- sandbox, whose mailbox shows them anyway), so the queue keeps a secret
-- only while it has to. Times are Unix milliseconds.
CREATE TABLE mail_queue (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The worker's next message is one index look-up, however long the queue.
CREATE INDEX mail_queue_due ON mail_queue (state, next_attempt_at, id);

-- The portal's limits on guesses and mail, kept here rather than in one
-- process's memory so that every instance on one database counts against
-- the same budget (shared.go): one row per attempt or mail counted, kept
-- while a window (an hour at most) counts it.
CREATE TABLE throttle_event (
	id   INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	at   INTEGER NOT NULL
) STRICT;
CREATE INDEX throttle_event_key ON throttle_event (kind, key, at);
CREATE INDEX throttle_event_at ON throttle_event (at);

-- The portal's keys (the captcha answers' HMAC key): drawn by the first
-- instance that starts, so that every instance checks what another issued.
CREATE TABLE portal_key (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;

-- Second factor at sign-in, as Chorus Pro asks it since 19 September 2024.

-- The account's method: '' (none yet: the next sign-in enrols one), 'totp'
-- or 'email'. An authenticator app's secret must be readable to check its
-- codes; totp_last_step is the last 30-second step a code was accepted
-- for, so a code is used once only.
ALTER TABLE account ADD COLUMN second_factor TEXT NOT NULL DEFAULT ''
	CHECK (second_factor IN ('', 'totp', 'email'));
ALTER TABLE account ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- A sign-in whose password was right, waiting for its second factor. Only
-- the SHA-256 of the challenge token is kept; an e-mailed code is kept as
-- the SHA-256 of token and code, so the record alone does not give it.
-- attempts is reserved before a code is checked: at most 5 are evaluated.
CREATE TABLE challenge (
	token_hash  BLOB PRIMARY KEY,
	account_id  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	enrol       INTEGER NOT NULL DEFAULT 0,
	method      TEXT NOT NULL DEFAULT '',
	totp_secret TEXT NOT NULL DEFAULT '',
	code_hash   BLOB,
	attempts    INTEGER NOT NULL DEFAULT 0,
	expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX challenge_account ON challenge (account_id);

-- Recovery codes: only their SHA-256; each is used once.
CREATE TABLE recovery_code (
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, code_hash)
) STRICT;

-- Trusted computers: a device token stands in for the second factor
-- (never for the password) until revoked or 90 days unused.
CREATE TABLE device (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX device_account ON device (account_id);

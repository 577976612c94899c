-- The user's settings (core.Settings), beside their drafts, so that the
-- desktop app and onboardctl read the same ones. Never a secret: those live
-- in the keyring.
CREATE TABLE setting (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

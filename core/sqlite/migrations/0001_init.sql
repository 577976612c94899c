-- Drafts, their validation and sync state, and the outbox.
-- Times are UTC RFC 3339 text; outbox schedule times are Unix milliseconds.

CREATE TABLE account (
	id                     INTEGER PRIMARY KEY,
	login_email            TEXT NOT NULL DEFAULT '',
	login_email_confirm    TEXT NOT NULL DEFAULT '',
	first_name             TEXT NOT NULL DEFAULT '',
	last_name              TEXT NOT NULL DEFAULT '',
	phone                  TEXT NOT NULL DEFAULT '',
	contact_email          TEXT NOT NULL DEFAULT '',
	conditions_accepted_at TEXT NOT NULL DEFAULT '',
	problems               TEXT NOT NULL DEFAULT '[]',
	state                  TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
		('draft','queued','sent','created','attachment_requested','attachment_approved','attachment_refused','failed')),
	portal_message         TEXT NOT NULL DEFAULT '',
	portal_id              TEXT NOT NULL DEFAULT '',
	created_at             TEXT NOT NULL,
	updated_at             TEXT NOT NULL
) STRICT;

CREATE TABLE structure (
	id                   INTEGER PRIMARY KEY,
	identifier_type      TEXT NOT NULL,
	identifier           TEXT NOT NULL DEFAULT '',
	structure_kind       TEXT NOT NULL DEFAULT '',
	company_name         TEXT NOT NULL DEFAULT '',
	structure_name       TEXT NOT NULL DEFAULT '',
	email                TEXT NOT NULL DEFAULT '',
	phone                TEXT NOT NULL DEFAULT '',
	address              TEXT NOT NULL DEFAULT '',
	address_complement_1 TEXT NOT NULL DEFAULT '',
	address_complement_2 TEXT NOT NULL DEFAULT '',
	city                 TEXT NOT NULL DEFAULT '',
	postal_code          TEXT NOT NULL DEFAULT '',
	country              TEXT NOT NULL DEFAULT 'FR',
	non_diffusible       INTEGER NOT NULL DEFAULT 0 CHECK (non_diffusible IN (0, 1)),
	problems             TEXT NOT NULL DEFAULT '[]',
	state                TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
		('draft','queued','sent','created','attachment_requested','attachment_approved','attachment_refused','failed')),
	portal_message       TEXT NOT NULL DEFAULT '',
	portal_id            TEXT NOT NULL DEFAULT '',
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
) STRICT;

-- One structure per (identifier type, identifier); drafts still being typed
-- may have no identifier yet.
CREATE UNIQUE INDEX structure_key ON structure (identifier_type, identifier) WHERE identifier <> '';

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	op_id           TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL,
	account_id      INTEGER REFERENCES account (id) ON DELETE CASCADE,
	structure_id    INTEGER REFERENCES structure (id) ON DELETE CASCADE,
	payload         BLOB NOT NULL,
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	-- One key for "the record this row is about", so that finding an
	-- entity's oldest pending row is one index lookup.
	entity          TEXT GENERATED ALWAYS AS (coalesce('a' || account_id, 's' || structure_id)) VIRTUAL,
	CHECK ((account_id IS NULL) <> (structure_id IS NULL))
) STRICT;

CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_structure ON outbox (structure_id, state);
CREATE INDEX outbox_account ON outbox (account_id, state);
CREATE INDEX outbox_entity ON outbox (entity, state, id);

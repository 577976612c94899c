-- One time format: every time is Unix milliseconds (UTC) in an INTEGER
-- column, as the outbox's schedule already was. And the portal's word on a
-- record is kept as a notice (JSON: a code with its parameters), rendered in
-- the language the user reads in, instead of a sentence translated once.
-- The tables are rebuilt (SQLite cannot change a column's type); the
-- migration runner turns foreign keys off meanwhile and checks them after.

CREATE TABLE account_new (
	id                     INTEGER PRIMARY KEY,
	login_email            TEXT NOT NULL DEFAULT '',
	login_email_confirm    TEXT NOT NULL DEFAULT '',
	first_name             TEXT NOT NULL DEFAULT '',
	last_name              TEXT NOT NULL DEFAULT '',
	phone                  TEXT NOT NULL DEFAULT '',
	contact_email          TEXT NOT NULL DEFAULT '',
	conditions_accepted_at INTEGER NOT NULL DEFAULT 0,
	problems               TEXT NOT NULL DEFAULT '[]',
	state                  TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
		('draft','queued','sent','created','attachment_requested','attachment_approved','attachment_refused','failed')),
	notice                 TEXT NOT NULL DEFAULT '',
	portal_id              TEXT NOT NULL DEFAULT '',
	created_at             INTEGER NOT NULL,
	updated_at             INTEGER NOT NULL
) STRICT;

INSERT INTO account_new SELECT id, login_email, login_email_confirm, first_name, last_name, phone, contact_email,
	CASE WHEN conditions_accepted_at = '' THEN 0 ELSE CAST(round(unixepoch(conditions_accepted_at, 'subsec') * 1000) AS INTEGER) END,
	problems, state,
	CASE WHEN portal_message = '' THEN '' ELSE json_object('code', 'portal.text', 'params', json_object('text', portal_message)) END,
	portal_id,
	CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER),
	CAST(round(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER)
FROM account;

CREATE TABLE structure_new (
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
	notice               TEXT NOT NULL DEFAULT '',
	portal_id            TEXT NOT NULL DEFAULT '',
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
) STRICT;

INSERT INTO structure_new SELECT id, identifier_type, identifier, structure_kind, company_name, structure_name, email, phone,
	address, address_complement_1, address_complement_2, city, postal_code, country, non_diffusible, problems, state,
	CASE WHEN portal_message = '' THEN '' ELSE json_object('code', 'portal.text', 'params', json_object('text', portal_message)) END,
	portal_id,
	CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER),
	CAST(round(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER)
FROM structure;

CREATE TABLE outbox_new (
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
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	-- One key for "the record this row is about", so that finding an
	-- entity's oldest pending row is one index lookup.
	entity          TEXT GENERATED ALWAYS AS (coalesce('a' || account_id, 's' || structure_id)) VIRTUAL,
	CHECK ((account_id IS NULL) <> (structure_id IS NULL))
) STRICT;

INSERT INTO outbox_new (id, op_id, kind, account_id, structure_id, payload, state, attempts, next_attempt_at, lease_until,
	last_error, created_at, updated_at)
SELECT id, op_id, kind, account_id, structure_id, payload, state, attempts, next_attempt_at, lease_until, last_error,
	CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER),
	CAST(round(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER)
FROM outbox;

DROP TABLE outbox;
DROP TABLE structure;
DROP TABLE account;
ALTER TABLE account_new RENAME TO account;
ALTER TABLE structure_new RENAME TO structure;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE UNIQUE INDEX structure_key ON structure (identifier_type, identifier) WHERE identifier <> '';
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_structure ON outbox (structure_id, state);
CREATE INDEX outbox_account ON outbox (account_id, state);
CREATE INDEX outbox_entity ON outbox (entity, state, id);

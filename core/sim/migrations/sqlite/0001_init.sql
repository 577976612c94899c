-- chorus-sim: the portal's own records. Times are Unix milliseconds.

CREATE TABLE account (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	first_name    TEXT NOT NULL,
	last_name     TEXT NOT NULL,
	phone         TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	active        INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
) STRICT;

-- Activation links: only the SHA-256 of the 128-bit token is kept.
CREATE TABLE activation (
	token_hash BLOB PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL,
	used       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Captcha challenges: only HMACs of the answers; deleted on the first try.
CREATE TABLE captcha (
	id         TEXT PRIMARY KEY,
	answer_mac BLOB NOT NULL,
	code_mac   BLOB,
	code_email TEXT NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE session (
	token_hash BLOB PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
) STRICT;

-- Structures; id is what PISTE calls idStructureCPP.
CREATE TABLE structure (
	id                   INTEGER PRIMARY KEY,
	identifier_type      TEXT NOT NULL,
	identifier           TEXT NOT NULL,
	kind                 TEXT NOT NULL,
	company_name         TEXT NOT NULL,
	structure_name       TEXT NOT NULL DEFAULT '',
	email                TEXT NOT NULL DEFAULT '',
	phone                TEXT NOT NULL DEFAULT '',
	address              TEXT NOT NULL DEFAULT '',
	address_complement_1 TEXT NOT NULL DEFAULT '',
	address_complement_2 TEXT NOT NULL DEFAULT '',
	city                 TEXT NOT NULL DEFAULT '',
	postal_code          TEXT NOT NULL DEFAULT '',
	country              TEXT NOT NULL DEFAULT 'FR',
	non_diffusible       INTEGER NOT NULL DEFAULT 0,
	status               TEXT NOT NULL DEFAULT 'ACTIVE',
	created_at           INTEGER NOT NULL,
	UNIQUE (identifier_type, identifier)
) STRICT;

-- Who may approve attachment requests: the creator is principal manager.
CREATE TABLE manager (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	role         TEXT NOT NULL DEFAULT 'GESTIONNAIRE_PRINCIPAL',
	PRIMARY KEY (structure_id, account_id)
) STRICT;

CREATE TABLE attachment (
	id           INTEGER PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	status       TEXT NOT NULL DEFAULT 'EN_COURS_DE_VALIDATION'
		CHECK (status IN ('EN_COURS_DE_VALIDATION','VALIDEE','REFUSEE')),
	created_at   INTEGER NOT NULL,
	decided_at   INTEGER NOT NULL DEFAULT 0,
	UNIQUE (structure_id, account_id)
) STRICT;

CREATE TABLE mail (
	id         INTEGER PRIMARY KEY,
	recipient  TEXT NOT NULL COLLATE NOCASE,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	link       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_recipient ON mail (recipient, id);

-- Idempotency-Key records, written in the transaction of the effect itself.
CREATE TABLE idempotency (
	scope       TEXT NOT NULL,
	key         TEXT NOT NULL,
	fingerprint BLOB NOT NULL,
	status      INTEGER NOT NULL,
	body        BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

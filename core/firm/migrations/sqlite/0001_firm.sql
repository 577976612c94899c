-- The firm's shared workspace, in a file of its own beside the portal's:
-- firms, their members (accounts of the portal, by id and address), the
-- invitations waiting, the clients with their latest accepted version, the
-- changes of who is in charge, the audit, and the idempotency records of
-- the writes. Times are Unix milliseconds.

-- position is the firm's last change's: each accepted change takes the
-- next one, under this row's lock, so positions follow the order changes
-- commit in.
-- charge_floor is the position up to which the changes of charge were
-- forgotten (charge_change): a member who sees only their clients and
-- reads from before it reads every client again.
CREATE TABLE firm (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	position     INTEGER NOT NULL DEFAULT 0,
	charge_floor INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;

-- An account belongs to one firm at most.
CREATE TABLE member (
	firm_id    INTEGER NOT NULL REFERENCES firm (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL UNIQUE,
	email      TEXT NOT NULL COLLATE NOCASE,
	name       TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL CHECK (role IN ('admin', 'member', 'assigned')),
	added_at   INTEGER NOT NULL,
	PRIMARY KEY (firm_id, account_id)
) STRICT;

CREATE TABLE invitation (
	firm_id    INTEGER NOT NULL REFERENCES firm (id) ON DELETE CASCADE,
	email      TEXT NOT NULL COLLATE NOCASE,
	role       TEXT NOT NULL CHECK (role IN ('admin', 'member', 'assigned')),
	invited_by INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (firm_id, email)
) STRICT;

-- A client's latest accepted version: its fields as a JSON object of text
-- values (core.ClientFields), its revision, who is in charge, who claimed
-- its submission, the last change's author, and its position in the
-- firm's order (the feed pages clients by it). A deleted client stays, as
-- a tombstone an admin can restore. identity is "TYPE:identifier" ('' for a
-- draft without one yet): one live client per key.
CREATE TABLE client (
	id           INTEGER PRIMARY KEY,
	firm_id      INTEGER NOT NULL REFERENCES firm (id) ON DELETE CASCADE,
	identity     TEXT NOT NULL DEFAULT '',
	fields       TEXT NOT NULL,
	revision     INTEGER NOT NULL,
	in_charge    INTEGER NOT NULL DEFAULT 0,
	claimed_by   TEXT NOT NULL DEFAULT '',
	updated_by   TEXT NOT NULL,
	updated_at   INTEGER NOT NULL,
	updated_from TEXT NOT NULL DEFAULT '',
	deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
	position     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX client_key ON client (firm_id, identity) WHERE identity <> '' AND deleted = 0;
CREATE INDEX client_position ON client (firm_id, position);
CREATE INDEX client_in_charge ON client (firm_id, in_charge, position);

-- Who was in charge before and after each change of charge: a member who
-- sees only their clients learns from it that one left them.
CREATE TABLE charge_change (
	firm_id   INTEGER NOT NULL REFERENCES firm (id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	client_id INTEGER NOT NULL,
	was       INTEGER NOT NULL,
	now       INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	PRIMARY KEY (firm_id, position)
) STRICT;
CREATE INDEX charge_change_before ON charge_change (firm_id, was, position);
CREATE INDEX charge_change_at ON charge_change (at);

-- One row per field of an accepted change, or per action.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	firm_id   INTEGER NOT NULL REFERENCES firm (id) ON DELETE CASCADE,
	client_id INTEGER NOT NULL,
	revision  INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	author    TEXT NOT NULL,
	device    TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	field     TEXT NOT NULL DEFAULT '',
	old       TEXT NOT NULL DEFAULT '',
	new       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_client ON audit (firm_id, client_id, id);
CREATE INDEX audit_firm ON audit (firm_id, id);
CREATE INDEX audit_at ON audit (at);

-- The answers of the writes that carried an idempotency key, per account:
-- a retry gets the first answer, never a second change.
CREATE TABLE idempotency (
	account_id  INTEGER NOT NULL,
	op_key      TEXT NOT NULL,
	fingerprint BLOB NOT NULL,
	status      INTEGER NOT NULL,
	body        BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (account_id, op_key)
) STRICT;
CREATE INDEX idempotency_created ON idempotency (created_at);

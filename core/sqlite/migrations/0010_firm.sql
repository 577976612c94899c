-- The firm's shared workspace on this desktop (core.FirmStore): the firm it
-- is in (one at a time), and for each structure that is one of the firm's
-- clients, the version last agreed with the firm's server (the base of the
-- three-way merge), who is in charge, the fields in conflict, and the
-- change waiting to be sent. Local changes go to firm_outbox by triggers,
-- in the transaction of the change, whoever makes it (the app, its worker,
-- onboardctl); the feed's changes are applied with a row in firm_applying,
-- which the triggers read as "not a local change".

-- The firm's note on a client, shared with the firm.
ALTER TABLE structure ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- cursor is how far the feed was applied; joined is set once the first
-- reading of every client finished (until then the structures added here
-- are not sent to the firm: the join sends them, or keeps them apart).
CREATE TABLE firm_link (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	url        TEXT NOT NULL,
	email      TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL DEFAULT '',
	account_id INTEGER NOT NULL DEFAULT 0,
	cursor     INTEGER NOT NULL DEFAULT 0,
	joined     INTEGER NOT NULL DEFAULT 0 CHECK (joined IN (0, 1))
) STRICT;

-- client_id is the server's (NULL until the firm accepted the client);
-- base the fields at revision, as JSON (core.ClientFields).
CREATE TABLE firm_client (
	structure_id    INTEGER PRIMARY KEY REFERENCES structure (id) ON DELETE CASCADE,
	client_id       INTEGER UNIQUE,
	revision        INTEGER NOT NULL DEFAULT 0,
	base            TEXT NOT NULL DEFAULT '{}',
	in_charge       INTEGER NOT NULL DEFAULT 0,
	in_charge_email TEXT NOT NULL DEFAULT '',
	claimed_by      TEXT NOT NULL DEFAULT '',
	updated_by      TEXT NOT NULL DEFAULT '',
	updated_at      INTEGER NOT NULL DEFAULT 0,
	conflicts       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX firm_client_in_charge ON firm_client (in_charge_email);

-- The change of a client waiting to be sent: one row per client, its
-- generation raised by each local change (a row is done only if no change
-- came since it was read), its idempotency key kept until an attempt was
-- made and the client changed again.
CREATE TABLE firm_outbox (
	structure_id INTEGER PRIMARY KEY REFERENCES structure (id) ON DELETE CASCADE,
	op_key       TEXT NOT NULL,
	gen          INTEGER NOT NULL DEFAULT 1,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX firm_outbox_due ON firm_outbox (next_at);

-- A client deleted here, its deletion waiting to be sent, with the fields
-- it had (to restore it if a colleague changed it meanwhile).
CREATE TABLE firm_delete (
	client_id INTEGER PRIMARY KEY,
	revision  INTEGER NOT NULL,
	fields    TEXT NOT NULL,
	op_key    TEXT NOT NULL,
	attempts  INTEGER NOT NULL DEFAULT 0,
	next_at   INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A field changed here and on the firm to different values: both kept
-- until the user keeps one.
CREATE TABLE firm_conflict (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	field        TEXT NOT NULL,
	mine         TEXT NOT NULL,
	theirs       TEXT NOT NULL,
	theirs_by    TEXT NOT NULL,
	theirs_at    INTEGER NOT NULL,
	PRIMARY KEY (structure_id, field)
) STRICT;

-- A row here, within a transaction, marks what it writes as coming from
-- the firm: the triggers leave it out of firm_outbox.
CREATE TABLE firm_applying (id INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER firm_structure_changed AFTER UPDATE ON structure
	WHEN NOT EXISTS (SELECT 1 FROM firm_applying) AND EXISTS (SELECT 1 FROM firm_client WHERE structure_id = NEW.id)
BEGIN
	INSERT INTO firm_outbox (structure_id, op_key) VALUES (NEW.id, lower(hex(randomblob(16))))
	ON CONFLICT (structure_id) DO UPDATE SET gen = gen + 1, next_at = 0,
		op_key = CASE WHEN attempts = 0 THEN op_key ELSE lower(hex(randomblob(16))) END, attempts = 0;
END;

CREATE TRIGGER firm_structure_added AFTER INSERT ON structure
	WHEN NOT EXISTS (SELECT 1 FROM firm_applying) AND EXISTS (SELECT 1 FROM firm_link WHERE joined = 1)
BEGIN
	INSERT INTO firm_client (structure_id) VALUES (NEW.id);
	INSERT INTO firm_outbox (structure_id, op_key) VALUES (NEW.id, lower(hex(randomblob(16))));
END;

CREATE TRIGGER firm_structure_removed BEFORE DELETE ON structure
	WHEN NOT EXISTS (SELECT 1 FROM firm_applying)
BEGIN
	INSERT INTO firm_delete (client_id, revision, fields, op_key)
		SELECT client_id, revision, base, lower(hex(randomblob(16))) FROM firm_client
		WHERE structure_id = OLD.id AND client_id IS NOT NULL
	ON CONFLICT (client_id) DO NOTHING;
END;

-- What the firm says of a client (who is in charge, conflicts) shows in
-- the workspace's list, which follows structure_change.
CREATE TRIGGER firm_client_changed AFTER UPDATE ON firm_client BEGIN
	INSERT INTO structure_change (structure_id) VALUES (NEW.structure_id);
END;
CREATE TRIGGER firm_client_added AFTER INSERT ON firm_client BEGIN
	INSERT INTO structure_change (structure_id) VALUES (NEW.structure_id);
END;

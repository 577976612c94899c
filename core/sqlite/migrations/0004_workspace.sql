-- The workspace lists, filters and sorts thousands of structures. Each
-- keeps a search key (its text folded: lower case, no accents; built in Go,
-- so search_version says which rows still need it) and the count of its
-- problems, so listing needs no JSON parsing.
ALTER TABLE structure ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE structure ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE structure ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;

-- The rows whose search key is missing or older than this build's.
CREATE INDEX structure_search_version ON structure (search_version);

-- Every change to a structure, in order, written by triggers in the
-- transaction of the change: a process that keeps the workspace's list in
-- memory reads what changed since it last looked instead of the whole
-- table, whoever made the change (the app, its worker, onboardctl).
CREATE TABLE structure_change (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	structure_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER structure_inserted AFTER INSERT ON structure BEGIN
	INSERT INTO structure_change (structure_id) VALUES (NEW.id);
END;
CREATE TRIGGER structure_updated AFTER UPDATE ON structure BEGIN
	INSERT INTO structure_change (structure_id) VALUES (NEW.id);
END;
CREATE TRIGGER structure_deleted AFTER DELETE ON structure BEGIN
	INSERT INTO structure_change (structure_id) VALUES (OLD.id);
END;

-- Every queued row wrote two entries for the record it is about:
-- outbox_entity (entity, state, id) and outbox_structure (structure_id,
-- state), or outbox_account for an account's row. Both answer the same
-- question (an entity's oldest pending row: the rowid ends each entry), so
-- the queries ask the second (one look-up for a structure, one for an
-- account) and the first goes, with the column only it read. An import of
-- 10,000 rows writes 10,000 entries fewer. outbox_structure stays: the
-- foreign key's ON DELETE CASCADE finds a structure's rows through it.
DROP INDEX outbox_entity;
ALTER TABLE outbox DROP COLUMN entity;

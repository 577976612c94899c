-- An import writes thousands of rows, and every index is one more b-tree
-- insert for each (a queued structure touched twelve b-trees, a plain
-- SQLite insert two). Three indexes kept entries no query reads:
--
-- outbox_due (state, next_attempt_at): every due query names its target
-- since 0005, and outbox_target_due serves them.
DROP INDEX outbox_due;
-- outbox_account: only account rows are looked up by account; structure
-- rows (nearly all) need no entry.
DROP INDEX outbox_account;
CREATE INDEX outbox_account ON outbox (account_id, state) WHERE account_id IS NOT NULL;
-- structure_search_version: only rows an older build wrote are looked up
-- by it, and a row written now is never stale. The number is this build's
-- searchVersion (workspace.go): a build that raises it recreates the index
-- with the new one (TestIndexesServeTheirQueries fails until it does).
DROP INDEX structure_search_version;
CREATE INDEX structure_search_stale ON structure (id) WHERE search_version < 1;

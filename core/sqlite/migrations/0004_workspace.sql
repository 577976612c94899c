-- The workspace lists, filters and sorts thousands of structures: each keeps
-- a search key (its text folded: lower case, no accents; built in Go, so
-- search_version says which rows still need it) and the count of its
-- problems, so the list needs no JSON parsing.
ALTER TABLE structure ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE structure ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE structure ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;

-- The rows whose search key is missing or older than this build's.
CREATE INDEX structure_search_version ON structure (search_version);
-- Counts per state and the list of one state.
CREATE INDEX structure_state ON structure (state, errors);

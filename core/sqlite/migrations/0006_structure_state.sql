-- The structures of one state are found through an index: the worker's
-- read-back of pending attachment requests and the status line's counts per
-- state read a few index pages, never the whole table, however many
-- thousands of structures an accountant keeps.
CREATE INDEX structure_state ON structure (state);

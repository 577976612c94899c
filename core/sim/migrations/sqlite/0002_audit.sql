-- What the portal's operator did by hand (chorus-sim admin), as the real
-- portal's support keeps a record of what it changes for a user: who, when,
-- why, and what was before. Kept for good; nothing sweeps it.
CREATE TABLE audit (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	operator   TEXT NOT NULL,
	action     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	before     TEXT NOT NULL,
	after      TEXT NOT NULL,
	reason     TEXT NOT NULL
) STRICT;

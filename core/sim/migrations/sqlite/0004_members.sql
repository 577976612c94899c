-- The people of a structure: one principal manager (GESTIONNAIRE_PRINCIPAL),
-- secondary managers (GESTIONNAIRE_SECONDAIRE), and users (an approved
-- attachment request). The principal is unique per structure.
CREATE UNIQUE INDEX manager_principal ON manager (structure_id) WHERE role = 'GESTIONNAIRE_PRINCIPAL';
CREATE INDEX manager_account ON manager (account_id);

-- A manager's invitation of a person by e-mail: their attachment request
-- is approved at once when they file it (or now, if they have an account).
CREATE TABLE invitation (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	email        TEXT NOT NULL COLLATE NOCASE,
	invited_by   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (structure_id, email)
) STRICT;

-- PostgreSQL's form of ../sqlite/0004_members.sql (read it for what each holds): BIGINT
-- for INTEGER, identity columns for rowid keys, BYTEA for BLOB, citext for
-- COLLATE NOCASE.
-- The people of a structure: one principal manager (GESTIONNAIRE_PRINCIPAL),
-- secondary managers (GESTIONNAIRE_SECONDAIRE), and users (an approved
-- attachment request). The principal is unique per structure.
CREATE UNIQUE INDEX manager_principal ON manager (structure_id) WHERE role = 'GESTIONNAIRE_PRINCIPAL';
CREATE INDEX manager_account ON manager (account_id);

-- A manager's invitation of a person by e-mail: their attachment request
-- is approved at once when they file it (or now, if they have an account).
CREATE TABLE invitation (
	structure_id BIGINT NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	email        CITEXT NOT NULL,
	invited_by   BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (structure_id, email)
);

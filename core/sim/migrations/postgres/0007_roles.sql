-- PostgreSQL's form of ../sqlite/0007_roles.sql (read it for what each holds): BIGINT
-- for INTEGER, identity columns for rowid keys, BYTEA for BLOB, citext for
-- COLLATE NOCASE.
-- The portal's roles as they are today: a principal manager (the manager
-- table now holds only them) and users, each with the rights the
-- principal grants: may approve attachment requests, may modify the
-- structure (both off for a new user). The secondary manager no longer
-- exists: each one becomes a user who keeps both rights, as the portal
-- did, and the audit says how many moved.
ALTER TABLE attachment ADD COLUMN may_approve BIGINT NOT NULL DEFAULT 0 CHECK (may_approve IN (0, 1));
ALTER TABLE attachment ADD COLUMN may_modify BIGINT NOT NULL DEFAULT 0 CHECK (may_modify IN (0, 1));

INSERT INTO audit (at, operator, action, subject, before, after, reason)
	SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT), 'migration 0007', 'roles.secondary_to_user',
		count(*) || ' secondary manager(s)', 'GESTIONNAIRE_SECONDAIRE', 'UTILISATEUR with may_approve and may_modify',
		'the portal has no secondary manager any more'
	FROM manager WHERE role = 'GESTIONNAIRE_SECONDAIRE' HAVING count(*) > 0;

INSERT INTO attachment (structure_id, account_id, status, created_at, decided_at, may_approve, may_modify)
	SELECT structure_id, account_id, 'VALIDEE', CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT),
		CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT), 1, 1
	FROM manager WHERE role = 'GESTIONNAIRE_SECONDAIRE'
	ON CONFLICT (structure_id, account_id) DO UPDATE SET status = 'VALIDEE', may_approve = 1, may_modify = 1,
		decided_at = excluded.decided_at;

DELETE FROM manager WHERE role <> 'GESTIONNAIRE_PRINCIPAL';

-- The principal's offer to hand the role over to a user of the structure:
-- one at a time per structure, until the user accepts or declines, the
-- principal withdraws it, or it expires.
CREATE TABLE handover (
	structure_id BIGINT PRIMARY KEY REFERENCES structure (id) ON DELETE CASCADE,
	from_account BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	to_account   BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL
);
CREATE INDEX handover_to ON handover (to_account);

-- The mail telling a user their rights changed: the first change is said
-- at once; changes within the next window are said once, together, when it
-- ends (due_at), so a principal who toggles a switch in a loop sends one
-- message, not thousands.
CREATE TABLE rights_notice (
	structure_id BIGINT NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	last_sent    BIGINT NOT NULL,
	due_at       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (structure_id, account_id)
);
CREATE INDEX rights_notice_due ON rights_notice (due_at) WHERE due_at > 0;

-- The portal's roles as they are today: a principal manager (the manager
-- table now holds only them) and users, each with the rights the
-- principal grants: may approve attachment requests, may modify the
-- structure (both off for a new user). The secondary manager no longer
-- exists: each one becomes a user who keeps both rights, as the portal
-- did, and the audit says how many moved.
ALTER TABLE attachment ADD COLUMN may_approve INTEGER NOT NULL DEFAULT 0 CHECK (may_approve IN (0, 1));
ALTER TABLE attachment ADD COLUMN may_modify INTEGER NOT NULL DEFAULT 0 CHECK (may_modify IN (0, 1));

INSERT INTO audit (at, operator, action, subject, before, after, reason)
	SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER), 'migration 0007', 'roles.secondary_to_user',
		count(*) || ' secondary manager(s)', 'GESTIONNAIRE_SECONDAIRE', 'UTILISATEUR with may_approve and may_modify',
		'the portal has no secondary manager any more'
	FROM manager WHERE role = 'GESTIONNAIRE_SECONDAIRE' HAVING count(*) > 0;

INSERT INTO attachment (structure_id, account_id, status, created_at, decided_at, may_approve, may_modify)
	SELECT structure_id, account_id, 'VALIDEE', CAST(unixepoch('subsec') * 1000 AS INTEGER),
		CAST(unixepoch('subsec') * 1000 AS INTEGER), 1, 1
	FROM manager WHERE role = 'GESTIONNAIRE_SECONDAIRE'
	ON CONFLICT (structure_id, account_id) DO UPDATE SET status = 'VALIDEE', may_approve = 1, may_modify = 1,
		decided_at = excluded.decided_at;

DELETE FROM manager WHERE role <> 'GESTIONNAIRE_PRINCIPAL';

-- The principal's offer to hand the role over to a user of the structure:
-- one at a time per structure, until the user accepts or declines, the
-- principal withdraws it, or it expires.
CREATE TABLE handover (
	structure_id INTEGER PRIMARY KEY REFERENCES structure (id) ON DELETE CASCADE,
	from_account INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	to_account   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX handover_to ON handover (to_account);

-- The mail telling a user their rights changed: the first change is said
-- at once; changes within the next window are said once, together, when it
-- ends (due_at), so a principal who toggles a switch in a loop sends one
-- message, not thousands.
CREATE TABLE rights_notice (
	structure_id INTEGER NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
	account_id   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	last_sent    INTEGER NOT NULL,
	due_at       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (structure_id, account_id)
) STRICT;
CREATE INDEX rights_notice_due ON rights_notice (due_at) WHERE due_at > 0;

-- PostgreSQL's form of ../sqlite/0006_sessions_of_devices.sql (read it for what each holds): BIGINT
-- for INTEGER, identity columns for rowid keys, BYTEA for BLOB, citext for
-- COLLATE NOCASE.
-- A session opened by a trusted computer (its device token, or the
-- second factor that trusted it) names that computer: revoking it, or a
-- password change that forgets every computer, ends those sessions too.
ALTER TABLE session ADD COLUMN device_id BIGINT REFERENCES device (id) ON DELETE CASCADE;
CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX session_account ON session (account_id);

-- A session opened by a trusted computer (its device token, or the
-- second factor that trusted it) names that computer: revoking it, or a
-- password change that forgets every computer, ends those sessions too.
ALTER TABLE session ADD COLUMN device_id INTEGER REFERENCES device (id) ON DELETE CASCADE;
CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX session_account ON session (account_id);

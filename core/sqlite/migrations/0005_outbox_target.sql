-- Each outbox row records where it goes: the environment (and, for a team
-- portal, its address) it was queued for. The worker sends only the rows
-- of the environment in effect, so switching environment never sends a
-- row elsewhere. Rows queued before this version were for the Local
-- sandbox, the only portal with an API then.
ALTER TABLE outbox ADD COLUMN target TEXT NOT NULL DEFAULT 'local';

CREATE INDEX outbox_target_due ON outbox (target, state, next_attempt_at);

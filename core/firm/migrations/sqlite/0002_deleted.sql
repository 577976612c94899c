-- The deleted clients an admin lists to restore one, the most recently
-- deleted first (a deletion moves a client to the firm's latest position).
CREATE INDEX client_deleted ON client (firm_id, position) WHERE deleted = 1;

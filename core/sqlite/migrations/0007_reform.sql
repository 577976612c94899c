-- The e-invoicing reform's bookkeeping per client (core.Reform): the firm's
-- own, never sent to the portal, so kept beside the draft's columns and
-- written by its own statements. Dates are "YYYY-MM-DD" days; the invoicing
-- addresses one per line.
ALTER TABLE structure ADD COLUMN reform_platform TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN reform_mandate TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN reform_addresses TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN reform_checked_on TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN reform_seen TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN reform_note TEXT NOT NULL DEFAULT '';
ALTER TABLE structure ADD COLUMN category TEXT NOT NULL DEFAULT '' CHECK (category IN ('', 'GE', 'ETI', 'PME'));
ALTER TABLE structure ADD COLUMN category_source TEXT NOT NULL DEFAULT '' CHECK (category_source IN ('', 'registry', 'user'));

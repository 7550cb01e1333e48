-- When the candidate was sent the rejection e-mail of an application: at most once, even if the
-- rejection is reopened and made again.
ALTER TABLE applications ADD COLUMN rejection_mailed_at BIGINT;

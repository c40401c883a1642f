-- audit: digests name the range they cover and can hand signing over to a
-- new key (a rotation digest, signed by the old and the new key). Digests
-- written before this migration keep version 1 and verify as before.
ALTER TABLE audit_digests ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_digests ADD COLUMN first_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_digests ADD COLUMN next_public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_digests ADD COLUMN next_signature TEXT NOT NULL DEFAULT '';

-- The duplicate-photo check looks for a stored dHash within 6 bits (Hamming distance). Split the 64
-- bits into 7 bands (six of 9 bits, one of 10): two hashes within 6 bits agree exactly on at least one
-- band (pigeonhole), so an exact match on any band's index finds every candidate and bit_count
-- confirms — instead of reading every proof of the tenant (proofs.service.ts findDuplicate).
-- Stored columns, not expression indexes: under row-level security the planner only uses index
-- conditions built from leakproof operators, and `&` / `>>` are not.
ALTER TABLE tpm_proofs ADD COLUMN dhash_band0 integer GENERATED ALWAYS AS ((dhash & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band1 integer GENERATED ALWAYS AS (((dhash >> 9) & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band2 integer GENERATED ALWAYS AS (((dhash >> 18) & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band3 integer GENERATED ALWAYS AS (((dhash >> 27) & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band4 integer GENERATED ALWAYS AS (((dhash >> 36) & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band5 integer GENERATED ALWAYS AS (((dhash >> 45) & 511)::integer) STORED;
ALTER TABLE tpm_proofs ADD COLUMN dhash_band6 integer GENERATED ALWAYS AS (((dhash >> 54) & 1023)::integer) STORED;
CREATE INDEX tpm_proofs_band0 ON tpm_proofs (tenant_id, dhash_band0);
CREATE INDEX tpm_proofs_band1 ON tpm_proofs (tenant_id, dhash_band1);
CREATE INDEX tpm_proofs_band2 ON tpm_proofs (tenant_id, dhash_band2);
CREATE INDEX tpm_proofs_band3 ON tpm_proofs (tenant_id, dhash_band3);
CREATE INDEX tpm_proofs_band4 ON tpm_proofs (tenant_id, dhash_band4);
CREATE INDEX tpm_proofs_band5 ON tpm_proofs (tenant_id, dhash_band5);
CREATE INDEX tpm_proofs_band6 ON tpm_proofs (tenant_id, dhash_band6);

-- Member numbers count per program (each program's first member is <prefix>00000001): two programs with
-- the same prefix collided on a tenant-wide unique number at their first shared number.
ALTER TABLE loyalty_members DROP CONSTRAINT IF EXISTS loyalty_members_tenant_id_member_no_key;
ALTER TABLE loyalty_members ADD CONSTRAINT loyalty_members_program_member_no UNIQUE (tenant_id, program_id, member_no);

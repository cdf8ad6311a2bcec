-- Same statements as the end of 0012, for databases that applied 0012 before they were added
-- (altering a column to the type it already has is a no-op).
ALTER TABLE leads ALTER COLUMN duplicate_of_id TYPE text USING duplicate_of_id::text;
ALTER TABLE leads ALTER COLUMN converted_opportunity_id TYPE text USING converted_opportunity_id::text;

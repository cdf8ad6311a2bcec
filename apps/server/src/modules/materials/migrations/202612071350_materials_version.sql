-- Optimistic locking (decision 0074): every change to a material (its fields or its file) adds 1;
-- an edit sends the version it read and gets 409 when someone changed it meanwhile.
ALTER TABLE materials ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Event rules read the CDP's event feed from here on (set when a program is created, so a new
-- rule never pays for events that happened before it).
ALTER TABLE loyalty_programs ADD COLUMN event_cursor jsonb;

-- Issue 9 §4: a logged call says how it went (接通/未接通/空号/拒接), which decides whether it
-- stops the first-response clock and how it moves the lead's score; a lead names the product it
-- asks about (意向产品), which names the opportunity it converts into.
ALTER TABLE activities ADD COLUMN outcome text;
ALTER TABLE leads ADD COLUMN product text;

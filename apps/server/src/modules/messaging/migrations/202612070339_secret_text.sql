-- A message carrying a one-time code (member card sign-in): delivered as written, never shown in the log.
alter table messaging_messages add column if not exists secret boolean not null default false;

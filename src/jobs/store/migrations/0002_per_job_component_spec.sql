-- A component request's spec travels with its job, so a job runs the spec it was queued with.
ALTER TABLE jobs ADD COLUMN spec TEXT;

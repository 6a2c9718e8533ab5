-- A job's Pulumi update plan (issue 15): a preview that saves one ('save'; plan is filled in by
-- the worker when the preview succeeds) or an up that applies one ('apply'; plan is the approved
-- text). Apart from jobs, so that reading and listing jobs never carries plans, which can be large.
CREATE TABLE job_plans (
  job_id TEXT PRIMARY KEY REFERENCES jobs (id),
  mode TEXT NOT NULL,
  plan TEXT
);

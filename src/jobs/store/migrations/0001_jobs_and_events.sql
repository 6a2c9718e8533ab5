-- The job store's first schema: jobs and the events each one records.
CREATE TABLE jobs (
  seq BIGINT NOT NULL,
  id TEXT PRIMARY KEY,
  stack TEXT NOT NULL,
  workload TEXT NOT NULL,
  operation TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  attempt INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,
  error TEXT,
  changes TEXT,
  output TEXT NOT NULL DEFAULT '',
  output_truncated INTEGER NOT NULL DEFAULT 0,
  timeout_ms BIGINT NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  worker_id TEXT,
  lease_expires_at BIGINT
);
CREATE UNIQUE INDEX jobs_seq ON jobs (seq);
CREATE INDEX jobs_stack_status ON jobs (stack, status, seq);
CREATE INDEX jobs_status_seq ON jobs (status, seq);
-- At most one running job per stack, whatever the number of workers: the database refuses
-- a second claim on the same stack.
CREATE UNIQUE INDEX jobs_one_running_per_stack ON jobs (stack) WHERE status = 'running';
CREATE TABLE job_events (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);

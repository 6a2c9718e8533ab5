-- Tenants' stacks of catalogue templates, and every secret the service keeps sealed at rest.
CREATE TABLE tenant_stacks (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  name TEXT NOT NULL,
  template_id TEXT NOT NULL REFERENCES templates (id),
  template_version INTEGER NOT NULL,
  -- JSON: the plain parameters; secret ones are in sealed_secrets.
  parameters TEXT NOT NULL,
  status TEXT NOT NULL,
  -- JSON: the stack's outputs, secret ones replaced by a marker.
  outputs TEXT,
  state_location TEXT NOT NULL,
  error TEXT,
  last_job_id TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  deployed_at BIGINT,
  deployed_by TEXT,
  updated_at BIGINT NOT NULL
);
-- A name is taken while its stack lives; a destroyed stack's name can be used again.
CREATE UNIQUE INDEX tenant_stacks_live_name ON tenant_stacks (tenant_id, name) WHERE status <> 'destroyed';
CREATE INDEX tenant_stacks_template ON tenant_stacks (tenant_id, template_id, status);
CREATE TABLE sealed_secrets (
  -- What the secret belongs to: `stack:<id>`, `tenant:<id>`.
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  sealed TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (owner, name)
);
-- A job's stack outputs after it ran (secret ones as a marker), for jobs that read them.
ALTER TABLE jobs ADD COLUMN outputs TEXT;

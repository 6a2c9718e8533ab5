-- Deployments: each run of a tenant stack's durable workflow, its steps and its approval; and the
-- deploy policies (approval gate, what a failure does) of templates and tenants.
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  stack_id TEXT NOT NULL REFERENCES tenant_stacks (id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  prior_stack_status TEXT NOT NULL,
  started_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  error TEXT,
  -- JSON: the preview's resource changes.
  changes TEXT,
  -- JSON: {policy, outcome}, when the failure policy was applied.
  compensation TEXT,
  -- JSON: what its workflow was started with, to start it again if it never did.
  input TEXT
);
CREATE INDEX deployments_stack ON deployments (stack_id, created_at);
CREATE INDEX deployments_open ON deployments (status);
CREATE TABLE deployment_steps (
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  job_id TEXT,
  detail TEXT,
  PRIMARY KEY (deployment_id, name)
);
CREATE TABLE approvals (
  deployment_id TEXT PRIMARY KEY REFERENCES deployments (id),
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  plan_hash TEXT NOT NULL,
  approver_role TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  decision TEXT,
  decided_by TEXT,
  decided_at BIGINT,
  comment TEXT
);
CREATE INDEX approvals_pending ON approvals (tenant_id, decision);
CREATE TABLE deploy_policies (
  -- 'template' or 'tenant', and that template's or tenant's id.
  scope TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  require_approval INTEGER NOT NULL,
  approver_role TEXT NOT NULL,
  approval_timeout_seconds INTEGER NOT NULL,
  on_failure TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (scope, scope_id)
);

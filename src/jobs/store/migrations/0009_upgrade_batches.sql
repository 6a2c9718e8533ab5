-- Bulk upgrades: a tenant's stacks of a template moved to a newer version as one batch, approved
-- once; each stack's move is a deployment of its own (deployments), listed here in order.
CREATE TABLE upgrade_batches (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  template_id TEXT NOT NULL,
  target_version INTEGER NOT NULL,
  failure_budget INTEGER NOT NULL,
  status TEXT NOT NULL,
  started_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  error TEXT,
  -- JSON: what its workflow was started with, to start it again if it never did.
  input TEXT,
  -- The batch's one approval, once its previews ran: bound to a hash of the stacks' plan hashes.
  plan_hash TEXT,
  approver_role TEXT,
  requested_at BIGINT,
  expires_at BIGINT,
  decision TEXT,
  decided_by TEXT,
  decided_at BIGINT,
  comment TEXT
);
CREATE INDEX upgrade_batches_tenant ON upgrade_batches (tenant_id, created_at);
CREATE INDEX upgrade_batches_open ON upgrade_batches (status);
CREATE TABLE upgrade_batch_stacks (
  batch_id TEXT NOT NULL REFERENCES upgrade_batches (id),
  stack_order INTEGER NOT NULL,
  stack_id TEXT NOT NULL REFERENCES tenant_stacks (id),
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  -- What the stack goes back to when nothing was applied to it.
  from_version INTEGER NOT NULL,
  from_parameters TEXT NOT NULL,
  from_deployed_by TEXT,
  from_deployed_at BIGINT,
  plan_hash TEXT,
  skipped INTEGER NOT NULL,
  PRIMARY KEY (batch_id, stack_order)
);
CREATE INDEX upgrade_batch_stacks_deployment ON upgrade_batch_stacks (deployment_id);

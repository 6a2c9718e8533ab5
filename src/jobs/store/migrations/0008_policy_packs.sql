-- Policy packs (CrossGuard): each published version's program, where packs are attached, and the
-- violations a deployment's preview reported.
CREATE TABLE policy_packs (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  language TEXT NOT NULL,
  -- JSON: relative path -> text.
  files TEXT NOT NULL,
  -- JSON: npm package -> version.
  dependencies TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE policy_attachments (
  -- 'template' or 'tenant', and that template's or tenant's id.
  scope TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  pack_name TEXT NOT NULL,
  pack_version INTEGER NOT NULL,
  -- 'advisory', 'mandatory', or NULL for the levels the pack gives.
  enforcement TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (scope, scope_id, pack_name),
  FOREIGN KEY (pack_name, pack_version) REFERENCES policy_packs (name, version)
);
-- JSON: the policy violations the deployment's preview reported.
ALTER TABLE deployments ADD COLUMN policy_findings TEXT;

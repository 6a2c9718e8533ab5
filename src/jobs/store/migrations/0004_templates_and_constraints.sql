-- The catalogue: templates, their versions (a draft edited freely; published ones frozen and
-- addressed by content hash), and each tenant's constraints on each template.
CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- NULL: the provider's, offered to every tenant; else the one tenant that owns it.
  owner_tenant_id TEXT REFERENCES tenants (id),
  display_name TEXT NOT NULL,
  description TEXT NOT NULL,
  language TEXT NOT NULL,
  system INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  deleted_at BIGINT
);
-- Names are unique among templates that are not deleted.
CREATE UNIQUE INDEX templates_live_name ON templates (name) WHERE deleted_at IS NULL;
CREATE TABLE template_versions (
  template_id TEXT NOT NULL REFERENCES templates (id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  -- JSON: the program's files by path, its dependencies, its parameters' JSON Schema.
  files TEXT NOT NULL,
  dependencies TEXT NOT NULL,
  parameters TEXT NOT NULL,
  content_hash TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  published_at BIGINT,
  published_by TEXT,
  PRIMARY KEY (template_id, version)
);
-- At most one draft per template.
CREATE UNIQUE INDEX template_versions_one_draft ON template_versions (template_id) WHERE state = 'draft';
CREATE TABLE template_constraints (
  template_id TEXT NOT NULL REFERENCES templates (id),
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  constraint_json TEXT NOT NULL,
  -- Copied out of constraint_json so listing a tenant's templates can leave denied ones out.
  allowed INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (template_id, tenant_id)
);

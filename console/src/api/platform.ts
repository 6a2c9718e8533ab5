// The one door to the generated API code the server is built from: the console's modules import
// its types and services from here, never from the generated path.
export {
  JobStatus,
  type StackUpdateEvent,
} from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
export {
  ApprovalDecision,
  CompensationOutcome,
  type Deployment,
  DeploymentKind,
  DeploymentStatus,
  type DeploymentStep,
  DeploymentStepName,
  DeploymentStepStatus,
  FailurePolicy,
  Governance,
  Language,
  type PolicyFinding,
  Role,
  StackStatus,
  type Template,
  TemplateCatalog,
  type TemplateVersion,
  type TemplateView,
  type Tenant,
  type TenantStack,
  TenantStacks,
  VersionState,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";

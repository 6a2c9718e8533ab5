// The one door to the generated API code the server is built from: the console's modules import
// its types and services from here, never from the generated path.
export {
  Governance,
  Language,
  StackStatus,
  type Template,
  TemplateCatalog,
  type Tenant,
  type TenantStack,
  TenantStacks,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";

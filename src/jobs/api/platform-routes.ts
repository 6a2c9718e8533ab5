import type { ConnectRouter } from "@connectrpc/connect";
import type { PlatformContracts, StartedDeployment } from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import type { AsCaller } from "./as-caller";
import { bearerOf } from "./bearer-auth";
import { toConnectError } from "./errors";
import { deploymentSnapshots, jobEventStream, serverStream } from "./event-stream";
import {
  type DeployPolicy as DeployPolicyMessage,
  DeployPolicyScopeSchema,
  FailurePolicy,
  FailurePolicySchema,
  Governance,
  Role,
  TemplateCatalog,
  TenantStacks,
} from "./gen/stackwright/platform/v1/platform_pb";
import {
  languageOf,
  msOf,
  roleOf,
  toApiToken,
  toAuditEntry,
  toConstraint,
  toDeployment,
  toDeployPolicy,
  toMembership,
  toTemplate,
  toTemplateVersion,
  toTemplateView,
  toTenant,
  toTenantStack,
  toUser,
} from "./platform-messages";
import { policyPackRoutes } from "./policy-pack-routes";
import { DEPLOY_POLICY_SCOPE_ENUM, expectedEnumValues, FAILURE_POLICY_ENUM, ROLE_ENUM } from "./proto-enums";
import { toStackUpdate } from "./to-message";
import { upgradeRoutes } from "./upgrade-routes";

const DEFAULT_PAGE_SIZE = 100;

/** A started operation as the API answers it: the stack, and the deployment running the operation. */
function started({ stack, deployment }: StartedDeployment) {
  return { stack: toTenantStack(stack), deployment: toDeployment(deployment) };
}

function decision(request: { tenant: string; deploymentId: string; comment: string }) {
  return {
    tenant: request.tenant,
    deploymentId: request.deploymentId,
    ...(request.comment !== "" && { comment: request.comment }),
  };
}

/**
 * A deploy policy as the service reads it (parseDeployPolicy, which names every problem): a field
 * left at its default is left out, so the service's default applies. An enum number this version
 * does not know is refused here, by the field's name.
 */
function policyOf(policy: DeployPolicyMessage | undefined): Record<string, unknown> {
  if (policy === undefined) return {};
  const role = ROLE_ENUM.fromProto(policy.approverRole);
  const onFailure = FAILURE_POLICY_ENUM.fromProto(policy.onFailure);
  if (policy.approverRole !== Role.UNSPECIFIED && role === undefined)
    throw PlatformError.of(
      "invalid_argument",
      "policy.approverRole",
      "expected one of ROLE_USER, ROLE_TENANT_ADMIN, ROLE_PROVIDER_ADMIN",
    );
  if (policy.onFailure !== FailurePolicy.UNSPECIFIED && onFailure === undefined)
    throw PlatformError.of("invalid_argument", "policy.onFailure", expectedEnumValues(FailurePolicySchema));
  return {
    requireApproval: policy.requireApproval,
    ...(role !== undefined && { approverRole: role }),
    ...(policy.approvalTimeoutSeconds !== 0 && { approvalTimeoutSeconds: policy.approvalTimeoutSeconds }),
    ...(onFailure !== undefined && { onFailure }),
  };
}

/**
 * The catalogue, tenant-stack and governance RPCs. Each call's token becomes its Caller first
 * (a user's token is looked up; the service's is the operator's); the services check every
 * permission and tenant themselves.
 */
export function platformRoutes(
  platform: PlatformContracts,
  onInternal: (error: unknown) => void,
): (router: ConnectRouter) => void {
  const as: AsCaller = async (context, call) => {
    try {
      return await call(await platform.authenticate(bearerOf(context.requestHeader)));
    } catch (error) {
      throw toConnectError(error, onInternal);
    }
  };
  const page = (size: number) => (size === 0 ? DEFAULT_PAGE_SIZE : size);
  const { catalogue, stacks, governance } = platform;

  const policyPacks = policyPackRoutes(platform.policies, as);

  return (router: ConnectRouter): void => {
    upgradeRoutes(platform.upgrades, as, onInternal)(router);
    policyPacks(router);
    router.service(TemplateCatalog, {
      createTemplate: (request, context) =>
        as(context, async (caller) => {
          const language = languageOf(request.language);
          if (language === undefined)
            throw PlatformError.of(
              "invalid_argument",
              "language",
              "expected one of LANGUAGE_TYPESCRIPT, LANGUAGE_PYTHON, LANGUAGE_YAML",
            );
          return toTemplateView(
            await catalogue.createTemplate(caller, {
              name: request.name,
              displayName: request.displayName,
              description: request.description,
              language,
              ownerTenant: request.ownerTenant,
              system: request.system,
              ...(request.componentSchema === ""
                ? { source: request.source ?? {} }
                : {
                    component: {
                      schema: request.componentSchema,
                      ...(request.componentToken !== "" && { token: request.componentToken }),
                    },
                    ...(request.source !== undefined && { source: request.source }),
                  }),
            }),
          );
        }),
      saveDraft: (request, context) =>
        as(context, async (caller) =>
          toTemplateVersion(
            request.source === undefined
              ? await catalogue.startDraft(caller, request.template)
              : await catalogue.saveDraft(caller, request.template, request.source),
          ),
        ),
      publishTemplate: (request, context) =>
        as(context, async (caller) => toTemplateVersion(await catalogue.publish(caller, request.template))),
      deprecateVersion: (request, context) =>
        as(context, async (caller) => {
          await catalogue.deprecate(caller, request.template, request.version);
          return {};
        }),
      deleteTemplate: (request, context) =>
        as(context, async (caller) => {
          await catalogue.deleteTemplate(caller, request.template);
          return {};
        }),
      getTemplate: (request, context) =>
        as(context, async (caller) =>
          toTemplateView(await catalogue.get(caller, request.template, request.tenant)),
        ),
      listTemplates: (request, context) =>
        as(context, async (caller) => {
          const limit = page(request.pageSize);
          const templates = await catalogue.list(caller, request.tenant, {
            limit,
            ...(request.pageToken !== "" && { afterName: request.pageToken }),
          });
          return {
            templates: templates.map(toTemplate),
            nextPageToken: templates.length === limit ? (templates.at(-1)?.name ?? "") : "",
          };
        }),
    });

    router.service(TenantStacks, {
      deployStack: (request, context) =>
        as(context, async (caller) =>
          started(
            await stacks.deploy(caller, {
              tenant: request.tenant,
              name: request.name,
              template: request.template,
              ...(request.version !== 0 && { version: request.version }),
              parameters: request.parameters ?? {},
              secretParameters: request.secretParameters,
            }),
          ),
        ),
      previewStack: (request, context) =>
        as(context, async (caller) =>
          started(
            await stacks.preview(caller, {
              tenant: request.tenant,
              name: request.name,
              ...(request.version !== 0 && { version: request.version }),
            }),
          ),
        ),
      destroyStack: (request, context) =>
        as(context, async (caller) => started(await stacks.destroy(caller, request))),
      getStack: (request, context) =>
        as(context, async (caller) => toTenantStack(await stacks.get(caller, request))),
      listStacks: (request, context) =>
        as(context, async (caller) => {
          const limit = page(request.pageSize);
          const found = await stacks.list(caller, {
            tenant: request.tenant,
            includeDestroyed: request.includeDestroyed,
            limit,
            ...(request.pageToken !== "" && { afterName: request.pageToken }),
          });
          return {
            stacks: found.map(toTenantStack),
            nextPageToken: found.length === limit ? (found.at(-1)?.name ?? "") : "",
          };
        }),
      setCredential: (request, context) =>
        as(context, async (caller) => {
          await stacks.setCredential(caller, request);
          return {};
        }),
      listCredentials: (request, context) =>
        as(context, async (caller) => ({ names: await stacks.credentialNames(caller, request.tenant) })),
      getStackJob: (request, context) =>
        as(context, async (caller) => toStackUpdate(await stacks.job(caller, request))),
      watchStackJob: (request, context) =>
        jobEventStream(
          // The caller is checked before the stream starts: a refusal is the RPC's error.
          async () => stacks.watchJob(await as(context, async (caller) => caller), request, context.signal),
          context.signal,
          onInternal,
        ),
      approveDeployment: (request, context) =>
        as(context, async (caller) =>
          toDeployment(await stacks.decide(caller, { ...decision(request), decision: "approved" })),
        ),
      rejectDeployment: (request, context) =>
        as(context, async (caller) =>
          toDeployment(await stacks.decide(caller, { ...decision(request), decision: "rejected" })),
        ),
      listPendingApprovals: (request, context) =>
        as(context, async (caller) => ({
          deployments: (await stacks.pendingApprovals(caller, request.tenant)).map(toDeployment),
        })),
      listStackDeployments: (request, context) =>
        as(context, async (caller) => ({
          deployments: (
            await stacks.history(caller, {
              tenant: request.tenant,
              name: request.name,
              ...(request.pageSize !== 0 && { limit: request.pageSize }),
            })
          ).map(toDeployment),
        })),
      getDeployment: (request, context) =>
        as(context, async (caller) => toDeployment(await stacks.deployment(caller, request))),
      watchDeployment: (request, context) =>
        serverStream(
          async () => {
            // The caller and the deployment are checked before the stream starts: a refusal is the RPC's error.
            const caller = await as(context, async (c) => c);
            const lookup = { tenant: request.tenant, deploymentId: request.deploymentId };
            const first = await stacks.deployment(caller, lookup);
            return deploymentSnapshots(first, () => stacks.deployment(caller, lookup), context.signal);
          },
          toDeployment,
          context.signal,
          onInternal,
        ),
      setDeployPolicy: (request, context) =>
        as(context, async (caller) => {
          const scope = DEPLOY_POLICY_SCOPE_ENUM.fromProto(request.scope);
          if (scope === undefined)
            throw PlatformError.of("invalid_argument", "scope", expectedEnumValues(DeployPolicyScopeSchema));
          return toDeployPolicy(
            await stacks.setDeployPolicy(caller, {
              scope,
              ref: request.ref,
              policy: policyOf(request.policy),
            }),
          );
        }),
    });

    router.service(Governance, {
      createTenant: (request, context) =>
        as(context, async (caller) => toTenant(await governance.createTenant(caller, request))),
      listTenants: (_request, context) =>
        as(context, async (caller) => ({ tenants: (await governance.listTenants(caller)).map(toTenant) })),
      createUser: (request, context) =>
        as(context, async (caller) => toUser(await governance.createUser(caller, request))),
      listUsers: (_request, context) =>
        as(context, async (caller) => ({ users: (await governance.listUsers(caller)).map(toUser) })),
      setMembership: (request, context) =>
        as(context, async (caller) => {
          const role = roleOf(request.role);
          if (role === undefined)
            throw PlatformError.of(
              "invalid_argument",
              "role",
              "expected one of ROLE_READ_ONLY, ROLE_USER, ROLE_TENANT_ADMIN",
            );
          return toMembership(
            await governance.setMembership(caller, { tenant: request.tenant, user: request.user, role }),
          );
        }),
      removeMembership: (request, context) =>
        as(context, async (caller) => {
          await governance.removeMembership(caller, request);
          return {};
        }),
      listMemberships: (request, context) =>
        as(context, async (caller) => ({
          memberships: (await governance.memberships(caller, request.tenant)).map(toMembership),
        })),
      issueToken: (request, context) =>
        as(context, async (caller) => {
          const { token, info } = await governance.issueToken(caller, {
            ...(request.user !== "" && { user: request.user }),
            name: request.name,
            ...(request.expiresInDays !== 0 && { expiresInDays: request.expiresInDays }),
          });
          return { token, info: toApiToken(info) };
        }),
      listTokens: (request, context) =>
        as(context, async (caller) => ({
          tokens: (await governance.listTokens(caller, request.user === "" ? undefined : request.user)).map(
            toApiToken,
          ),
        })),
      revokeToken: (request, context) =>
        as(context, async (caller) => {
          await governance.revokeToken(caller, request.id);
          return {};
        }),
      setConstraint: (request, context) =>
        as(context, async (caller) =>
          toConstraint(
            await governance.setConstraint(caller, {
              template: request.template,
              tenant: request.tenant,
              constraint: request.constraint ?? {},
            }),
          ),
        ),
      removeConstraint: (request, context) =>
        as(context, async (caller) => {
          await governance.removeConstraint(caller, request);
          return {};
        }),
      listConstraints: (request, context) =>
        as(context, async (caller) => ({
          constraints: (await governance.constraints(caller, request.tenant)).map(toConstraint),
        })),
      queryAuditLog: (request, context) =>
        as(context, async (caller) => {
          const limit = page(request.pageSize);
          const afterSeq = request.pageToken === "" ? undefined : Number(request.pageToken);
          if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq))
            throw PlatformError.of("invalid_argument", "pageToken", "is not a page token this service gave");
          const from = msOf(request.from);
          const to = msOf(request.to);
          const entries = await governance.audit(caller, {
            ...(request.tenant !== "" && { tenant: request.tenant }),
            ...(from !== undefined && { from }),
            ...(to !== undefined && { to }),
            ...(afterSeq !== undefined && { afterSeq }),
            limit,
          });
          return {
            entries: entries.map(toAuditEntry),
            nextPageToken: entries.length === limit ? String(entries.at(-1)?.seq ?? "") : "",
          };
        }),
    });
  };
}

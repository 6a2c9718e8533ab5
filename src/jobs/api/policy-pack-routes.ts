import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import type { PolicyPackContract } from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import type { PolicyAttachment, PolicyPack } from "../domain/policy-pack";
import type { AsCaller } from "./as-caller";
import {
  type PolicyAttachment as PolicyAttachmentMessage,
  PolicyAttachmentSchema,
  PolicyEnforcement,
  PolicyEnforcementSchema,
  PolicyPackLanguageSchema,
  type PolicyPack as PolicyPackMessage,
  PolicyPackSchema,
  PolicyPacks,
} from "./gen/stackwright/platform/v1/policy_packs_pb";
import { expectedEnumValues, POLICY_ENFORCEMENT_ENUM, POLICY_PACK_LANGUAGE_ENUM } from "./proto-enums";

/** The PolicyPacks service: each call as its token's Caller, the service checking the rest. */
export function policyPackRoutes(
  policies: PolicyPackContract,
  as: AsCaller,
): (router: ConnectRouter) => void {
  return (router) => {
    router.service(PolicyPacks, {
      publishPolicyPack: (request, context) =>
        as(context, async (caller) => {
          const language = POLICY_PACK_LANGUAGE_ENUM.fromProto(request.language);
          if (language === undefined)
            throw PlatformError.of(
              "invalid_argument",
              "language",
              expectedEnumValues(PolicyPackLanguageSchema),
            );
          return toPolicyPack(
            await policies.publish(caller, {
              name: request.name,
              language,
              files: request.files,
              dependencies: request.dependencies,
            }),
          );
        }),
      listPolicyPacks: (_request, context) =>
        as(context, async (caller) => ({ packs: (await policies.list(caller)).map(toPolicyPack) })),
      attachPolicyPack: (request, context) =>
        as(context, async (caller) => {
          const enforcement = POLICY_ENFORCEMENT_ENUM.fromProto(request.enforcement);
          if (request.enforcement !== PolicyEnforcement.UNSPECIFIED && enforcement === undefined)
            throw PlatformError.of(
              "invalid_argument",
              "enforcement",
              expectedEnumValues(PolicyEnforcementSchema),
            );
          return toPolicyAttachment(
            await policies.attach(caller, {
              pack: request.pack,
              template: request.template,
              tenant: request.tenant,
              ...(request.version !== 0 && { version: request.version }),
              ...(enforcement !== undefined && { enforcement }),
            }),
          );
        }),
      detachPolicyPack: (request, context) =>
        as(context, async (caller) => {
          await policies.detach(caller, {
            pack: request.pack,
            template: request.template,
            tenant: request.tenant,
          });
          return {};
        }),
      listPolicyAttachments: (request, context) =>
        as(context, async (caller) => ({
          attachments: (
            await policies.attachments(caller, {
              ...(request.template !== "" && { template: request.template }),
              ...(request.tenant !== "" && { tenant: request.tenant }),
            })
          ).map(toPolicyAttachment),
        })),
    });
  };
}

function toPolicyPack(pack: PolicyPack): PolicyPackMessage {
  return create(PolicyPackSchema, {
    name: pack.name,
    version: pack.version,
    language: POLICY_PACK_LANGUAGE_ENUM.toProto(pack.language),
    files: { ...pack.files },
    dependencies: { ...pack.dependencies },
    contentHash: pack.contentHash,
    createdAt: timestampFromMs(pack.createdAt),
    createdBy: pack.createdBy,
  });
}

function toPolicyAttachment(attachment: PolicyAttachment): PolicyAttachmentMessage {
  return create(PolicyAttachmentSchema, {
    pack: attachment.packName,
    packVersion: attachment.packVersion,
    ...(attachment.scope === "template"
      ? { templateId: attachment.scopeId }
      : { tenantId: attachment.scopeId }),
    enforcement:
      attachment.enforcement === null
        ? PolicyEnforcement.UNSPECIFIED
        : POLICY_ENFORCEMENT_ENUM.toProto(attachment.enforcement),
    createdAt: timestampFromMs(attachment.createdAt),
    createdBy: attachment.createdBy,
  });
}

import type { ConnectRouter } from "@connectrpc/connect";
import type { UpgradesContract } from "../domain/upgrade";
import type { AsCaller } from "./as-caller";
import { deploymentSnapshots, serverStream } from "./event-stream";
import { Upgrades } from "./gen/stackwright/platform/v1/upgrades_pb";
import { toUpgradeBatch } from "./upgrade-messages";

function decision(request: { tenant: string; upgradeId: string; comment: string }) {
  return {
    tenant: request.tenant,
    upgradeId: request.upgradeId,
    ...(request.comment !== "" && { comment: request.comment }),
  };
}

/** The Upgrades service: each call as its token's Caller; the service checks the rest. */
export function upgradeRoutes(
  upgrades: UpgradesContract,
  as: AsCaller,
  onInternal: (error: unknown) => void,
): (router: ConnectRouter) => void {
  return (router) => {
    router.service(Upgrades, {
      startUpgrade: (request, context) =>
        as(context, async (caller) =>
          toUpgradeBatch(
            await upgrades.start(caller, {
              tenant: request.tenant,
              template: request.template,
              version: request.version,
              ...(request.stacks.length > 0 && { stacks: request.stacks }),
              failureBudget: request.failureBudget,
            }),
          ),
        ),
      getUpgrade: (request, context) =>
        as(context, async (caller) => toUpgradeBatch(await upgrades.get(caller, request))),
      listUpgrades: (request, context) =>
        as(context, async (caller) => ({
          upgrades: (
            await upgrades.list(caller, {
              tenant: request.tenant,
              ...(request.pageSize !== 0 && { limit: request.pageSize }),
            })
          ).map(toUpgradeBatch),
        })),
      approveUpgrade: (request, context) =>
        as(context, async (caller) =>
          toUpgradeBatch(await upgrades.decide(caller, { ...decision(request), decision: "approved" })),
        ),
      rejectUpgrade: (request, context) =>
        as(context, async (caller) =>
          toUpgradeBatch(await upgrades.decide(caller, { ...decision(request), decision: "rejected" })),
        ),
      watchUpgrade: (request, context) =>
        serverStream(
          async () => {
            // The caller and the batch are checked before the stream starts: a refusal is the RPC's error.
            const caller = await as(context, async (c) => c);
            const lookup = { tenant: request.tenant, upgradeId: request.upgradeId };
            const first = await upgrades.get(caller, lookup);
            return deploymentSnapshots(first, () => upgrades.get(caller, lookup), context.signal);
          },
          toUpgradeBatch,
          context.signal,
          onInternal,
        ),
    });
  };
}

import { Code, ConnectError } from "@connectrpc/connect";
import { useCallback, useEffect, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { listStacks } from "../../api/lists";
import { type Deployment, StackStatus, type TenantStack } from "../../api/platform";
import { problemText } from "../../api/problem";
import { isFinished } from "../../components/deployment-labels";
import type { Loaded } from "../../components/use-loaded";

export interface StackView {
  readonly stack: TenantStack;
  /** Newest first. */
  readonly deployments: readonly Deployment[];
  /** The stack is destroyed: the service's GetStack finds live stacks only, the list finds it. */
  readonly destroyed: boolean;
}

/** How many of the stack's deployments the page shows. */
const HISTORY = 20;

/**
 * A stack and its deployments, kept live: while one of them has not finished, its watch stream
 * replaces it at every change, and once it ends the stack is read again (its status, outputs).
 * `reload` reads both again, after an operation the page started.
 */
export function useStack(
  clients: PlatformClients,
  tenant: string,
  name: string,
): { view: Loaded<StackView>; reload: () => void } {
  const [view, setView] = useState<Loaded<StackView>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    void generation;
    const abort = new AbortController();
    const { signal } = abort;
    load(clients, tenant, name, signal).then(
      // A reload keeps what is shown until the new answer is in.
      (value) => signal.aborted || setView({ status: "done", value }),
      (error: unknown) => signal.aborted || setView({ status: "failed", problem: problemText(error) }),
    );
    return () => abort.abort();
  }, [clients, tenant, name, generation]);

  const runningId =
    view.status === "done" ? view.value.deployments.find((d) => !isFinished(d.status))?.id : undefined;

  useEffect(() => {
    if (runningId === undefined) return;
    const abort = new AbortController();
    const { signal } = abort;
    (async () => {
      for await (const snapshot of clients.stacks.watchDeployment(
        { tenant, deploymentId: runningId },
        { signal },
      ))
        setView((current) => (current.status === "done" ? withDeployment(current, snapshot) : current));
    })().then(
      () => signal.aborted || reload(),
      // A watch cut off (the service restarting, a proxy's timeout) is taken up again after a pause.
      () => signal.aborted || setTimeout(() => signal.aborted || reload(), 2_000),
    );
    return () => abort.abort();
  }, [clients, tenant, runningId, reload]);

  return { view, reload };
}

async function load(
  clients: PlatformClients,
  tenant: string,
  name: string,
  signal: AbortSignal,
): Promise<StackView> {
  // The history by name is the stack's even once destroyed (until another stack takes the name).
  const history = clients.stacks.listStackDeployments({ tenant, name, pageSize: HISTORY }, { signal });
  try {
    const [stack, { deployments }] = await Promise.all([
      clients.stacks.getStack({ tenant, name }, { signal }),
      history,
    ]);
    return { stack, deployments, destroyed: false };
  } catch (error) {
    if (ConnectError.from(error).code !== Code.NotFound) throw error;
    // Not among the live stacks: destroyed, perhaps, which only the list still shows.
    const destroyed = (await listStacks(clients, tenant, true, signal))
      .filter((s) => s.name === name && s.status === StackStatus.DESTROYED)
      .sort((a, b) => Number((b.createdAt?.seconds ?? 0n) - (a.createdAt?.seconds ?? 0n)))[0];
    if (destroyed === undefined) throw error;
    return { stack: destroyed, deployments: (await history).deployments, destroyed: true };
  }
}

function withDeployment(view: { status: "done"; value: StackView }, snapshot: Deployment): Loaded<StackView> {
  const deployments = view.value.deployments.map((d) => (d.id === snapshot.id ? snapshot : d));
  return { status: "done", value: { ...view.value, deployments } };
}

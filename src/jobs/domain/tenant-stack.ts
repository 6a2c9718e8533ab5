/** A tenant's stack of a catalogue template, as the service stores it. Times are epoch milliseconds. */

export const TENANT_STACK_STATUSES = [
  "pending",
  "deploying",
  "deployed",
  "failed",
  "destroying",
  "destroyed",
] as const;
export type TenantStackStatus = (typeof TENANT_STACK_STATUSES)[number];

/** What an output that the program marked secret reads as, wherever the service shows outputs. */
export const SECRET_OUTPUT = "[secret]";

export interface TenantStack {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly templateId: string;
  /** The published version the stack is pinned to. */
  readonly templateVersion: number;
  /** The plain parameters (defaults filled in); secret ones are kept sealed, never here. */
  readonly parameters: Record<string, unknown>;
  readonly status: TenantStackStatus;
  /** The stack's outputs after its last deploy, secret ones as SECRET_OUTPUT. */
  readonly outputs: Record<string, unknown> | null;
  /** Where the stack's state is kept (a backend URL). */
  readonly stateLocation: string;
  readonly error: string | null;
  readonly lastJobId: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly deployedAt: number | null;
  readonly deployedBy: string | null;
  readonly updatedAt: number;
}

/**
 * A tenant stack's job's workload: the template version the job runs, which is its deployment's
 * (the stack's own, or another a preview was asked for).
 */
export function templateWorkload(templateId: string, version: number): string {
  return `template:${templateId}@${version}`;
}

/** The template and version a tenant stack's job's workload names; undefined for any other workload. */
export function workloadVersion(workload: string): { templateId: string; version: number } | undefined {
  const named = /^template:(.+)@([1-9][0-9]*)$/.exec(workload);
  return named === null ? undefined : { templateId: named[1] as string, version: Number(named[2]) };
}

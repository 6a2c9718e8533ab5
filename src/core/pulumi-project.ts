import type { ProgramManifest } from "./manifests";

/**
 * The Pulumi YAML project that PKO runs for a Program: the Program's name as the project name,
 * runtime `yaml`, and the Program's `program` block as the rest of `Pulumi.yaml` (PKO serves
 * `configuration`, `resources`, `variables`, `outputs` and `packages` under the same keys).
 * Used to run an emitted Program under the real engine outside a cluster.
 */
export function programToProject(program: ProgramManifest): Record<string, unknown> {
  return { name: program.metadata.name, runtime: "yaml", ...program.program };
}

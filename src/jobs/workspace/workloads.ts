import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackwrightInputError } from "../../core/errors";
import { buildProgram, type PreparedComponent, prepareComponent } from "../../core/manifests";
import { programToProject } from "../../core/pulumi-project";
import type { ResourceRequest } from "../../core/request";
import { parseYaml, toYaml } from "../../core/yaml";
import { readSchemaFile } from "../../io/input-files";
import type { ServiceConfig, StackConfig, Workload } from "../config/service-config";
import { mirrorProject } from "./project-workspace";

/**
 * What a stack's jobs run: a Pulumi project directory of the stack's own under the data
 * directory. For a project workload it is a view of the user's directory (see mirrorProject); a
 * component request becomes, through the translation core, the same Pulumi YAML program that PKO
 * would run for it.
 */
export class Workloads {
  private readonly components = new Map<string, PreparedComponent>();
  /** Project workload name → the program's runtime, as its Pulumi.yaml says. */
  private readonly runtimes = new Map<string, string>();

  /** Prepares every workload; throws every problem at once, each naming its config field. */
  constructor(private readonly config: ServiceConfig) {
    const problems: { at: string; message: string }[] = [];
    for (const workload of config.workloads.values()) {
      try {
        if (workload.kind === "component") this.components.set(workload.name, prepare(workload));
        else
          this.runtimes.set(
            workload.name,
            readProject(workload.dir, `workloads.${workload.name}.project`).runtime,
          );
      } catch (error) {
        if (!(error instanceof StackwrightInputError)) throw error;
        problems.push(...error.problems);
      }
    }
    for (const stack of config.stacks.values()) {
      const workload = config.workloads.get(stack.workload);
      if (workload?.kind === "project") {
        try {
          const { name } = readProject(workload.dir, `workloads.${workload.name}.project`);
          if (name !== stack.project)
            problems.push({
              at: `stacks.${stack.name}`,
              message: `the stack's project '${stack.project}' differs from workload '${workload.name}''s project name '${name}'`,
            });
        } catch {
          // Reported above.
        }
      } else if (workload?.kind === "component") {
        try {
          this.checkSpec(workload.name, workload.spec, `workloads.${workload.name}.component.spec`);
        } catch (error) {
          if (!(error instanceof StackwrightInputError)) throw error;
          problems.push(...error.problems);
        }
      }
    }
    if (problems.length > 0) throw new StackwrightInputError(problems);
  }

  /** Checks a spec against a component workload's schema; problems are named under `field`. */
  checkSpec(workloadName: string, spec: Record<string, unknown>, field = "spec"): void {
    const prepared = this.components.get(workloadName);
    if (prepared === undefined)
      throw StackwrightInputError.single("spec", `workload '${workloadName}' is not a component request`);
    try {
      buildProgram(prepared, requestFor(workloadName, spec));
    } catch (error) {
      if (!(error instanceof StackwrightInputError)) throw error;
      throw new StackwrightInputError(
        error.problems.map((p) => ({ ...p, at: p.at.replace(/^spec(?=\.|$)/, field) })),
      );
    }
  }

  isComponent(workloadName: string): boolean {
    return this.components.has(workloadName);
  }

  /** The Pulumi runtime of a workload's program (`yaml` for a component request). */
  runtime(workloadName: string): string {
    return this.runtimes.get(workloadName) ?? "yaml";
  }

  /** The project directory a job of `stack` runs in, brought up to date now. */
  projectDir(stack: StackConfig, spec?: Record<string, unknown>): string {
    const workload = this.config.workloads.get(stack.workload) as Workload;
    const dir = join(this.config.dataDir, "workspaces", stack.org, stack.project, stack.stack);
    if (workload.kind === "project") {
      mirrorProject(workload.dir, dir);
      return dir;
    }
    const prepared = this.components.get(workload.name) as PreparedComponent;
    const program = buildProgram(prepared, requestFor(workload.name, spec ?? workload.spec));
    mkdirSync(dir, { recursive: true });
    const project = { ...programToProject(program), name: stack.project };
    const file = join(dir, "Pulumi.yaml");
    writeFileSync(`${file}.tmp`, toYaml(project));
    renameSync(`${file}.tmp`, file);
    return dir;
  }

  /** Configuration keys the component's program reads its secret inputs from. */
  secretInputKeys(workloadName: string): string[] {
    return this.components.get(workloadName)?.inputs.secretInputs.map((s) => s.configKey) ?? [];
  }
}

function prepare(workload: Extract<Workload, { kind: "component" }>): PreparedComponent {
  const at = `workloads.${workload.name}.component`;
  return prepareComponent(readSchemaFile(workload.schema, `${at}.schema`), workload.token, `${at}.token`);
}

function requestFor(workloadName: string, spec: Record<string, unknown>): ResourceRequest {
  return { kind: "Workload", name: workloadName, namespace: "default", labels: {}, annotations: {}, spec };
}

function readProject(dir: string, at: string): { name: string; runtime: string } {
  let project: unknown;
  try {
    project = parseYaml(readFileSync(join(dir, "Pulumi.yaml"), "utf8"));
  } catch (error) {
    throw StackwrightInputError.single(
      at,
      `no readable Pulumi.yaml in ${dir}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const { name, runtime } = (project ?? {}) as { name?: unknown; runtime?: unknown };
  if (typeof name !== "string" || name === "")
    throw StackwrightInputError.single(at, `${dir}/Pulumi.yaml has no name`);
  // `runtime: go` or `runtime: {name: go, options: …}`.
  const runtimeName = typeof runtime === "string" ? runtime : (runtime as { name?: unknown } | null)?.name;
  return { name, runtime: typeof runtimeName === "string" ? runtimeName : "" };
}

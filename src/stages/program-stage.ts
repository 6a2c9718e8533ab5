#!/usr/bin/env node
import { buildProgram, manifestYaml, prepareComponent } from "../core/manifests";
import { type Env, readCommonStageEnv } from "./stage-env";
import { readRequest, readSchema, writeFileAtomically } from "./stage-io";
import { runStage } from "./stage-runner";

/** The Program container: request → `program.yaml`. */
export async function runProgramStage(env: Env): Promise<void> {
  const settings = readCommonStageEnv(env);
  const request = await readRequest(settings.inputFile);
  const prepared = prepareComponent(await readSchema(settings.schemaSource), settings.componentToken);
  const program = buildProgram(prepared, request);
  writeFileAtomically(settings.outputDir, "program.yaml", manifestYaml(program));
}

if (require.main === module) runStage("stackwright-program-stage", () => runProgramStage(process.env));

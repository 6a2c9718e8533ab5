#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { EXIT_FAILURE, EXIT_OK, exitReport } from "../core/exit-report";
import { DEFAULT_PROMISE_VERSION } from "../promise/promise-options";
import { DEFAULT_STAGE_IMAGE } from "../promise/stage-image";
import { initPromise } from "./init-promise";
import { registerJobCommands } from "./jobs-cli";
import { readProcessStdin, registerPlatformCommands } from "./platform";
import { registerServeCommand } from "./serve";

/** The `stackwright` command. */
export function buildCli(log: (line: string) => void): Command {
  const program = new Command("stackwright")
    .description("Turn a Pulumi component into governed, multi-environment stacks.")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  const init = program.command("init").description("Generate the files for a new platform offering.");
  init
    .command("pulumi-component-promise")
    .description(
      "Generate a Kratix Promise that offers a Pulumi component as a Kubernetes API. Each request " +
        "becomes a Pulumi Kubernetes Operator Program and Stack, written by a two-container workflow: " +
        "the Program container first, then the Stack container.",
    )
    .requiredOption(
      "--schema <path-or-url>",
      "the component's Pulumi package schema: a file or an https:// URL",
    )
    .option(
      "--component <token>",
      "the component's type token; required when the schema has several components",
    )
    .requiredOption("--group <group>", "the API group of the requests, e.g. platform.example.com")
    .requiredOption("--kind <Kind>", "the kind of the requests, in UpperCamelCase, e.g. Database")
    .option("--version <version>", "the API version of the requests", "v1alpha1")
    .option("--plural <plural>", "the plural resource name (default: derived from --kind)")
    .option("--image <image>", "the stage image that runs both containers", DEFAULT_STAGE_IMAGE)
    .option(
      "--destination-selector <key=value>",
      "a label of the destinations (clusters running PKO) that receive the output; repeatable (default: environment=pulumi)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      "--promise-version <version>",
      "the Promise's kratix.io/promise-version label",
      DEFAULT_PROMISE_VERSION,
    )
    .requiredOption("--dir <directory>", "where to write the Promise, an example request and a README")
    .option("--split", "write the Promise's API and workflow as separate files", false)
    .option("--force", "overwrite files in a directory that is not empty", false)
    .addHelpText(
      "after",
      "\nExample:\n  stackwright init pulumi-component-promise --schema schema.json --group platform.example.com \\\n" +
        "    --kind Database --dir ./database-promise",
    )
    .action(async (flags) => initPromise(flags, log));
  registerServeCommand(program, log);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  registerJobCommands(program, { log, err });
  registerPlatformCommands(program, {
    log,
    err,
    readStdin: readProcessStdin,
    env: process.env,
    // Only when asked: touching process.stdin opens it.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildCli((line) => process.stdout.write(`${line}\n`)).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    // Commander has printed its own message (or the help, which exits 0).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_FAILURE;
    const report = exitReport("stackwright", error);
    process.stderr.write(report.text);
    return report.exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

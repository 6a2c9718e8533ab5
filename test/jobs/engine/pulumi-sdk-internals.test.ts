import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  CommandError,
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  StackAlreadyExistsError,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
// Importing it checks that every internal is where it was: when one moved, this file fails to
// load with the module's error, which names each one.
import {
  commandError,
  commandResult,
  commandResultOf,
  type EngineResult,
  PULUMI_COMMAND_RUN_PARAMETERS,
  type PulumiCommandRun,
  withRun,
} from "../../../src/jobs/engine/pulumi-sdk-internals";

/**
 * What the job service relies on of the Pulumi SDK's internals (src/jobs/engine/pulumi-sdk-internals.ts),
 * checked without the engine, so that an SDK upgrade that changes one fails here, by name, rather
 * than as a stack that is never created or a lock that is never retried.
 */
describe("the Pulumi SDK internals the job service relies on", () => {
  it("createCommandError (@pulumi/pulumi/automation/errors) still picks the error class from stderr", () => {
    const cases: [string, new (...args: never[]) => Error][] = [
      ["error: no stack named 'dev' found", StackNotFoundError],
      ["error: stack 'dev' already exists", StackAlreadyExistsError],
      ["error: the stack is currently locked by 1 lock(s)", ConcurrentUpdateError],
      ["error: [409] Conflict: Another update is currently in progress.", ConcurrentUpdateError],
      ["error: something else failed", CommandError],
    ];
    for (const [stderr, expected] of cases) {
      const error = commandError(commandResult("", stderr, 255));
      assert.equal(
        error.constructor,
        expected,
        `createCommandError now makes a ${error.constructor.name} of ${JSON.stringify(stderr)}, not a ${expected.name}`,
      );
    }
  });

  it("CommandError still keeps its CommandResult (@pulumi/pulumi/automation/cmd) in the private field commandResult", () => {
    const error = commandError(commandResult("some output", "error: boom", 3));
    const kept: EngineResult | undefined = commandResultOf(error);
    assert.ok(kept, "CommandError has no field commandResult any more");
    assert.deepEqual(
      { stdout: kept.stdout, stderr: kept.stderr, code: kept.code },
      { stdout: "some output", stderr: "error: boom", code: 3 },
      "CommandError's commandResult no longer holds the run's stdout, stderr and code",
    );
    assert.match(error.message, /error: boom/, "CommandError's message no longer shows the run's stderr");
    assert.equal(commandResultOf(new Error("not a command")), undefined);
  });

  it("PulumiCommand's internal run still takes (args, cwd, additionalEnv, onOutput, onError, signal)", () => {
    const run = (PulumiCommand.prototype as unknown as { run: (...args: unknown[]) => unknown }).run;
    const parameters = /^(?:async\s+)?run\s*\(([^)]*)\)/
      .exec(run.toString())?.[1]
      ?.split(",")
      .map((p) => p.trim());
    assert.deepEqual(
      parameters,
      [...PULUMI_COMMAND_RUN_PARAMETERS],
      "PulumiCommand.run's parameters changed",
    );
  });

  it("the Automation API runs the CLI through withRun's run, and creates a stack its StackNotFoundError says is missing", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "stackwright-sdk-internals-"));
    try {
      const calls: { args: string[]; cwd: string }[] = [];
      const run: PulumiCommandRun = async (args, cwd) => {
        calls.push({ args: [...args], cwd });
        if (args[0] === "stack" && args[1] === "select") {
          throw commandError(commandResult("", "error: no stack named 'dev' found", 255));
        }
        return commandResult("", "", 0);
      };
      const cli = Object.assign(Object.create(PulumiCommand.prototype), { command: "pulumi", version: null });
      const workspace = await LocalWorkspace.create({ workDir, pulumiCommand: withRun(cli, run) });
      await Stack.createOrSelect("dev", workspace);
      assert.deepEqual(
        calls.map((c) => c.args.slice(0, 2)),
        [
          ["stack", "select"],
          ["stack", "init"],
        ],
        "the Automation API no longer runs `stack select`, then `stack init` on StackNotFoundError, through PulumiCommand.run",
      );
      assert.ok(
        calls.every((c) => c.cwd === workDir),
        "PulumiCommand.run's second argument is no longer the workspace's directory",
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

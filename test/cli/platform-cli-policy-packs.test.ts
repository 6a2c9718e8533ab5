import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PlatformClient } from "../../src/jobs/api/client";
import { Language } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { cliAs, outputLines } from "../support/cli-process";
import type { JobFixture } from "../support/job-fixture";
import { servedPlatform } from "../support/served-platform";

const SERVICE_TOKEN = "policy-packs-cli-service-token-51d0e2";

const WATCHED = {
  files: { "Pulumi.yaml": "name: watched\nruntime: yaml\noutputs:\n  message: hello\n" },
  dependencies: {},
  parameters: { type: "object", properties: {} },
};

/** JavaScript, advisory: names every stack it sees. */
const HINTS = [
  'const { PolicyPack } = require("@pulumi/policy");',
  'new PolicyPack("hints", {',
  "  policies: [{",
  '    name: "stack-seen", description: "Says which stack it saw.", enforcementLevel: "advisory",',
  "    validateResource: (args, report) => {",
  '      if (args.type === "pulumi:pulumi:Stack") report(`saw ${args.name}`);',
  "    },",
  "  }],",
  "});",
  "",
].join("\n");

/** TypeScript, advisory in the pack: the attachment makes it mandatory for stacks named stop-*. */
const STOPPER = [
  'import { PolicyPack } from "@pulumi/policy";',
  'const prefix: string = "watched-stop";',
  'new PolicyPack("stopper", {',
  "  policies: [{",
  '    name: "no-stop-stacks", description: "Stacks named stop-* stop.", enforcementLevel: "advisory",',
  "    validateResource: (args, report) => {",
  '      if (args.type === "pulumi:pulumi:Stack" && args.name.startsWith(prefix)) report("told to stop");',
  "    },",
  "  }],",
  "});",
  "",
].join("\n");

describe("stackwright policy-packs against a running service", () => {
  let fx: JobFixture;
  let api: PlatformClient;
  let aliceToken = "";
  const dirs: string[] = [];
  const admin = cliAs(
    () => fx.server.url,
    () => SERVICE_TOKEN,
  );
  const alice = cliAs(
    () => fx.server.url,
    () => aliceToken,
  );

  function packDir(file: string, text: string): string {
    const dir = mkdtempSync(join(tmpdir(), "sw-pack-"));
    dirs.push(dir);
    writeFileSync(join(dir, file), text);
    return dir;
  }

  before(async () => {
    ({
      fx,
      api,
      memberToken: aliceToken,
    } = await servedPlatform(SERVICE_TOKEN, { tenant: "team-a", user: "alice" }));
    await api.catalog.createTemplate({ name: "watched", language: Language.YAML, source: WATCHED });
    await api.catalog.publishTemplate({ template: "watched" });
  });
  after(async () => {
    await fx?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes and attaches packs; a deploy shows advisory findings and is stopped by a mandatory one", async () => {
    const published = await admin(["policy-packs", "publish", "hints", "--dir", packDir("index.js", HINTS)]);
    assert.equal(published.code, 0, published.stderr);
    assert.equal(published.stdout.trim(), "policy pack hints version 1 published (javascript)");
    const stopper = await admin([
      "policy-packs",
      "publish",
      "stopper",
      "--dir",
      packDir("index.ts", STOPPER),
    ]);
    assert.equal(
      stopper.stdout.trim(),
      "policy pack stopper version 1 published (typescript)",
      stopper.stderr,
    );

    const attached = await admin(["policy-packs", "attach", "hints", "--template", "watched"]);
    assert.equal(
      attached.stdout.trim(),
      "policy pack hints version 1 attached to template watched, policies at the pack's own levels",
      attached.stderr,
    );
    const mandatory = await admin([
      "policy-packs",
      "attach",
      "stopper",
      "--tenant",
      "team-a",
      "--enforcement",
      "mandatory",
    ]);
    assert.equal(mandatory.code, 0, mandatory.stderr);
    const listed = outputLines((await admin(["policy-packs", "attachments"])).stdout);
    assert.match(listed[0] ?? "", /^PACK +VERSION +ATTACHED TO +ENFORCEMENT$/);
    assert.deepEqual(
      listed.slice(1).map((line) => line.split(/ {2,}/)[0]),
      ["hints", "stopper"],
    );

    const deployed = await alice([
      "stacks",
      "deploy",
      "web",
      "--tenant",
      "team-a",
      "--template",
      "watched",
      "--watch",
    ]);
    assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout);
    assert.match(
      deployed.stdout,
      /^policy advisory hints\/stack-seen on pulumi:pulumi:Stack watched-web: .*saw watched-web$/m,
    );
    assert.match(deployed.stdout, /^deployment \S+ succeeded$/m);

    const stopped = await alice([
      "stacks",
      "deploy",
      "stop-now",
      "--tenant",
      "team-a",
      "--template",
      "watched",
      "--watch",
    ]);
    assert.equal(stopped.code, 1, stopped.stdout);
    assert.match(
      stopped.stderr,
      /failed: stopped by mandatory policy: stopper\/no-stop-stacks on pulumi:pulumi:Stack watched-stop-now: .*told to stop/,
    );
    assert.doesNotMatch(stopped.stdout, /step up /, "the up never ran");
  });

  it("is a Provider Admin's: anyone else is refused, and bad flags are named before anything is sent", async () => {
    const refused = await alice(["policy-packs", "list"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs Provider Admin/);
    const noTarget = await admin(["policy-packs", "attach", "hints"]);
    assert.equal(noTarget.code, 1);
    assert.match(noTarget.stderr, /--template: give either --template TEMPLATE or --tenant TENANT/);
    const badLevel = await admin([
      "policy-packs",
      "attach",
      "hints",
      "--tenant",
      "team-a",
      "--enforcement",
      "loud",
    ]);
    assert.match(badLevel.stderr, /--enforcement: expected one of advisory, mandatory/);
    const badCode = await admin([
      "policy-packs",
      "publish",
      "broken",
      "--dir",
      packDir("index.js", "const = 1;\n"),
    ]);
    assert.equal(badCode.code, 1);
    assert.match(badCode.stderr, /files\/index\.js:1:1: /);
  });
});

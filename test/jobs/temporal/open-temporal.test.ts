import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { StackwrightInputError } from "../../../src/core/errors";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import { DEV_SERVER_FILES } from "../../../src/jobs/temporal/dev-server";
import { openTemporal, TEMPORAL_BINARY_VARIABLE, temporalBinary } from "../../../src/jobs/temporal/endpoint";
import { isRunning } from "../../../src/jobs/temporal/server-pidfile";
import { temporalTestBinary, testTemporal } from "../../support/temporal";
import { runGreeting, withClient } from "./fixtures/run-greeting";

const server = testTemporal();
const dirs: string[] = [];
after(async () => {
  await (await server).stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "stackwright-open-temporal-"));
  dirs.push(dir);
  return dir;
}

const problemsOf = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof StackwrightInputError, String(error));
    return error.problems.map((p) => `${p.at}: ${p.message}`);
  }
  assert.fail("expected an input error");
};

describe("the service's Temporal", () => {
  it("embedded: a dev server on 127.0.0.1 with its state under <dataDir>/temporal, which close() stops", async () => {
    const dataDir = await tempDir();
    const config = parseServiceConfig({ dataDir }, dataDir, {});
    const env = { [TEMPORAL_BINARY_VARIABLE]: temporalTestBinary() };
    const temporal = await openTemporal(config, env);
    const stateDir = join(dataDir, "temporal");
    let pid = 0;
    try {
      assert.match(temporal.endpoint.address, /^127\.0\.0\.1:\d+$/);
      assert.deepEqual(
        {
          namespace: temporal.endpoint.namespace,
          tls: temporal.endpoint.tls,
          taskQueue: config.temporal.taskQueue,
        },
        { namespace: "default", tls: undefined, taskQueue: "stackwright" },
      );
      assert.ok(
        existsSync(join(stateDir, DEV_SERVER_FILES.database)),
        "no database under <dataDir>/temporal",
      );
      pid = JSON.parse(readFileSync(join(stateDir, DEV_SERVER_FILES.pidFile), "utf8")).pid;
      assert.equal((await runGreeting(temporal.endpoint, "embedded")).result, "HELLO, embedded");
    } finally {
      await temporal.close();
    }
    assert.equal(isRunning(pid), false, "close() left the server running");
  });

  it("embedded without the Temporal CLI: one error naming the variable, and nothing started", async () => {
    const dataDir = await tempDir();
    const config = parseServiceConfig({ dataDir }, dataDir, {});
    const problems = await problemsOf(() => openTemporal(config, {}));
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^STACKWRIGHT_TEMPORAL_BIN: not set: .*\.\/dev\.sh.*temporal\.address/);
    assert.equal(existsSync(join(dataDir, "temporal")), false);
  });

  it("names the variable and ./dev.sh when the binary is missing, not a file or not executable", async () => {
    const dir = await tempDir();
    const notExecutable = join(dir, "temporal");
    writeFileSync(notExecutable, "#!/bin/sh\n");
    chmodSync(notExecutable, 0o644);
    const cases: [string | undefined, RegExp][] = [
      [undefined, /^STACKWRIGHT_TEMPORAL_BIN: not set: /],
      ["", /^STACKWRIGHT_TEMPORAL_BIN: not set: /],
      [join(dir, "missing"), /^STACKWRIGHT_TEMPORAL_BIN: .*\/missing: no such file: /],
      [dir, /^STACKWRIGHT_TEMPORAL_BIN: .*: not a file: /],
      [notExecutable, /^STACKWRIGHT_TEMPORAL_BIN: .*\/temporal: not executable: /],
    ];
    for (const [value, message] of cases) {
      const env = value === undefined ? {} : { [TEMPORAL_BINARY_VARIABLE]: value };
      const problems = await problemsOf(() => temporalBinary(env));
      assert.equal(problems.length, 1, String(value));
      assert.match(problems[0] ?? "", message);
      assert.match(problems[0] ?? "", /run through \.\/dev\.sh/);
    }
    assert.equal(temporalBinary({ [TEMPORAL_BINARY_VARIABLE]: temporalTestBinary() }), temporalTestBinary());
  });

  it("configured: the cluster at the address, nothing started, and close() leaves it running", async () => {
    const shared = await server;
    const dataDir = await tempDir();
    const config = parseServiceConfig(
      { dataDir, temporal: { address: shared.address, taskQueue: "deploys" } },
      dataDir,
      {},
    );
    const temporal = await openTemporal(config, {});
    assert.deepEqual(temporal.endpoint, { address: shared.address, namespace: "default" });
    assert.equal(config.temporal.taskQueue, "deploys");
    await temporal.close();
    assert.equal(existsSync(join(dataDir, "temporal")), false, "an embedded server was started");
    assert.equal((await runGreeting(temporal.endpoint, "configured")).result, "HELLO, configured");
    await withClient(temporal.endpoint, (client) => client.workflowService.getSystemInfo({}));
  });

  it("configured with TLS: reads the files, relative to the configuration, and the key from its source", async () => {
    const dir = await tempDir();
    const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
    writeFileSync(join(dir, "ca.pem"), pem("CERTIFICATE"));
    writeFileSync(join(dir, "client.pem"), pem("CERTIFICATE"));
    const tls = {
      serverName: "temporal.internal",
      serverRootCACertificate: "ca.pem",
      clientCertificate: "./client.pem",
      clientPrivateKey: { fromEnv: "TEMPORAL_CLIENT_KEY" },
    };
    const config = parseServiceConfig(
      { temporal: { address: "temporal.example.com:7233", namespace: "deploys", tls } },
      dir,
      {},
    );
    const temporal = await openTemporal(config, { TEMPORAL_CLIENT_KEY: pem("PRIVATE KEY") });
    assert.deepEqual(temporal.endpoint, {
      address: "temporal.example.com:7233",
      namespace: "deploys",
      tls: {
        serverNameOverride: "temporal.internal",
        serverRootCACertificate: Buffer.from(pem("CERTIFICATE")),
        clientCertPair: { crt: Buffer.from(pem("CERTIFICATE")), key: Buffer.from(pem("PRIVATE KEY")) },
      },
    });
    // `tls: {}`: TLS, trusting the system's CAs.
    const plain = parseServiceConfig(
      { temporal: { address: "temporal.example.com:7233", tls: {} } },
      dir,
      {},
    );
    assert.deepEqual((await openTemporal(plain, {})).endpoint.tls, {});
  });

  it("names the TLS field whose file or secret cannot be used, every one at once, quoting no secret", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "not-a-cert.pem"), "hello");
    const secret = "s3cr3t-not-a-key";
    const config = parseServiceConfig(
      {
        temporal: {
          address: "temporal.example.com:7233",
          tls: {
            serverRootCACertificate: "missing-ca.pem",
            clientCertificate: "not-a-cert.pem",
            clientPrivateKey: { fromEnv: "TEMPORAL_CLIENT_KEY" },
          },
        },
      },
      dir,
      {},
    );
    const problems = await problemsOf(() => openTemporal(config, { TEMPORAL_CLIENT_KEY: secret }));
    assert.deepEqual(problems, [
      `temporal.tls.serverRootCACertificate: cannot read ${join(dir, "missing-ca.pem")}: ENOENT`,
      `temporal.tls.clientCertificate: expected a certificate, ${join(dir, "not-a-cert.pem")}, in PEM (-----BEGIN …-----)`,
      "temporal.tls.clientPrivateKey: expected a private key in PEM (-----BEGIN …-----)",
    ]);
    assert.doesNotMatch(problems.join("\n"), new RegExp(secret));
    const unset = await problemsOf(() =>
      openTemporal(
        {
          ...config,
          temporal: { ...config.temporal, tls: { clientPrivateKey: { fromEnv: "TEMPORAL_CLIENT_KEY" } } },
        },
        {},
      ),
    );
    assert.deepEqual(unset, [
      "temporal.tls.clientPrivateKey: environment variable TEMPORAL_CLIENT_KEY is not set in the service's environment",
    ]);
  });
});

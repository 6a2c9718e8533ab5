import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import { StackwrightInputError } from "../../../src/core/errors";
import { ServiceConfigSchema } from "../../../src/jobs/config/config-schema";
import { embeddedServiceConfig } from "../../../src/jobs/config/embedded-defaults";
import { PUBLISHED_SCHEMA_PATH } from "../../../src/jobs/config/published-schema";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import { REPO_ROOT } from "../../support/paths";

const problemsOf = (raw: unknown) => {
  try {
    parseServiceConfig(raw, "/srv/jobs", {});
  } catch (error) {
    assert.ok(error instanceof StackwrightInputError, String(error));
    return error.problems.map((p) => `${p.at}: ${p.message}`);
  }
  assert.fail("expected the configuration to be refused");
};

/** What an editor checks against the published schema. */
const editorValidator = () =>
  new Ajv({ allErrors: true, strict: true, strictRequired: false })
    .addKeyword("errorMessage")
    .compile(JSON.parse(readFileSync(join(REPO_ROOT, PUBLISHED_SCHEMA_PATH), "utf8")));

describe("the temporal section of the service configuration", () => {
  it("reads an existing cluster: address, namespace, task queue, TLS files relative to the file", () => {
    const config = parseServiceConfig(
      {
        temporal: {
          address: "temporal.example.com:7233",
          namespace: "deploys",
          taskQueue: "stackwright-eu",
          tls: {
            serverName: "temporal.internal",
            serverRootCACertificate: "./tls/ca.pem",
            clientCertificate: "/etc/stackwright/client.pem",
            clientPrivateKey: { fromFile: "tls/client.key" },
          },
        },
      },
      "/srv/jobs",
      {},
    );
    assert.deepEqual(config.temporal, {
      address: "temporal.example.com:7233",
      namespace: "deploys",
      taskQueue: "stackwright-eu",
      tls: {
        serverName: "temporal.internal",
        serverRootCACertificate: "/srv/jobs/tls/ca.pem",
        clientCertificate: "/etc/stackwright/client.pem",
        clientPrivateKey: { fromFile: "/srv/jobs/tls/client.key" },
      },
    });
    const ipv6 = parseServiceConfig({ temporal: { address: "[::1]:7233" } }, "/srv", {});
    assert.equal(ipv6.temporal.address, "[::1]:7233");
  });

  it("defaults to the embedded server, namespace default and task queue stackwright, as the schema publishes", () => {
    const temporalFields = ServiceConfigSchema.properties.temporal.properties;
    const expected = {
      namespace: (temporalFields.namespace as { default?: unknown }).default,
      taskQueue: (temporalFields.taskQueue as { default?: unknown }).default,
    };
    assert.deepEqual(expected, { namespace: "default", taskQueue: "stackwright" });
    assert.deepEqual(parseServiceConfig({}, "/srv", {}).temporal, expected);
    assert.deepEqual(parseServiceConfig({ temporal: {} }, "/srv", {}).temporal, expected);
    // No address: embedded, with the namespace and queue asked for.
    assert.deepEqual(
      parseServiceConfig({ temporal: { namespace: "ns", taskQueue: "q" } }, "/srv", {}).temporal,
      {
        namespace: "ns",
        taskQueue: "q",
      },
    );
  });

  it("the embedded defaults run on the embedded server", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stackwright-embedded-"));
    try {
      assert.deepEqual(embeddedServiceConfig(dataDir, {}).temporal, {
        namespace: "default",
        taskQueue: "stackwright",
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses bad settings, each naming its field, and an editor refuses the same structure", () => {
    const validate = editorValidator();
    const address = "temporal.example.com:7233";
    const structural: [unknown, string[]][] = [
      [
        { address: "https://temporal.example.com:7233" },
        ["temporal.address: expected host:port, such as temporal.example.com:7233 (no scheme)"],
      ],
      [
        { address: "temporal.example.com" },
        ["temporal.address: expected host:port, such as temporal.example.com:7233 (no scheme)"],
      ],
      [
        { address: 7233 },
        ["temporal.address: expected host:port, such as temporal.example.com:7233 (no scheme)"],
      ],
      [{ address, namespace: "" }, ["temporal.namespace: expected a non-empty string"]],
      [{ address, taskQueue: "" }, ["temporal.taskQueue: expected a non-empty string"]],
      [{ address, port: 7233 }, ["temporal.port: unknown field"]],
      [{ address, tls: { caFile: "ca.pem" } }, ["temporal.tls.caFile: unknown field"]],
      [
        { address, tls: true },
        [
          "temporal.tls: expected a mapping with serverName, serverRootCACertificate, clientCertificate or clientPrivateKey",
        ],
      ],
      [
        { address, tls: { clientCertificate: "c.pem", clientPrivateKey: "-----BEGIN PRIVATE KEY-----" } },
        [
          "temporal.tls.clientPrivateKey: expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file",
        ],
      ],
      [
        { address, tls: { serverRootCACertificate: "" } },
        ["temporal.tls.serverRootCACertificate: expected the path of a PEM file"],
      ],
      ["temporal:7233", ["temporal: expected a mapping with address, namespace, taskQueue or tls"]],
    ];
    for (const [temporal, expected] of structural) {
      assert.deepEqual(problemsOf({ temporal }), expected, JSON.stringify(temporal));
      assert.equal(validate({ temporal }), false, `an editor accepts ${JSON.stringify(temporal)}`);
    }
    // The service's own rules, beyond the structure an editor checks.
    const rules: [unknown, string[]][] = [
      [
        { tls: {} },
        [
          "temporal.tls: TLS is for a configured cluster: set temporal.address (the embedded server has no TLS)",
        ],
      ],
      [
        { address, tls: { clientCertificate: "c.pem" } },
        ["temporal.tls.clientPrivateKey: required with clientCertificate"],
      ],
      [
        { address, tls: { clientPrivateKey: { fromFile: "k.pem" } } },
        ["temporal.tls.clientCertificate: required with clientPrivateKey"],
      ],
      [
        { address, tls: { clientCertificate: "c.pem", clientPrivateKey: { fromEnv: "not a variable" } } },
        [
          "temporal.tls.clientPrivateKey: expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file",
        ],
      ],
    ];
    for (const [temporal, expected] of rules)
      assert.deepEqual(problemsOf({ temporal }), expected, JSON.stringify(temporal));
    assert.equal(validate({ temporal: { address, tls: {} } }), true);
  });
});

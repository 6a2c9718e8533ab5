import { readFileSync } from "node:fs";
import type { TLSConfig } from "@temporalio/client";
import { type Problem, StackwrightInputError } from "../../core/errors";
import type { SecretSource, TemporalTls } from "../config/service-config";

const AT = "temporal.tls";

/**
 * The configured TLS files read into what the Temporal client and worker take: every problem at
 * once, each naming its field. The private key is a secret: no message quotes it.
 */
export function readTemporalTls(tls: TemporalTls, env: NodeJS.ProcessEnv): TLSConfig {
  const problems: Problem[] = [];
  const pem = (field: string, read: () => Buffer, label: RegExp, what: string): Buffer | undefined => {
    let bytes: Buffer;
    try {
      bytes = read();
    } catch (error) {
      problems.push({ at: `${AT}.${field}`, message: (error as Error).message });
      return undefined;
    }
    // Caught here rather than as the TLS handshake's opaque failure on the first connection.
    if (!label.test(bytes.toString("latin1"))) {
      problems.push({ at: `${AT}.${field}`, message: `expected ${what} in PEM (-----BEGIN …-----)` });
      return undefined;
    }
    return bytes;
  };
  const certificate = (field: keyof TemporalTls, path: string | undefined) =>
    path === undefined
      ? undefined
      : pem(field, () => readFile(path), /-----BEGIN CERTIFICATE-----/, `a certificate, ${path},`);
  const ca = certificate("serverRootCACertificate", tls.serverRootCACertificate);
  const crt = certificate("clientCertificate", tls.clientCertificate);
  const { clientPrivateKey } = tls;
  const key =
    clientPrivateKey === undefined
      ? undefined
      : pem(
          "clientPrivateKey",
          () => readSecret(clientPrivateKey, env),
          /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
          "a private key",
        );
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return {
    ...(tls.serverName !== undefined && { serverNameOverride: tls.serverName }),
    ...(ca !== undefined && { serverRootCACertificate: ca }),
    ...(crt !== undefined && key !== undefined && { clientCertPair: { crt, key } }),
  };
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

function readSecret(source: SecretSource, env: NodeJS.ProcessEnv): Buffer {
  if ("fromFile" in source) return readFile(source.fromFile);
  const value = env[source.fromEnv];
  if (value === undefined || value === "")
    throw new Error(`environment variable ${source.fromEnv} is not set in the service's environment`);
  return Buffer.from(value);
}

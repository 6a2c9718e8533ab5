import { type ChildProcess, execFile, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./free-ports";

/**
 * A real Kubernetes control plane on 127.0.0.1 for tests and the demo: etcd, kube-apiserver and
 * kube-controller-manager (the namespace, garbage-collector and service-account controllers, so
 * that a deleted Namespace really goes away), with the PKO CRDs applied. No kubelet: the objects
 * Stackwright makes are stored and validated exactly as on a real cluster, but no Pod runs.
 */
export interface LocalCluster {
  /** A kubeconfig for an administrator of the cluster (a bearer token in `system:masters`). */
  readonly kubeconfig: string;
  readonly server: string;
  /** Runs the bootstrap's kubectl against the cluster. Never rejects: the caller asserts. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  /** Reads an object back from the server as JSON; undefined when it does not exist. */
  get(resource: string, name: string, namespace: string): Promise<Record<string, unknown> | undefined>;
  /** Creates a namespace of its own for one test, named from `prefix` and a random suffix. */
  createNamespace(prefix: string): Promise<string>;
  /** Stops everything it started and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StartClusterOptions {
  /** The directory holding the PKO CRDs to apply (crds/ in the repository). */
  readonly crdDir: string;
  /** Where kube-apiserver & co. are; the bootstrap sets STACKWRIGHT_KUBE_BIN. */
  readonly binDir?: string;
}

const BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl"] as const;
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

/** The directory of the cluster's binaries, or an error saying how to get them. */
export function clusterBinDir(binDir = process.env.STACKWRIGHT_KUBE_BIN): string {
  if (binDir === undefined || binDir === "")
    throw new Error(
      "STACKWRIGHT_KUBE_BIN is not set: the local Kubernetes cluster's binaries come from the bootstrap; run through ./dev.sh test (or ./dev.sh demo)",
    );
  const missing = BINARIES.filter((b) => !existsSync(join(binDir, b)));
  if (missing.length > 0)
    throw new Error(
      `the local cluster's binaries are incomplete in ${binDir}: missing ${missing.join(", ")}`,
    );
  return binDir;
}

/** Starts a cluster; on any failure stops what it started and names the component and its log. */
export async function startLocalCluster(options: StartClusterOptions): Promise<LocalCluster> {
  const bin = clusterBinDir(options.binDir);
  const dir = await mkdtemp(join(tmpdir(), "stackwright-cluster-"));
  const processes: Component[] = [];
  const stop = async () => {
    for (const component of processes.reverse()) await component.stop();
    processes.length = 0;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, apiPort, controllerPort] = await freePorts(4);
    const etcd = startComponent("etcd", join(bin, "etcd"), dir, [
      "--name=local",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=local=http://127.0.0.1:${etcdPeer}`,
      // A throwaway store: durability buys nothing and fsync costs seconds per test run.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    processes.push(etcd);

    const token = randomBytes(32).toString("hex");
    const pki = join(dir, "pki");
    await mkdir(pki, { mode: 0o700 });
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await writeFile(join(pki, "sa.key"), keys.privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    });
    await writeFile(join(pki, "sa.pub"), keys.publicKey.export({ type: "spki", format: "pem" }));
    await writeFile(
      join(pki, "tokens.csv"),
      `${token},stackwright-admin,stackwright-admin,"system:masters"\n`,
      {
        mode: 0o600,
      },
    );
    const apiserver = startComponent("kube-apiserver", join(bin, "kube-apiserver"), dir, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      // With no certificate given, the API server makes a CA and a serving certificate for its
      // advertise address here; the kubeconfig trusts that CA.
      `--cert-dir=${pki}`,
      `--token-auth-file=${join(pki, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${join(pki, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/24",
      // 1.37 refuses a loopback advertise address with the default reconciler.
      "--endpoint-reconciler-type=none",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
    ]);
    processes.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = join(pki, "apiserver.crt");
    await waitReady(apiserver, () => probe(`${server}/readyz`, ca, token), etcd);

    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, kubeconfigYaml(server, ca, token), { mode: 0o600 });
    const controllers = startComponent("kube-controller-manager", join(bin, "kube-controller-manager"), dir, [
      `--kubeconfig=${kubeconfig}`,
      "--controllers=namespace,garbagecollector,serviceaccount",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${controllerPort}`,
      `--service-account-private-key-file=${join(pki, "sa.key")}`,
    ]);
    processes.push(controllers);

    const kubectl = kubectlFor(bin, kubeconfig);
    await must(kubectl(["apply", "--server-side", "-f", options.crdDir]), "apply the PKO CRDs");
    await waitEstablished(kubectl, ["programs.pulumi.com", "stacks.pulumi.com"]);
    return clusterHandle(kubeconfig, server, bin, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A handle on a cluster another process started (the test run's global setup). */
export function attachLocalCluster(kubeconfig: string, binDir?: string): LocalCluster {
  const server = /server: (\S+)/.exec(readFileSync(kubeconfig, "utf8"))?.[1] ?? "";
  return clusterHandle(kubeconfig, server, clusterBinDir(binDir), async () => {});
}

function clusterHandle(
  kubeconfig: string,
  server: string,
  bin: string,
  stop: () => Promise<void>,
): LocalCluster {
  const kubectl = kubectlFor(bin, kubeconfig);
  let stopped: Promise<void> | undefined;
  return {
    kubeconfig,
    server,
    kubectl,
    async get(resource, name, namespace) {
      const result = await kubectl([
        "get",
        resource,
        name,
        "-n",
        namespace,
        "-o",
        "json",
        "--ignore-not-found",
      ]);
      if (result.code !== 0) throw new Error(`kubectl get ${resource} ${name}: ${result.stderr.trim()}`);
      return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
    },
    async createNamespace(prefix) {
      const name = `${prefix
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 50)}-${randomBytes(3).toString("hex")}`;
      await must(kubectl(["create", "namespace", name]), `create namespace ${name}`);
      return name;
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}

function kubectlFor(bin: string, kubeconfig: string) {
  return (args: readonly string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        join(bin, "kubectl"),
        [`--kubeconfig=${kubeconfig}`, ...args],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? "");
    });
}

async function must(result: Promise<KubectlResult>, step: string): Promise<KubectlResult> {
  const done = await result;
  if (done.code !== 0) throw new Error(`local cluster: could not ${step}: ${done.stderr.trim()}`);
  return done;
}

/**
 * Waits until each CRD is Established. Polled rather than `kubectl wait`, which fails at once
 * ("conditions accessor error") when it looks before the server has written any condition.
 */
async function waitEstablished(
  kubectl: ReturnType<typeof kubectlFor>,
  crds: readonly string[],
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const crd of crds) {
    for (;;) {
      const status = await kubectl([
        "get",
        "crd",
        crd,
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]);
      if (status.code === 0 && status.stdout.trim() === "True") break;
      if (Date.now() > deadline)
        throw new Error(
          `local cluster: the CRD ${crd} was not Established within ${READY_TIMEOUT_MS / 1000}s: ${status.stderr.trim()}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function kubeconfigYaml(server: string, ca: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: local",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${ca}`,
    "users:",
    "- name: admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: local",
    "  context:",
    "    cluster: local",
    "    user: admin",
    "current-context: local",
    "",
  ].join("\n");
}

interface Component {
  readonly name: string;
  readonly log: string;
  readonly child: ChildProcess;
  /** Settles when the process has exited, with its exit code or signal. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

function startComponent(name: string, path: string, dir: string, args: readonly string[]): Component {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, "a");
  const child = spawn(path, args, { stdio: ["ignore", fd, fd], detached: false });
  closeSync(fd);
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      resolve(signal ?? `exit ${code}`);
    });
    child.once("error", (error) => {
      running = false;
      resolve(error.message);
    });
  });
  return {
    name,
    log,
    child,
    exited,
    async stop() {
      if (!running) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `ready` until it is true; fails naming the component and its log when one has exited. */
async function waitReady(
  target: Component,
  ready: () => Promise<boolean>,
  ...others: Component[]
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exits = [target, ...others].map((c) => c.exited.then((how) => ({ component: c, how })));
  let failed: { component: Component; how: string } | undefined;
  for (const exit of exits) void exit.then((e) => (failed ??= e));
  while (Date.now() < deadline) {
    if (failed !== undefined) throw componentFailed(failed.component, `exited (${failed.how})`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw componentFailed(target, `was not ready within ${READY_TIMEOUT_MS / 1000}s`);
}

function componentFailed(component: Component, what: string): Error {
  const tail = existsSync(component.log)
    ? readFileSync(component.log, "utf8").trim().split("\n").slice(-5)
    : [];
  return new Error(
    `local cluster: ${component.name} ${what}; its log is ${component.log}${tail.length > 0 ? `:\n  ${tail.join("\n  ")}` : ""}`,
  );
}

function probe(url: string, caFile: string, token: string): Promise<boolean> {
  if (!existsSync(caFile)) return Promise.resolve(false);
  const ca = readFileSync(caFile);
  return new Promise((resolve) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./support/paths";

/** One version set everywhere: versions.json is the source, everything else must agree. */
const read = (...p: string[]) => readFileSync(join(REPO_ROOT, ...p), "utf8");
const pins = JSON.parse(read("versions.json"));

function goRequire(goMod: string, module: string): string | undefined {
  return new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, "\\.")}\\s+(v\\S+)`, "m").exec(goMod)?.[1];
}

describe("pinned versions agree with versions.json", () => {
  it("parts/pulumi/go.mod builds the pinned CLI, SDK and YAML host", () => {
    const goMod = read("parts", "pulumi", "go.mod");
    assert.equal(goRequire(goMod, "github.com/pulumi/pulumi/pkg/v3"), `v${pins.pulumi}`);
    assert.equal(goRequire(goMod, "github.com/pulumi/pulumi/sdk/v3"), `v${pins.pulumi}`);
    assert.equal(goRequire(goMod, "github.com/pulumi/pulumi-yaml"), `v${pins.pulumiYaml}`);
  });

  it("the npm, PyPI and Go SDKs are the engine's version", () => {
    const pkg = JSON.parse(read("package.json"));
    assert.equal(pkg.dependencies["@pulumi/pulumi"], pins.pulumi);
    assert.match(read("requirements.txt"), new RegExp(`^pulumi==${pins.pulumi.replace(/\./g, "\\.")}$`, "m"));
    for (const goMod of [
      ["test", "fixtures", "engine-smoke", "go", "go.mod"],
      ["test", "fixtures", "provider", "go-preview", "go.mod"],
      ["sdk", "go", "stackwright", "go.mod"],
      ["examples", "stack-config", "go-advanced", "go.mod"],
    ])
      assert.equal(
        goRequire(read(...goMod), "github.com/pulumi/pulumi/sdk/v3"),
        `v${pins.pulumi}`,
        goMod.join("/"),
      );
    const examples = ["typescript-complete", "package.json"];
    assert.equal(
      JSON.parse(read("examples", "stack-config", ...examples)).dependencies["@pulumi/pulumi"],
      pins.pulumi,
    );
    assert.match(
      read("examples", "stack-config", "python-workflow", "requirements.txt"),
      new RegExp(`^pulumi==${pins.pulumi.replace(/\./g, "\\.")}$`, "m"),
    );
  });

  it("parts/pulumi-language-hosts builds the three hosts at the pinned version", () => {
    const goMod = read("parts", "pulumi-language-hosts", "go.mod");
    for (const host of [
      "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
      "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3",
      "github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3",
    ])
      assert.equal(goRequire(goMod, host), pins.languageHosts, host);
  });

  it("the Kubernetes provider, its npm SDK and the local cluster's parts are the pinned versions", () => {
    const pkg = JSON.parse(read("package.json"));
    assert.equal(pkg.dependencies["@pulumi/kubernetes"], pins.kubernetes);
    assert.equal(
      goRequire(read("parts", "kubernetes-provider", "go.mod"), "github.com/pulumi/pulumi-kubernetes/sdk/v4"),
      `v${pins.kubernetes}`,
    );
    assert.doesNotMatch(read("parts", "kubernetes-provider", "go.mod"), /^replace /m);
    const cluster = read("parts", "kubernetes", "go.mod");
    assert.equal(goRequire(cluster, "k8s.io/kubernetes"), `v${pins.kubernetesCluster}`);
    // Every staging module is replaced by its release of the same Kubernetes version.
    const staging = [...cluster.matchAll(/^(?:replace )?\s*(k8s\.io\/\S+) => \1 (v\S+)$/gm)];
    assert.ok(staging.length >= 20, "the staging modules are replaced");
    for (const [, module, version] of staging)
      assert.equal(version, `v0.${pins.kubernetesCluster.split(".").slice(1).join(".")}`, module);
    assert.equal(goRequire(read("parts", "etcd", "go.mod"), "go.etcd.io/etcd/server/v3"), `v${pins.etcd}`);
  });

  it("parts/temporal builds the pinned Temporal CLI", () => {
    const goMod = read("parts", "temporal", "go.mod");
    assert.equal(goRequire(goMod, "github.com/temporalio/cli"), `v${pins.temporal}`);
    assert.doesNotMatch(goMod, /^replace /m);
    assert.match(
      read("parts", "temporal", "tools.go"),
      /^import _ "github\.com\/temporalio\/cli\/cmd\/temporal"$/m,
    );
  });

  it("parts/seaweedfs builds weed at the pinned commit, with SeaweedFS's one replace", () => {
    const goMod = read("parts", "seaweedfs", "go.mod");
    assert.equal(goRequire(goMod, "github.com/seaweedfs/seaweedfs"), pins.seaweedfsModule);
    assert.deepEqual(
      [...goMod.matchAll(/^(?:replace )?\s*(\S+) => (\S+) (v\S+)$/gm)].map((m) => m.slice(1)),
      [["github.com/tyler-smith/go-bip39", "github.com/cosmos/go-bip39", "v1.0.0"]],
    );
    assert.match(
      read("parts", "seaweedfs", "tools.go"),
      /^import _ "github\.com\/seaweedfs\/seaweedfs\/weed"$/m,
    );
    // The version number is in SeaweedFS's source; the bootstrap checks `weed version` against it.
    assert.match(pins.seaweedfs, /^\d+\.\d{2}$/);
  });

  it("every Kubernetes SDK asks the engine for exactly the pinned provider plugin", () => {
    const pypi = new RegExp(`^pulumi-kubernetes==${pins.kubernetes.replace(/\./g, "\\.")}$`, "m");
    assert.match(read("requirements.txt"), pypi);
    assert.match(read("examples", "stack-config", "python-workflow", "requirements.txt"), pypi);
    assert.equal(
      JSON.parse(read("examples", "stack-config", "typescript-complete", "package.json")).dependencies[
        "@pulumi/kubernetes"
      ],
      pins.kubernetes,
    );
    assert.equal(
      goRequire(
        read("examples", "stack-config", "go-advanced", "go.mod"),
        "github.com/pulumi/pulumi-kubernetes/sdk/v4",
      ),
      `v${pins.kubernetes}`,
    );
  });

  it("package.json requires Node >= 22.12 and the bootstrap installs a Node of that range", () => {
    const pkg = JSON.parse(read("package.json"));
    assert.equal(pkg.engines.node, ">=22.12");
    assert.ok(Number(pins.node.split(".")[0]) >= 22);
  });
});

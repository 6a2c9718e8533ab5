/**
 * `pulumi-resource-stackwright`: the Stackwright package's provider plugin, run by node. It serves
 * the package's components to Python, Go and Pulumi YAML programs through `construct`, dispatching
 * each type token through the registry; its schema is schema.json and its version package.json's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { COMPONENTS } from "./registry";

// Compiled to dist/provider/index.js; package.json and schema.json stay at the package's root.
const ROOT = join(__dirname, "..", "..");
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const schema = { ...JSON.parse(readFileSync(join(ROOT, "schema.json"), "utf8")), version };

const stackwrightProvider: provider.Provider = {
  version,
  schema: JSON.stringify(schema),
  async construct(name, type, inputs, options) {
    const construct = COMPONENTS[type];
    if (construct === undefined)
      throw new Error(
        `unknown resource type ${type}; this provider serves ${Object.keys(COMPONENTS).join(", ")}`,
      );
    return construct(name, inputs, options);
  },
};

provider.main(stackwrightProvider, process.argv.slice(2));

/**
 * `pulumi-resource-stackwright`: the Stackwright package's provider plugin, run by node. It serves
 * the package's components to Python, Go and Pulumi YAML programs through `construct`, dispatching
 * each type token through the registry; its schema is schema.json and its version package.json's.
 */
import * as provider from "@pulumi/pulumi/provider";
import packageJson from "../package.json";
import packageSchema from "../schema.json";
import { constructComponent } from "../src/components/schema-types";
import { COMPONENTS } from "./registry";

// Imported, not read from disk, so that the bundled plugin carries them.
const version = packageJson.version;
const schema = { ...packageSchema, version };

const stackwrightProvider: provider.Provider = {
  version,
  schema: JSON.stringify(schema),
  async construct(name, type, inputs, options) {
    const result = constructComponent(COMPONENTS, type, name, inputs, options);
    if (result === undefined)
      throw new Error(
        `unknown resource type ${type}; this provider serves ${Object.keys(COMPONENTS).join(", ")}`,
      );
    return result;
  },
};

provider.main(stackwrightProvider, process.argv.slice(2));

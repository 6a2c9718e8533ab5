import { prepareComponent } from "../core/manifests";
import { toYaml as yaml } from "../core/yaml";
import {
  buildApi,
  buildExampleRequest,
  buildPromise,
  buildWorkflows,
  type PromiseInputs,
  schemaSourceInImage,
} from "../promise/promise";
import { checkPromiseApiOptions, checkPromiseOptions } from "../promise/promise-options";
import { buildPromiseReadme } from "../promise/readme";
import { DEFAULT_STAGE_IMAGE } from "../promise/stage-image";
import { readSchema } from "../stages/stage-io";
import { writeOutputDirectory } from "./output-directory";

export interface InitPromiseFlags {
  schema: string;
  component?: string;
  group?: string;
  kind?: string;
  version?: string;
  plural?: string;
  image?: string;
  destinationSelector?: string[];
  promiseVersion?: string;
  dir: string;
  split?: boolean;
  force?: boolean;
}

/** `stackwright init pulumi-component-promise`: everything is checked before anything is written. */
export async function initPromise(flags: InitPromiseFlags, log: (line: string) => void): Promise<void> {
  const api = checkPromiseApiOptions(flags);
  const promise = checkPromiseOptions(flags);
  const schema = await readSchema(flags.schema, "--schema");
  const prepared = prepareComponent(schema, flags.component, "--component");
  const inputs: PromiseInputs = {
    prepared,
    api,
    promise,
    image: flags.image ?? DEFAULT_STAGE_IMAGE,
    schemaSourceInImage: schemaSourceInImage(flags.schema),
  };
  const example = "example-resource-request.yaml";
  const files: Record<string, string> = flags.split
    ? {
        "api.yaml": yaml(buildApi(inputs)),
        "workflows/resource/configure/workflow.yaml": yaml(
          (buildWorkflows(inputs).resource as { configure: unknown }).configure,
        ),
      }
    : { "promise.yaml": yaml(buildPromise(inputs)) };
  files[example] = yaml(buildExampleRequest(inputs));
  files["README.md"] = buildPromiseReadme(inputs, {
    workflow: flags.split ? "workflows/resource/configure/workflow.yaml" : "promise.yaml",
    example,
    split: flags.split === true,
  });
  await writeOutputDirectory(flags.dir, files, {
    force: flags.force === true,
    field: "--dir",
    onWrite: (path) => log(`wrote ${path}`),
  });
}

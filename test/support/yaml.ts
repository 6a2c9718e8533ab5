import { parseYaml } from "../../src/core/yaml";

/** Tests inspect parsed manifests freely; a mismatch fails the assertion that reads it. */
// biome-ignore lint/suspicious/noExplicitAny: test-only convenience for reading parsed YAML
export const parse = (text: string): any => parseYaml(text);

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { PKO_CRD_DIR } from "./paths";
import { parse } from "./yaml";

type Schema = Record<string, unknown>;

/**
 * Validates objects against the real PKO CRDs (the repository's crds/) the way the API
 * server would reject them: the version's openAPIV3Schema with unknown fields refused (where the
 * CRD does not preserve them), plus the CRD's x-kubernetes-validations rules, which are CEL; the
 * only rule shape these CRDs use, `size(self.<path>) <= N`, is evaluated here, and any other
 * rule makes the validator fail loudly rather than pass silently.
 */
export class PkoCrdValidator {
  private readonly validators = new Map<string, { validate: ValidateFunction; rules: Rule[] }>();

  constructor(dir: string = PKO_CRD_DIR) {
    if (!existsSync(dir)) {
      throw new Error(`the PKO CRDs are not at ${dir}: the tests read the repository's crds/ folder`);
    }
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    for (const file of ["pulumi.com_programs.yaml", "pulumi.com_stacks.yaml"]) {
      const crd = parse(readFileSync(join(dir, file), "utf8"));
      for (const version of crd.spec.versions) {
        const schema = version.schema.openAPIV3Schema as Schema;
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        this.validators.set(key, {
          validate: ajv.compile(toStrictJsonSchema(schema)),
          rules: collectRules(schema),
        });
      }
    }
  }

  /** Every problem with the object, empty when the API server would accept it. */
  problems(object: { apiVersion?: string; kind?: string } & Record<string, unknown>): string[] {
    const entry = this.validators.get(`${object.apiVersion}/${object.kind}`);
    if (entry === undefined) return [`no PKO CRD for ${object.apiVersion} ${object.kind}`];
    const problems: string[] = [];
    if (!entry.validate(object)) {
      for (const e of entry.validate.errors ?? []) {
        problems.push(
          `${e.instancePath || "/"} ${e.message}${e.keyword === "additionalProperties" ? ` (${String((e.params as Schema).additionalProperty)})` : ""}`,
        );
      }
    }
    const name = (object.metadata as Schema | undefined)?.name;
    if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      problems.push(`metadata.name ${JSON.stringify(name)} is not a valid object name`);
    }
    for (const rule of entry.rules) {
      const message = rule.check(object);
      if (message !== undefined) problems.push(message);
    }
    return problems;
  }
}

interface Rule {
  check(object: unknown): string | undefined;
}

function collectRules(schema: Schema): Rule[] {
  const rules: Rule[] = [];
  for (const v of (schema["x-kubernetes-validations"] as { rule: string; message?: string }[] | undefined) ??
    []) {
    const match = /^size\(self\.([A-Za-z.]+)\) <= (\d+)$/.exec(v.rule);
    if (match === null) throw new Error(`unsupported CEL rule in the PKO CRD: ${v.rule}`);
    const path = (match[1] as string).split(".");
    const limit = Number(match[2]);
    rules.push({
      check(object) {
        let node: unknown = object;
        for (const p of path) node = (node as Schema | undefined)?.[p];
        const size = typeof node === "string" ? [...node].length : -1;
        return size <= limit ? undefined : `${v.message ?? v.rule} (${path.join(".")} has ${size})`;
      },
    });
  }
  return rules;
}

/** Structural schema → JSON Schema that refuses unknown fields where Kubernetes would prune them. */
function toStrictJsonSchema(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toStrictJsonSchema(v)]),
      );
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
      out[key] = toStrictJsonSchema(value as Schema);
    } else if (key !== "x-kubernetes-validations" && key !== "description") {
      out[key] = value;
    }
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (
    node.properties !== undefined &&
    node["x-kubernetes-preserve-unknown-fields"] !== true &&
    node.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }
  return out;
}

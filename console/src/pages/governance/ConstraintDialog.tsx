import type { JsonObject } from "@bufbuild/protobuf";
import { type FormEvent, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { fieldProblems } from "../../api/field-problems";
import type { Template } from "../../api/platform";
import { problemText } from "../../api/problem";
import { Dialog } from "../../components/Dialog";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { useLoaded } from "../../components/use-loaded";
import { type ConstraintFields, constraintOf, fieldsOf, type LimitFields } from "./constraint-form";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly template: Template;
  readonly constraint: JsonObject | undefined;
  readonly onClose: () => void;
  /** The constraint was set or removed. */
  readonly onChanged: () => void;
}

/** The tenant's constraint on one template: allowed or not, max instances, each parameter's limits. */
export function ConstraintDialog({ clients, tenant, template, constraint, onClose, onChanged }: Props) {
  const names = useLoaded(
    async (signal) => {
      const view = await clients.catalog.getTemplate({ tenant, template: template.id }, { signal });
      const newest = [...view.versions].sort((a, b) => b.version - a.version)[0];
      return Object.keys((newest?.source?.parameters?.properties ?? {}) as JsonObject).sort();
    },
    [clients, tenant, template.id],
  );
  return (
    <Dialog
      title={`Constraint on ${template.displayName || template.name}`}
      onClose={onClose}
      className="wide"
    >
      {names.status === "loading" && <StatusNotice>Loading the parameters…</StatusNotice>}
      {names.status === "failed" && <ErrorNotice>{names.problem}</ErrorNotice>}
      {names.status === "done" && (
        <ConstraintForm
          clients={clients}
          tenant={tenant}
          template={template}
          initial={fieldsOf(constraint, names.value)}
          existing={constraint !== undefined}
          onClose={onClose}
          onChanged={onChanged}
        />
      )}
    </Dialog>
  );
}

interface FormProps {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly template: Template;
  readonly initial: ConstraintFields;
  readonly existing: boolean;
  readonly onClose: () => void;
  readonly onChanged: () => void;
}

const LIMITS: readonly [keyof LimitFields, string][] = [
  ["minimum", "Minimum"],
  ["maximum", "Maximum"],
  ["allowedValues", "Allowed values"],
  ["pattern", "Pattern"],
];

function ConstraintForm({ clients, tenant, template, initial, existing, onClose, onChanged }: FormProps) {
  const [fields, setFields] = useState(initial);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string>();
  const [busy, setBusy] = useState(false);

  const call = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setGeneral(undefined);
    try {
      await what();
      onChanged();
    } catch (error) {
      const found: Record<string, string> = {};
      const rest: string[] = [];
      for (const p of fieldProblems(error))
        if (p.at.startsWith("constraint.")) found[p.at] = p.message;
        else rest.push(p.at === "" ? p.message : `${p.at}: ${p.message}`);
      setProblems(found);
      setGeneral(
        rest.length > 0 || Object.keys(found).length === 0 ? rest.join(" ") || problemText(error) : undefined,
      );
      setBusy(false);
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const { constraint, problems: local } = constraintOf(fields);
    setProblems(local);
    if (Object.keys(local).length > 0) return;
    void call(() => clients.governance.setConstraint({ template: template.id, tenant, constraint }));
  };
  const setLimit = (name: string, key: keyof LimitFields, value: string) =>
    setFields((f) => ({
      ...f,
      parameters: { ...f.parameters, [name]: { ...(f.parameters[name] as LimitFields), [key]: value } },
    }));

  return (
    <form className="form" onSubmit={save}>
      <label className="inline-check">
        <input
          type="checkbox"
          checked={fields.allowed}
          onChange={(e) => setFields({ ...fields, allowed: e.target.checked })}
        />
        The tenant may deploy this template
      </label>
      <Field
        label="Max instances (0 or empty: no limit)"
        at="constraint.maxInstances"
        value={fields.maxInstances}
        problems={problems}
        onChange={(v) => setFields({ ...fields, maxInstances: v })}
      />
      {Object.keys(fields.parameters).map((name) => (
        <fieldset key={name} className="limits" data-parameter={name}>
          <legend>{name}</legend>
          {LIMITS.map(([key, label]) => (
            <Field
              key={key}
              label={label}
              at={`constraint.parameters.${name}.${key}`}
              value={(fields.parameters[name] as LimitFields)[key]}
              problems={problems}
              onChange={(v) => setLimit(name, key, v)}
            />
          ))}
        </fieldset>
      ))}
      {general !== undefined && <ErrorNotice>{general}</ErrorNotice>}
      <div className="actions">
        <button type="button" className="secondary-button" onClick={onClose}>
          Cancel
        </button>
        {existing && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => call(() => clients.governance.removeConstraint({ template: template.id, tenant }))}
          >
            Remove constraint
          </button>
        )}
        <button type="submit" disabled={busy}>
          Save constraint
        </button>
      </div>
    </form>
  );
}

interface FieldProps {
  readonly label: string;
  /** The path the service names this field by. */
  readonly at: string;
  readonly value: string;
  readonly problems: Readonly<Record<string, string>>;
  readonly onChange: (value: string) => void;
}

function Field({ label, at, value, problems, onChange }: FieldProps) {
  const problem = problems[at];
  const id = `field-${at.replaceAll(".", "-")}`;
  return (
    <div className="field">
      <label>
        {label}
        <input
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem === undefined ? undefined : `${id}-problem`}
          spellCheck={false}
        />
      </label>
      {problem !== undefined && (
        <span id={`${id}-problem`} className="field-error">
          {problem}
        </span>
      )}
    </div>
  );
}

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
// The Form alone: the package's index also exports a test helper that imports Ajv's validator.
import Form from "@rjsf/core/lib/components/Form.js";
import type { RJSFSchema } from "@rjsf/utils";
import { type FormEvent, useId, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import type { PlatformClients } from "../../../api/clients";
import { fieldProblems } from "../../../api/field-problems";
import type { Template } from "../../../api/platform";
import { problemText } from "../../../api/problem";
import { stackPath } from "../../../app/routes";
import { Dialog } from "../../../components/Dialog";
import { ErrorNotice, StatusNotice } from "../../../components/Notice";
import { useLoaded } from "../../../components/use-loaded";
import { type DeployProblems, sortProblems } from "./deploy-problems";
import { secretNames, splitParameters, uiSchemaFor } from "./deploy-request";
import { serverValidator } from "./server-validator";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly template: Template;
  readonly onClose: () => void;
}

const NO_PROBLEMS: DeployProblems = { parameters: {}, name: [], general: [] };

/**
 * Deploys the template's newest published version as a stack of the tenant: the form is made from
 * the tenant's effective parameter schema (the template's, narrowed by the tenant's constraints),
 * and the service's violations come back on their fields. Once the deploy has started, the
 * stack's page follows it.
 */
export default function DeployDialog({ clients, tenant, template, onClose }: Props) {
  const view = useLoaded(
    (signal) => clients.catalog.getTemplate({ tenant, template: template.id }, { signal }),
    [clients, tenant, template.id],
  );
  return (
    <Dialog title={`Deploy ${template.displayName || template.name}`} onClose={onClose} className="wide">
      {view.status === "loading" && <StatusNotice>Loading the parameters…</StatusNotice>}
      {view.status === "failed" && (
        <ErrorNotice>The template could not be loaded. {view.problem}</ErrorNotice>
      )}
      {view.status === "done" && (
        <DeployForm
          clients={clients}
          tenant={tenant}
          template={template}
          version={view.value.latestPublished}
          schema={view.value.effectiveParameters ?? { type: "object", properties: {} }}
          onClose={onClose}
        />
      )}
    </Dialog>
  );
}

interface FormProps extends Props {
  readonly version: number;
  readonly schema: JsonObject;
}

function DeployForm({ clients, tenant, template, version, schema, onClose }: FormProps) {
  const navigate = useNavigate();
  const formId = useId();
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, JsonValue | undefined>>({});
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<DeployProblems>(NO_PROBLEMS);
  const uiSchema = useMemo(() => uiSchemaFor(schema), [schema]);
  const secrets = useMemo(() => secretNames(schema), [schema]);

  const deploy = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      await clients.stacks.deployStack({
        tenant,
        name: name.trim(),
        template: template.id,
        version,
        ...splitParameters(values, secrets),
      });
      navigate(stackPath(name.trim()));
    } catch (error) {
      const found = fieldProblems(error);
      setProblems(found.length > 0 ? sortProblems(found) : { ...NO_PROBLEMS, general: [problemText(error)] });
      setBusy(false);
    }
  };

  if (version === 0)
    return <StatusNotice>This template has no published version to deploy yet.</StatusNotice>;
  const nameProblem = problems.name.join(" ");
  return (
    <div className="form">
      <p>Version {version}. The parameters are checked by the service when you deploy.</p>
      <label>
        Stack name
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          required
          aria-invalid={nameProblem !== ""}
          aria-describedby={nameProblem === "" ? undefined : `${formId}-name-error`}
        />
      </label>
      {nameProblem !== "" && (
        <p id={`${formId}-name-error`} className="field-error">
          {nameProblem}
        </p>
      )}
      <Form
        id={formId}
        schema={schema as RJSFSchema}
        uiSchema={uiSchema}
        validator={serverValidator}
        formData={values}
        onChange={(change) => setValues((change.formData ?? {}) as Record<string, JsonValue | undefined>)}
        onSubmit={() => deploy()}
        extraErrors={problems.parameters}
        // The service is the judge: the browser's own checks would stop a value before it hears of it.
        noHtml5Validate
        showErrorList={false}
        idPrefix="parameter"
      />
      {problems.general.length > 0 && <ErrorNotice>{problems.general.join(" ")}</ErrorNotice>}
      <div className="actions">
        <button type="button" className="secondary-button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" form={formId} disabled={busy || name.trim() === ""}>
          {busy ? "Deploying…" : "Deploy"}
        </button>
      </div>
    </div>
  );
}

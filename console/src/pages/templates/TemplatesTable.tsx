import { Link } from "react-router";
import type { Template } from "../../api/platform";
import { templatePath } from "../../app/routes";
import { ListTable } from "../../components/ListTable";
import { LANGUAGE_LABELS } from "./template-filter";

interface Props {
  readonly templates: readonly Template[];
  /** Offers a deploy of a template with a published version; absent when the user may not deploy. */
  readonly onDeploy?: ((template: Template) => void) | undefined;
}

function publishedText(version: number): string {
  return version === 0 ? "not yet" : `v${version}`;
}

const COLUMNS = ["Template", "Language", "Published", "Owner", "Description"];

export function TemplatesTable({ templates, onDeploy }: Props) {
  return (
    <ListTable caption="Templates" columns={onDeploy === undefined ? COLUMNS : [...COLUMNS, "Actions"]}>
      {templates.map((template) => (
        <tr key={template.id} data-template={template.name}>
          <th scope="row">
            <Link className="primary" to={templatePath(template.id)}>
              {template.displayName || template.name}
            </Link>
            {template.displayName !== "" && <span className="secondary">{template.name}</span>}
          </th>
          <td>{LANGUAGE_LABELS[template.language]}</td>
          <td>{publishedText(template.latestPublished)}</td>
          <td>{template.ownerTenantId === "" ? "the platform" : "this tenant"}</td>
          <td>{template.description}</td>
          {onDeploy !== undefined && (
            <td>
              {template.latestPublished > 0 && (
                <button
                  type="button"
                  aria-label={`Deploy ${template.displayName || template.name}`}
                  onClick={() => onDeploy(template)}
                >
                  Deploy…
                </button>
              )}
            </td>
          )}
        </tr>
      ))}
    </ListTable>
  );
}

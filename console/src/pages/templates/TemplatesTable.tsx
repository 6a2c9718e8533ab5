import { Link } from "react-router";
import type { Template } from "../../api/platform";
import { templatePath } from "../../app/routes";
import { ListTable } from "../../components/ListTable";
import { LANGUAGE_LABELS } from "./template-filter";
import type { PublishedVersions } from "./use-templates";

interface Props {
  readonly templates: readonly Template[];
  readonly published: PublishedVersions;
  /** Offers a deploy of a template with a published version; absent when the user may not deploy. */
  readonly onDeploy?: ((template: Template) => void) | undefined;
}

function publishedText(version: number | undefined): string {
  if (version === undefined) return "…";
  return version === 0 ? "not yet" : `v${version}`;
}

const COLUMNS = ["Template", "Language", "Published", "Owner", "Description"];

export function TemplatesTable({ templates, published, onDeploy }: Props) {
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
          <td>{publishedText(published.get(template.id))}</td>
          <td>{template.ownerTenantId === "" ? "the platform" : "this tenant"}</td>
          <td>{template.description}</td>
          {onDeploy !== undefined && (
            <td>
              {(published.get(template.id) ?? 0) > 0 && (
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

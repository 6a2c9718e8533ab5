import type { Template } from "../../api/platform";
import { ListTable } from "../../components/ListTable";
import { LANGUAGE_LABELS } from "./template-filter";
import type { PublishedVersions } from "./use-templates";

interface Props {
  readonly templates: readonly Template[];
  readonly published: PublishedVersions;
}

function publishedText(version: number | undefined): string {
  if (version === undefined) return "…";
  return version === 0 ? "not yet" : `v${version}`;
}

const COLUMNS = ["Template", "Language", "Published", "Owner", "Description"];

export function TemplatesTable({ templates, published }: Props) {
  return (
    <ListTable caption="Templates" columns={COLUMNS}>
      {templates.map((template) => (
        <tr key={template.id} data-template={template.name}>
          <th scope="row">
            <span className="primary">{template.displayName || template.name}</span>
            {template.displayName !== "" && <span className="secondary">{template.name}</span>}
          </th>
          <td>{LANGUAGE_LABELS[template.language]}</td>
          <td>{publishedText(published.get(template.id))}</td>
          <td>{template.ownerTenantId === "" ? "the platform" : "this tenant"}</td>
          <td>{template.description}</td>
        </tr>
      ))}
    </ListTable>
  );
}

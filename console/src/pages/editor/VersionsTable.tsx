import { type TemplateVersion, VersionState } from "../../api/platform";
import { ListTable } from "../../components/ListTable";
import { when } from "../../components/when";

interface Props {
  readonly versions: readonly TemplateVersion[];
  readonly onSelect: (version: number) => void;
}

const COLUMNS = ["Version", "State", "Created", "Published", "Content hash"];

/** The template's versions, newest first: state, content hash, who made and published each. */
export function VersionsTable({ versions, onSelect }: Props) {
  return (
    <ListTable caption="Versions" columns={COLUMNS}>
      {versions.map((v) => (
        <tr key={v.version} data-version={v.version}>
          <th scope="row">
            <button type="button" className="link-button" onClick={() => onSelect(v.version)}>
              v{v.version}
            </button>
          </th>
          <td>{VersionState[v.state].toLowerCase()}</td>
          <td>
            {when(v.createdAt)} by {v.createdBy}
          </td>
          <td>{v.publishedAt === undefined ? "" : `${when(v.publishedAt)} by ${v.publishedBy}`}</td>
          <td>
            <code className="hash">{v.contentHash}</code>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Link } from "react-router";
import type { Template, TenantStack } from "../../api/platform";
import { stackPath } from "../../app/routes";
import { ListTable } from "../../components/ListTable";
import { StatusBadge } from "../../components/StatusBadge";

interface Props {
  readonly stacks: readonly TenantStack[];
  readonly templates: ReadonlyMap<string, Template>;
}

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const COLUMNS = ["Stack", "Status", "Template", "Last deployed", "Problem"];

export function StacksTable({ stacks, templates }: Props) {
  return (
    <ListTable caption="Stacks" columns={COLUMNS}>
      {stacks.map((stack) => (
        <tr key={stack.id} data-stack={stack.name}>
          <th scope="row">
            <Link to={stackPath(stack.name)}>{stack.name}</Link>
          </th>
          <td>
            <StatusBadge status={stack.status} />
          </td>
          <td>
            {templates.get(stack.templateId)?.name ?? stack.templateId} v{stack.templateVersion}
          </td>
          <td>{stack.deployedAt === undefined ? "never" : WHEN.format(timestampDate(stack.deployedAt))}</td>
          <td>{stack.error}</td>
        </tr>
      ))}
    </ListTable>
  );
}

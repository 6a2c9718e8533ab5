import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ListTable } from "../../components/ListTable";
import { limitsText } from "../../components/limits-text";

interface Props {
  readonly schema: JsonObject | undefined;
}

/** What a parameter's schema limits it to, in a few words. */
function constraints(property: JsonObject): string {
  const parts = limitsText({
    minimum: property.minimum,
    maximum: property.maximum,
    values: property.enum,
    pattern: property.pattern,
  });
  if (property.writeOnly === true) parts.push("secret");
  return parts.join("; ");
}

function shown(value: JsonValue | undefined): string {
  return value === undefined ? "" : JSON.stringify(value);
}

const COLUMNS = ["Name", "Type", "Description", "Default", "Constraints"];

/** The version's parameters: name, type, description, default and constraints. */
export function ParametersPanel({ schema }: Props) {
  const properties = Object.entries((schema?.properties ?? {}) as Record<string, JsonObject>);
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  if (properties.length === 0) return <p className="notice">This version takes no parameters.</p>;
  return (
    <ListTable caption="Parameters" columns={COLUMNS}>
      {properties.map(([name, property]) => (
        <tr key={name} data-parameter={name}>
          <th scope="row">
            {name}
            {required.has(name) && " (required)"}
          </th>
          <td>{typeof property.type === "string" ? property.type : shown(property.type)}</td>
          <td>{typeof property.description === "string" ? property.description : ""}</td>
          <td>{shown(property.default)}</td>
          <td>{constraints(property)}</td>
        </tr>
      ))}
    </ListTable>
  );
}

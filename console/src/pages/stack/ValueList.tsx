import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/** How the service writes a value it never returns: a secret output or parameter. */
const SECRET_MARKER = "[secret]";

interface Props {
  readonly label: string;
  readonly values: JsonObject | undefined;
  readonly empty: string;
}

/** A stack's outputs or parameters, by name; a secret shows as the service's marker, marked as one. */
export function ValueList({ label, values, empty }: Props) {
  const entries = Object.entries(values ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="notice">{empty}</p>;
  return (
    <dl className="values" aria-label={label}>
      {entries.map(([name, value]) => (
        <div key={name} data-value={name}>
          <dt>{name}</dt>
          <dd>
            {value === SECRET_MARKER ? (
              <span className="secret" title="A secret: the service never returns its value">
                {SECRET_MARKER}
              </span>
            ) : (
              <code>{text(value)}</code>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function text(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

import type { ReactNode } from "react";

interface Props {
  /** Names the table for screen readers; the page's heading already shows it. */
  readonly caption: string;
  readonly columns: readonly string[];
  /** The rows: each starts with a `<th scope="row">`, the name of what it lists. */
  readonly children: ReactNode;
}

export function ListTable({ caption, columns, children }: Props) {
  return (
    <table className="list">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

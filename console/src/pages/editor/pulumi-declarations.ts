/**
 * The Pulumi SDK's type declarations (@pulumi/pulumi, the version the service checks templates
 * against), by their path in the package: bundled into the editor's lazy chunk at build time, so
 * that the editor checks a template's TypeScript with no request to anywhere. The generated
 * protobuf code and the vendored TypeScript are left out: no template imports them.
 */
const files = import.meta.glob<string>(
  [
    "../../../../node_modules/@pulumi/pulumi/**/*.d.ts",
    "!../../../../node_modules/@pulumi/pulumi/node_modules/**",
    "!../../../../node_modules/@pulumi/pulumi/proto/**",
    "!../../../../node_modules/@pulumi/pulumi/vendor/**",
    "!../../../../node_modules/@pulumi/pulumi/tests/**",
  ],
  { eager: true, query: "?raw", import: "default" },
);

const PREFIX = "node_modules/@pulumi/pulumi/";

export const PULUMI_DECLARATIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(files).map(([path, text]) => [path.slice(path.indexOf(PREFIX) + PREFIX.length), text]),
);

/**
 * A YAML program's head: its configuration (a kubeconfig, a namespace and `config`'s lines), the
 * Kubernetes provider and a ConfigMap `settings` of `colour` in the namespace.
 */
const withSettings = (name: string, colour: string, config: readonly string[] = []) => [
  `name: ${name}`,
  "runtime: yaml",
  "config:",
  "  kubeconfig:",
  "    type: string",
  "  namespace:",
  "    type: string",
  ...config,
  "resources:",
  "  cluster:",
  "    type: pulumi:providers:kubernetes",
  "    properties:",
  "      kubeconfig: ${kubeconfig}",
  "  settings:",
  "    type: kubernetes:core/v1:ConfigMap",
  "    properties:",
  "      metadata:",
  "        name: settings",
  "        namespace: ${namespace}",
  "      data:",
  `        colour: ${colour}`,
  "    options:",
  "      provider: ${cluster}",
];

/**
 * A Deployment `app` the test cluster (it runs no deployment controller) never makes ready, with
 * lines of its own `metadata` and `options`.
 */
const unreadyDeployment = (metadata: readonly string[], options: readonly string[]) => [
  "  app:",
  "    type: kubernetes:apps/v1:Deployment",
  "    properties:",
  "      metadata:",
  "        name: app",
  "        namespace: ${namespace}",
  ...metadata,
  "      spec:",
  "        selector:",
  "          matchLabels:",
  "            app: app",
  "        template:",
  "          metadata:",
  "            labels:",
  "              app: app",
  "          spec:",
  "            containers:",
  "              - name: app",
  "                image: registry.invalid/app:1",
  "    options:",
  "      provider: ${cluster}",
  ...options,
];

const KUBERNETES_PARAMETERS = {
  kubeconfig: { type: "string", writeOnly: true },
  namespace: { type: "string" },
};

/**
 * A template whose up fails after it created something: a ConfigMap, then a Deployment that can
 * never become ready within its create timeout (`5s`, say). Its preview passes; only the up
 * fails, half done — what compensation is for.
 */
export const halfDoneTemplate = (createTimeout: string) => ({
  files: {
    "Pulumi.yaml": [
      ...withSettings("half-done", "blue"),
      ...unreadyDeployment(
        [],
        [
          "      dependsOn:",
          "        - ${settings}",
          "      customTimeouts:",
          `        create: ${createTimeout}`,
        ],
      ),
      "",
    ].join("\n"),
  },
  dependencies: {},
  parameters: {
    type: "object",
    properties: KUBERNETES_PARAMETERS,
    required: ["kubeconfig", "namespace"],
  },
});

/**
 * Two versions of one template for upgrades. Version 1 makes the ConfigMap (`colour: blue`);
 * version 2 turns it green and adds the Deployment that never becomes ready: its up succeeds only
 * for a stack whose `skipAwait` parameter is true (the provider then does not wait), and fails
 * after 5 s for one whose is false — one failing stack among good ones, with nothing but a
 * parameter between them.
 */
export const colourTemplate = (version: 1 | 2) => ({
  files: {
    "Pulumi.yaml": [
      ...withSettings("colours", version === 1 ? "blue" : "green", ["  skipAwait:", "    type: boolean"]),
      ...(version === 1
        ? []
        : unreadyDeployment(
            [
              "        annotations:",
              "          pulumi.com/skipAwait:",
              "            fn::toJSON: ${skipAwait}",
            ],
            ["      customTimeouts:", "        create: 5s"],
          )),
      "",
    ].join("\n"),
  },
  dependencies: {},
  parameters: {
    type: "object",
    properties: { ...KUBERNETES_PARAMETERS, skipAwait: { type: "boolean", default: true } },
    required: ["kubeconfig", "namespace"],
  },
});

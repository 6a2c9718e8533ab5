import type { TemplateConstraint } from "../../catalog/constraints";
import type { ParameterSchema } from "../../catalog/parameter-schema";

/** The catalogue as the service stores it. Times are epoch milliseconds. */

export const TEMPLATE_LANGUAGES = ["typescript", "python", "yaml"] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export function isTemplateLanguage(value: unknown): value is TemplateLanguage {
  return typeof value === "string" && (TEMPLATE_LANGUAGES as readonly string[]).includes(value);
}

export interface Template {
  readonly id: string;
  readonly name: string;
  /** null: the provider's template, offered to every tenant; else the tenant that owns it. */
  readonly ownerTenantId: string | null;
  readonly displayName: string;
  readonly description: string;
  readonly language: TemplateLanguage;
  /** A template the platform itself relies on: only a Provider Admin may change or delete it. */
  readonly system: boolean;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly deletedAt: number | null;
  /** The newest published version (deprecated ones do not count); null when none is. */
  readonly latestPublished: number | null;
}

/** What a version is made of: the program, what it installs, and the parameters it takes. */
export interface TemplateSource {
  /** The program's files by relative path (Pulumi.yaml included). */
  readonly files: Readonly<Record<string, string>>;
  /** Packages and their versions: npm for TypeScript, PyPI for Python, none for YAML. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly parameters: ParameterSchema;
}

export const VERSION_STATES = ["draft", "published", "deprecated"] as const;
export type VersionState = (typeof VERSION_STATES)[number];

export interface TemplateVersion extends TemplateSource {
  readonly templateId: string;
  readonly version: number;
  readonly state: VersionState;
  /** Set when published; the version's content never changes after. */
  readonly contentHash: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly publishedAt: number | null;
  readonly publishedBy: string | null;
}

export interface ConstraintRecord {
  readonly templateId: string;
  readonly tenantId: string;
  readonly constraint: TemplateConstraint;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

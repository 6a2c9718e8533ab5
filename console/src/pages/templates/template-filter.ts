import { Language, type Template } from "../../api/platform";

export const LANGUAGES = {
  typescript: Language.TYPESCRIPT,
  python: Language.PYTHON,
  yaml: Language.YAML,
} as const;
export type LanguageChoice = keyof typeof LANGUAGES | "all";
export type PublishedChoice = "all" | "published" | "unpublished";
/** Whose template: the platform's (offered to every tenant) or the tenant's own. */
export type OwnerChoice = "all" | "platform" | "tenant";

export interface TemplateFilter {
  readonly search: string;
  readonly language: LanguageChoice;
  readonly published: PublishedChoice;
  readonly owner: OwnerChoice;
}

export const LANGUAGE_LABELS: Record<Language, string> = {
  [Language.UNSPECIFIED]: "—",
  [Language.TYPESCRIPT]: "TypeScript",
  [Language.PYTHON]: "Python",
  [Language.YAML]: "Pulumi YAML",
};

/** The filter as the page's URL carries it, so that a filtered list can be reloaded and shared. */
export function filterFromParams(params: URLSearchParams): TemplateFilter {
  const language = params.get("language");
  const published = params.get("published");
  const owner = params.get("owner");
  return {
    search: params.get("q") ?? "",
    language: language !== null && language in LANGUAGES ? (language as LanguageChoice) : "all",
    published: published === "published" || published === "unpublished" ? published : "all",
    owner: owner === "platform" || owner === "tenant" ? owner : "all",
  };
}

export function paramsFromFilter(filter: TemplateFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.search !== "") params.set("q", filter.search);
  if (filter.language !== "all") params.set("language", filter.language);
  if (filter.published !== "all") params.set("published", filter.published);
  if (filter.owner !== "all") params.set("owner", filter.owner);
  return params;
}

/** The templates the filter lets through; publishing is read from each template's `latestPublished` (0: none). */
export function filterTemplates(templates: readonly Template[], filter: TemplateFilter): Template[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  return templates.filter((template) => {
    const text = `${template.name} ${template.displayName} ${template.description}`.toLowerCase();
    if (!words.every((word) => text.includes(word))) return false;
    if (filter.language !== "all" && template.language !== LANGUAGES[filter.language]) return false;
    if (filter.owner !== "all" && (template.ownerTenantId === "") !== (filter.owner === "platform"))
      return false;
    if (filter.published === "all") return true;
    return filter.published === "published" ? template.latestPublished > 0 : template.latestPublished === 0;
  });
}

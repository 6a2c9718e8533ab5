import type { LanguageChoice, OwnerChoice, PublishedChoice, TemplateFilter } from "./template-filter";

interface Props {
  readonly filter: TemplateFilter;
  readonly onChange: (filter: TemplateFilter) => void;
}

const LANGUAGE_OPTIONS: Record<LanguageChoice, string> = {
  all: "All languages",
  typescript: "TypeScript",
  python: "Python",
  yaml: "Pulumi YAML",
};
const PUBLISHED_OPTIONS: Record<PublishedChoice, string> = {
  all: "Published or not",
  published: "Published",
  unpublished: "Not published yet",
};
const OWNER_OPTIONS: Record<OwnerChoice, string> = {
  all: "Any owner",
  platform: "The platform (every tenant)",
  tenant: "This tenant's own",
};

/** Search and the filters; every change is applied at once. */
export function TemplateFilters({ filter, onChange }: Props) {
  return (
    <search className="filters" aria-label="Filter templates">
      <label>
        Search
        <input
          type="search"
          value={filter.search}
          placeholder="name or description"
          onChange={(event) => onChange({ ...filter, search: event.target.value })}
        />
      </label>
      <Choice
        label="Language"
        options={LANGUAGE_OPTIONS}
        value={filter.language}
        onChange={(language) => onChange({ ...filter, language })}
      />
      <Choice
        label="Published"
        options={PUBLISHED_OPTIONS}
        value={filter.published}
        onChange={(published) => onChange({ ...filter, published })}
      />
      <Choice
        label="Owner"
        options={OWNER_OPTIONS}
        value={filter.owner}
        onChange={(owner) => onChange({ ...filter, owner })}
      />
    </search>
  );
}

interface ChoiceProps<T extends string> {
  readonly label: string;
  /** Value → what the option says, in the order shown. */
  readonly options: Readonly<Record<T, string>>;
  readonly value: T;
  readonly onChange: (value: T) => void;
}

function Choice<T extends string>({ label, options, value, onChange }: ChoiceProps<T>) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value as T)}>
        {(Object.entries(options) as [T, string][]).map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

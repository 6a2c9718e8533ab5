import type { LanguageChoice, OwnerChoice, PublishedChoice, TemplateFilter } from "./template-filter";

interface Props {
  readonly filter: TemplateFilter;
  readonly onChange: (filter: TemplateFilter) => void;
}

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
      <label>
        Language
        <select
          value={filter.language}
          onChange={(event) => onChange({ ...filter, language: event.target.value as LanguageChoice })}
        >
          <option value="all">All languages</option>
          <option value="typescript">TypeScript</option>
          <option value="python">Python</option>
          <option value="yaml">Pulumi YAML</option>
        </select>
      </label>
      <label>
        Published
        <select
          value={filter.published}
          onChange={(event) => onChange({ ...filter, published: event.target.value as PublishedChoice })}
        >
          <option value="all">Published or not</option>
          <option value="published">Published</option>
          <option value="unpublished">Not published yet</option>
        </select>
      </label>
      <label>
        Owner
        <select
          value={filter.owner}
          onChange={(event) => onChange({ ...filter, owner: event.target.value as OwnerChoice })}
        >
          <option value="all">Any owner</option>
          <option value="platform">The platform (every tenant)</option>
          <option value="tenant">This tenant's own</option>
        </select>
      </label>
    </search>
  );
}

import { writeFileSync } from "node:fs";
import { PUBLISHED_SCHEMA_PATH, publishedSchemaText } from "../src/jobs/config/published-schema";

// npm runs scripts from the package root, where PUBLISHED_SCHEMA_PATH is relative to.
writeFileSync(PUBLISHED_SCHEMA_PATH, publishedSchemaText());
console.log(`wrote ${PUBLISHED_SCHEMA_PATH}`);

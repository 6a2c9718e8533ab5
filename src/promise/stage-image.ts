/**
 * The contract between the generated Promise and the stage image (Dockerfile): where the image
 * keeps the component schema and which commands start the two stages. One place, so the
 * generator, the Dockerfile test and the end-to-end test agree.
 */
export const IMAGE_SCHEMA_PATH = "/stackwright/schema.json";
export const PROGRAM_STAGE_COMMAND = "stackwright-program-stage";
export const STACK_STAGE_COMMAND = "stackwright-stack-stage";
export const DEFAULT_STAGE_IMAGE = "ghcr.io/stackwright/stackwright-stage:latest";

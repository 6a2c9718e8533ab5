# The Stackwright stage image: one image, two entry points, for the two containers of the
# workflow that `stackwright init pulumi-component-promise` generates:
#   stackwright-program-stage   the Program container (request -> program.yaml)
#   stackwright-stack-stage     the Stack container   (request -> stack.yaml)
#
#   docker build --build-arg SCHEMA=path/to/schema.json --tag <registry>/stackwright-stage:<tag> .
#
# SCHEMA is the component's Pulumi package schema, baked in at /stackwright/schema.json (the path
# the generated Promise gives PULUMI_SCHEMA_SOURCE); a Promise whose schema is an https:// URL
# ignores it.
#
# The stages are bundled with their production dependencies into one file each (npm run build),
# so the final image holds Node.js, the two bundles and the schema, and nothing else.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --no-save --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npx tsc -p tsconfig.build.json && npm run --silent bundle:stages

FROM node:24-bookworm-slim
ARG SCHEMA=schema.json
WORKDIR /app
COPY --from=build /src/dist/stages stages
COPY ${SCHEMA} /stackwright/schema.json
RUN chmod 0755 stages/program-stage.js stages/stack-stage.js \
 && ln -s /app/stages/program-stage.js /usr/local/bin/stackwright-program-stage \
 && ln -s /app/stages/stack-stage.js /usr/local/bin/stackwright-stack-stage
# Kratix mounts /kratix/input and /kratix/output; the stages need nothing else writable.
USER node
ENV NODE_ENV=production

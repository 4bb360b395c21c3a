# Zhuyun (筑云): one image for the server (with the built dashboard), its CLI and the collector agent.
#   docker build -t zhuyun .
#   docker run -p 8080:8080 -v zhuyun-data:/var/lib/zhuyun -e ZHUYUN_SIMULATE=1 zhuyun
# docs/DEPLOY.md has the environment and the compose set-up (docker-compose.yml).

# --- build: every dependency, then `npm run build` (protocol, collectors, server with swc; dashboard with vite)
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 ship prebuilt binaries; the toolchain is for when none fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY collectors/package.json collectors/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production dependencies of the Node workspaces only (not the dashboard's: it is served
# built), native modules built here, on the runtime's Debian and Node
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY collectors/package.json collectors/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
RUN npm ci --omit=dev --no-audit --no-fund -w server -w collectors -w protocol && npm cache clean --force

# --- runtime: node, production node_modules, the built dist directories and dashboard/dist; no sources, no toolchain
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ZHUYUN_DATA_DIR=/var/lib/zhuyun \
    LOG_LEVEL=info
COPY --from=deps --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/protocol/package.json ./protocol/package.json
COPY --from=build --chown=root:root /app/protocol/dist ./protocol/dist
COPY --from=build --chown=root:root /app/collectors/package.json ./collectors/package.json
COPY --from=build --chown=root:root /app/collectors/dist ./collectors/dist
COPY --from=build --chown=root:root /app/server/package.json ./server/package.json
COPY --from=build --chown=root:root /app/server/dist ./server/dist
COPY --from=build --chown=root:root /app/server/seed ./server/seed
COPY --from=build --chown=root:root /app/dashboard/package.json ./dashboard/package.json
COPY --from=build --chown=root:root /app/dashboard/dist ./dashboard/dist
COPY --chown=root:root deploy/fleet.sh ./deploy/fleet.sh
# The code belongs to root and is read-only for the service; only the data dir is the service's.
RUN mkdir -p /var/lib/zhuyun && chown node:node /var/lib/zhuyun
USER node
VOLUME /var/lib/zhuyun
EXPOSE 8080
# /healthz: the process answers (readiness, with the stores, is /readyz for the proxy and orchestrators).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/dist/main.js"]

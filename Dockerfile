# One image for the server (with the built dashboard) and the collector agent.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY collectors/package.json collectors/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ZHUYUN_DATA_DIR=/var/lib/zhuyun PORT=8080
COPY --from=build /app /app
VOLUME /var/lib/zhuyun
EXPOSE 8080
CMD ["node", "server/dist/main.js"]

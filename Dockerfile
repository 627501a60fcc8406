# One image, five commands: `python -m services.<name>` (see docker-compose.yml).

# Browser assets of the dashboard (chart.js, swagger-ui) come from the npm registry.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY shopflow ./shopflow
COPY services ./services
# The dbt project: the transformer builds it, the API serves its docs (/warehouse/docs).
COPY warehouse ./warehouse
# Editable install keeps the repo layout (the API serves /app/node_modules).
RUN pip install -e . && useradd --system --uid 10001 shopflow \
    && mkdir -p warehouse/target && chown shopflow warehouse/target
COPY --from=assets /app/node_modules ./node_modules
USER shopflow
EXPOSE 8000 9100
CMD ["shopflow", "--help"]

# One image, five commands: `python -m services.<name>` (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY shopflow ./shopflow
COPY services ./services
RUN pip install . && useradd --system --uid 10001 shopflow
USER shopflow
EXPOSE 8000 9100
CMD ["shopflow", "--help"]

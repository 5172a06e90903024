# One image for web and worker; they differ only by command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MODERATO_INSTANCE_PATH=/var/lib/moderato
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY worker ./worker
COPY models ./models
RUN pip install --no-cache-dir '.[postgres]' \
 && useradd --system --home /var/lib/moderato moderato \
 && mkdir -p /var/lib/moderato && chown moderato /var/lib/moderato
USER moderato
EXPOSE 8000
# `moderato web` checks the settings (one line on a bad one), then execs gunicorn.
CMD ["moderato", "web", "--bind", "0.0.0.0:8000", "--workers", "2"]

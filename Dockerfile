# The production image: gunicorn serving Django; the same image runs the migration, the Celery
# worker and beat (docker-compose.yml). Only the runtime dependencies, each checked by its hash
# (requirements-runtime.lock; the development lock with the test tools is requirements.lock).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint's libraries (Pango, HarfBuzz) and a font for PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements-runtime.lock .
RUN pip install --require-hashes --no-deps -r requirements-runtime.lock
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home /app fellowship \
 && mkdir -p /data/media && chown fellowship /data/media
USER fellowship
ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/static
EXPOSE 8000
CMD ["gunicorn", "fellowship.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

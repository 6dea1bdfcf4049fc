# Production image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py compiletranslations \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home roi && mkdir -p /app/var && chown -R roi /app/var
USER roi
EXPOSE 8000
CMD ["gunicorn", "roi_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

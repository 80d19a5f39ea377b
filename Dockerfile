# One image for web, workers, beat and flower. Every process starts through the interpreter from /app so the
# project's `platform` package is found before the standard module (see README, "Design notes").
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# prusa-slicer: the slicing worker's slicer and its vendor profiles (/usr/share/PrusaSlicer/profiles).
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 libspatialindex-c6 prusa-slicer \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN python -m pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python scripts/fetch_assets.py \
    && DJANGO_SETTINGS_MODULE=platform.settings.production DJANGO_SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
       DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 makernet && mkdir -p /app/var && chown -R makernet /app/var
USER makernet
EXPOSE 8000
CMD ["python", "-m", "gunicorn", "platform.wsgi:application", "--bind", "0.0.0.0:8000"]

# The web app and API under gunicorn. Also runs the one-shot migration
# (`probeops db upgrade`) in compose.yml. Build from the repository root:
#   docker build -f docker/webapp.Dockerfile -t probeops-webapp .
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir "uv==0.13.*"
WORKDIR /src
COPY . .
RUN sh docker/install.sh core store worker webapp

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin probeops
COPY --from=build /opt/probeops /opt/probeops
COPY docker/gunicorn.conf.py /etc/probeops/gunicorn.conf.py
ENV PATH=/opt/probeops/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PROBEOPS_PROFILE=production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/probeops-metrics
USER probeops
EXPOSE 8000
CMD ["gunicorn", "-c", "/etc/probeops/gunicorn.conf.py"]

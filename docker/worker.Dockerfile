# `probeops worker`: runs measurement jobs from Redis. Traceroute and MTR
# need raw sockets: the interpreter gets the single capability CAP_NET_RAW
# (compose.yml adds it to the container), so the worker runs as a plain user.
#   docker build -f docker/worker.Dockerfile -t probeops-worker .
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir "uv==0.13.*"
WORKDIR /src
COPY . .
RUN sh docker/install.sh core store worker

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_raw+ep "$(readlink -f /usr/local/bin/python3.11)" \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin probeops
COPY --from=build /opt/probeops /opt/probeops
ENV PATH=/opt/probeops/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PROBEOPS_PROFILE=production \
    PROBEOPS_WORKER_HEALTH=0.0.0.0:9101
USER probeops
EXPOSE 9101
CMD ["probeops", "worker"]

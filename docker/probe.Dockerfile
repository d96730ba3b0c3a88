# The probe agent (`probeops-probe`): the diagnostic plugins without the
# database drivers or the web framework, reporting to the API over HTTPS.
# Like the worker, it holds CAP_NET_RAW only, as a plain user.
#   docker build -f docker/probe.Dockerfile -t probeops-probe .
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir "uv==0.13.*"
WORKDIR /src
COPY . .
RUN sh docker/install.sh core probe

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_raw+ep "$(readlink -f /usr/local/bin/python3.11)" \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/probeops --create-home \
      --shell /usr/sbin/nologin probeops
COPY --from=build /opt/probeops /opt/probeops
ENV PATH=/opt/probeops/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER probeops
WORKDIR /var/lib/probeops
CMD ["probeops-probe", "agent", "--state", "/var/lib/probeops"]

# NGINX with the ProbeOps site and the web UI's static files. The image's
# entrypoint renders /etc/nginx/templates/*.template with envsubst at start.
#   docker build -f docker/nginx.Dockerfile -t probeops-nginx .
FROM nginx:1.27-alpine
COPY nginx/probeops.conf.template /etc/nginx/templates/probeops.conf.template
COPY webapp/src/probeops_webapp/ui/static/ /srv/probeops/static/ui/
RUN rm -f /etc/nginx/conf.d/default.conf \
 && mkdir -p /var/www/acme /etc/letsencrypt
ENV PROBEOPS_SERVER_NAME=localhost \
    PROBEOPS_HTTP_LISTEN=80 \
    PROBEOPS_HTTPS_LISTEN=443 \
    PROBEOPS_PUBLIC_URL=https://localhost \
    PROBEOPS_UPSTREAM=webapp:8000 \
    PROBEOPS_TLS_DIR=/etc/letsencrypt/live/localhost \
    PROBEOPS_STATIC_URL=/static/ \
    PROBEOPS_STATIC_ROOT=/srv/probeops/static \
    PROBEOPS_ACME_ROOT=/var/www/acme \
    NGINX_ENVSUBST_FILTER=^PROBEOPS_
EXPOSE 80 443

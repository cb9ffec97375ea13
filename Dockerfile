# salesbot: `docker build -t salesbot .` then see compose.yaml (PostgreSQL included).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SALESBOT_INDEX_DIR=/data/index \
    SALESBOT_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY store ./store
RUN pip install ".[postgres]" \
    && useradd --create-home --uid 10001 salesbot \
    && mkdir -p /data && chown salesbot /data

USER salesbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["salesbot"]
CMD ["serve", "--port", "3000"]

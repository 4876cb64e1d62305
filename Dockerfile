# standards-bot: one image for the web process (Slack, Teams, scheduler) and the release step.
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=3978

RUN useradd --create-home --uid 10001 bot
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY scheduler ./scheduler
RUN pip install . && mkdir -p /app/data && chown -R bot:bot /app/data

USER bot
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request,sys; r=urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT','3978'), timeout=4); sys.exit(0 if r.status == 200 else 1)"

CMD ["standards-bot", "serve"]

# The innograph API and CLI in one image (production runs it against Neo4j: see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY api ./api
COPY viz ./viz
RUN pip install --no-cache-dir .
ENV INNOGRAPH_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
CMD ["innograph", "serve", "--host", "0.0.0.0", "--port", "8000"]

# parkland: build the release binary, then run it on a slim Debian with libpq.
FROM rust:1.95-bookworm AS build
# Node.js builds the map dashboard that build.rs embeds in the binary.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY dashboard/package.json dashboard/package-lock.json dashboard/build.mjs dashboard/
COPY dashboard/src dashboard/src
COPY src src
COPY migrations migrations
RUN cargo build --release --locked --bin parkland

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/parkland --create-home parkland
COPY --from=build /src/target/release/parkland /usr/local/bin/parkland
USER parkland
WORKDIR /var/lib/parkland
ENV PARKLAND_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/parkland/data/parkland.db
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["parkland"]
CMD ["serve"]

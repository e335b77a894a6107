# syntax=docker/dockerfile:1
# zkos-dev in a container: the L2 JSON-RPC on 3050 and the embedded L1 on 8545.
#
#   docker build -t zkos-dev .
#   docker run --rm -p 127.0.0.1:3050:3050 -p 127.0.0.1:8545:8545 zkos-dev
#
# It listens on 0.0.0.0 inside the container so the published ports reach it; the dev keys are
# public, so publish them on 127.0.0.1 only (as above). See docs/install.md.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# Only what the build reads (.dockerignore keeps the rest out): the crate, the contract artifacts
# and genesis it embeds, the init templates, and the Token artifact the bench corpus embeds.
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY state state
COPY templates templates
COPY tests/contracts/out tests/contracts/out
# The registry and target dir are build caches, so a rebuild after a source change is incremental;
# the binary is copied out of the cache mount, which is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && cp target/release/zkos-dev /usr/local/bin/zkos-dev

FROM debian:bookworm-slim
# A fixed numeric id, so `USER` needs no lookup and a host can match it on a bind mount.
RUN groupadd --gid 10001 zkos \
    && useradd --create-home --uid 10001 --gid zkos --shell /usr/sbin/nologin zkos \
    && mkdir /home/zkos/.zkos-dev \
    && chown zkos:zkos /home/zkos/.zkos-dev
COPY --from=build /usr/local/bin/zkos-dev /usr/local/bin/zkos-dev
USER 10001:10001
# The devnet is kept in ./.zkos-dev: mount a volume here to keep it across containers
# (-v zkos-dev-data:/home/zkos/.zkos-dev), or pass --ephemeral.
WORKDIR /home/zkos
EXPOSE 3050 8545
ENTRYPOINT ["zkos-dev"]
CMD ["start", "--host", "0.0.0.0"]

# The elevator binary (controller, CLI, kubectl plugin) in a small non-root image.
# Build:  docker build -t ghcr.io/elevator-dev/elevator:0.1.0 .
# Not built in this repository's CI (no container engine there); see docs/install.md.

# --- build: the official Swift image, with the two C libraries Elevator links ---
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev libyaml-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names the test targets too, so their folders come along (SwiftPM checks they exist).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# Static Swift runtime, linked by lld with packed relocations and no exported symbols (the
# script says why: about 7 MiB less resident memory).
COPY scripts/build-release.sh ./scripts/
RUN install -D -m 0755 "$(bash scripts/build-release.sh)" /out/elevator

# --- runtime: slim Debian with only what the binary loads ---
FROM debian:bookworm-slim
# libcurl4 (HTTP to the API server), libyaml-0-2 (YAML); ca-certificates for HTTPS notification
# endpoints (the API server's CA comes from the service account mount). libstdc++6 (BoringSSL of
# swift-crypto is C++) is already part of the slim image.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 libyaml-0-2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/elevator /usr/local/bin/elevator
RUN ln -s /usr/local/bin/elevator /usr/local/bin/kubectl-elevate
# The same uid/gid the chart's securityContext runs as; the root filesystem can be read-only.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/elevator"]
CMD ["controller"]

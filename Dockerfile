# syntax=docker/dockerfile:1
# fitscan's own image: built in a Rust stage, shipped alone as a static binary on scratch,
# as a numeric non-root user with an exec-form entry point. fitscan assesses this file as
# purpose-built (tests/ship.rs). Usage: docs/container.md.
#
#   docker build --build-arg FITSCAN_BUILD_COMMIT="$(git rev-parse --short HEAD)" -t fitscan .
#   docker run --rm -v "$PWD:/src:ro" fitscan scan .

# Alpine's Rust targets musl, whose binaries are static by default: the final image needs
# no libc. Pinned to an exact toolchain and Alpine release, the one CI tests with; pin the
# digest too where the registry is reachable (`docker buildx imagetools inspect`).
FROM docker.io/library/rust:1.95.0-alpine3.22 AS build
# mimalloc is C: it needs the C compiler and musl's headers. Their versions are those of the
# pinned Alpine release; nothing of this stage ships but the binary.
# hadolint ignore=DL3018
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
# Only what the build reads (Cargo.toml's `include` says the same for the crates.io package).
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
COPY targets ./targets
# .git is not in the build context (.dockerignore): `fitscan --version` takes the commit
# from this argument, or says "unknown".
ARG FITSCAN_BUILD_COMMIT=unknown
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin fitscan \
    && mkdir -p /out/tmp \
    && cp target/release/fitscan /out/fitscan

FROM scratch
ARG FITSCAN_BUILD_COMMIT=unknown
LABEL org.opencontainers.image.title="fitscan" \
      org.opencontainers.image.description="Assess workloads (VM specs, inventories, Dockerfiles, Kubernetes, Compose, VNF descriptors): platform generation, phase, roadmap, right-sizing" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.revision="${FITSCAN_BUILD_COMMIT}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.source="https://github.com/fitscan/fitscan" \
      org.opencontainers.image.documentation="https://github.com/fitscan/fitscan/blob/main/docs/container.md"
# `fitscan rules test` unpacks its fixtures under the temporary folder; scratch has none. COPY
# makes a folder with its own mode, not the source's: the owner is what makes it writable.
COPY --from=build --chown=65532:65532 /out/tmp /tmp
COPY --from=build /out/fitscan /usr/local/bin/fitscan
# Not root, by number: Kubernetes' runAsNonRoot can verify it without an /etc/passwd.
USER 65532:65532
# Mount the repository here: `docker run --rm -v "$PWD:/src:ro" fitscan scan .`
WORKDIR /src
# A command line tool that runs to completion: there is no service whose health to check.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/fitscan"]
CMD ["scan", "."]

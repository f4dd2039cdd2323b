# syntax=docker/dockerfile:1
#
# hoofprint container image: a static Go binary on distroless (no shell, no
# libc, no package manager; CA certificates and /tmp only), running as a
# non-root user. `docker run IMAGE` runs the demo against the embedded
# emulated organization; the nightly job runs `scan` (deploy/, docs/deploy.md).
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse --short HEAD) \
#     --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t hoofprint .
#
# deploy/image_test.go builds the binary with the same script and runs it in
# an empty root, since no Docker engine runs in CI.

# Base images are pinned by digest (the multi-platform index digest, so one
# pin serves amd64 and arm64). Refresh both together, e.g. with
#   crane digest golang:1.26
#   crane digest gcr.io/distroless/static-debian12:nonroot
# (or `docker buildx imagetools inspect IMAGE`), then rebuild and rerun
# `go test ./deploy/`.
#
# The builder runs on the build machine's platform and cross-compiles for the
# target (docker buildx --platform linux/amd64,linux/arm64): CGO is off, so
# no emulation is needed.
FROM --platform=$BUILDPLATFORM golang:1.26@sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# No default values: BuildKit sets TARGETOS/TARGETARCH for each --platform,
# and a default here would override it (an amd64 binary in the arm64 image:
# "exec format error" on Graviton). A legacy builder that sets neither
# leaves them empty, and Go then builds for the build machine.
# https://docs.docker.com/build/building/variables/#pre-defined-build-arguments
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=none
ARG DATE=unknown
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH VERSION=$VERSION COMMIT=$COMMIT DATE=$DATE \
	sh scripts/build.sh /out/hoofprint

# distroless static: CA certificates, tzdata, /etc/passwd with nonroot
# (65532), /tmp (root, mode 1777: distroless common/BUILD.bazel "tmp").
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /out/hoofprint /hoofprint
# Numeric, so Kubernetes runAsNonRoot and ECS can verify it without a passwd lookup.
USER 65532:65532
# Reports are written under the working directory before upload. The ECS
# task mounts a bind mount at /tmp over a read-only root filesystem; ECS
# creates such a mount 0755 owned by root, which user 65532 cannot write,
# unless the image declares a VOLUME at that path: then the mount takes the
# image directory's owner and mode (here 1777). ("Use bind mounts with
# Amazon ECS", Amazon ECS Developer Guide.) deploy/image_test.go reproduces
# that mount.
VOLUME /tmp
WORKDIR /tmp
ENTRYPOINT ["/hoofprint"]
CMD ["demo"]

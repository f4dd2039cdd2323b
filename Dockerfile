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

# The builder runs on the build machine's platform and cross-compiles for the
# target (docker buildx --platform linux/amd64,linux/arm64): CGO is off, so
# no emulation is needed.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG COMMIT=none
ARG DATE=unknown
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH VERSION=$VERSION COMMIT=$COMMIT DATE=$DATE \
	sh scripts/build.sh /out/hoofprint

# distroless static: CA certificates, tzdata, /etc/passwd with nonroot
# (65532), /tmp. Pin it by digest in production builds.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hoofprint /hoofprint
# Numeric, so Kubernetes runAsNonRoot and ECS can verify it without a passwd lookup.
USER 65532:65532
# Reports are written under the working directory before upload; /tmp is
# writable (mount a volume there when the root filesystem is read-only).
WORKDIR /tmp
ENTRYPOINT ["/hoofprint"]
CMD ["demo"]

#!/bin/sh
# Build the static hoofprint binary. The Dockerfile and the empty-root test
# (deploy/image_test.go) both call this script, so the binary tested here is
# built exactly as the image's.
#
#   VERSION=v1.2.3 COMMIT=abc1234 DATE=2026-11-27T00:00:00Z scripts/build.sh bin/hoofprint
#
# GOOS/GOARCH pass through (the Dockerfile cross-compiles for TARGETARCH).
set -eu

out=${1:?usage: scripts/build.sh OUTPUT}
cd "$(dirname "$0")/.."

VERSION=${VERSION:-0.1.0-dev}
COMMIT=${COMMIT:-none}
DATE=${DATE:-unknown}

# CGO off: no libc, so the binary runs in an image with nothing else in it.
# -trimpath: no build machine paths in the binary (reproducible, no leaks).
# -buildvcs=false: the commit comes from COMMIT; the image build has no .git.
# -s -w: no symbol table or DWARF (smaller image; stack traces keep names).
CGO_ENABLED=0 exec go build -trimpath -buildvcs=false \
	-ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
	-o "$out" ./cmd/hoofprint

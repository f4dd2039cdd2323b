#!/usr/bin/env sh
# Runs every fuzz target of a parser of outside input for FUZZTIME each
# (default 3s: 10 targets, well under two minutes with a warm build cache).
# A crash stops the script; go test writes the failing input under the
# package's testdata/fuzz/<Target>/, which is committed with the fix as a
# regression case (plain `go test` replays it).
#
# Go before 1.27 can fail a target with a bare "context deadline exceeded"
# when -fuzztime runs out while a worker is mid-call, a race in the fuzz
# coordinator with no failing input (go.dev/issue/75804). That result, and
# only when no input was written, runs the target once more.
set -eu
cd "$(dirname "$0")/.."
t="${FUZZTIME:-3s}"
inputs() { ls "$1/testdata/fuzz/$2" 2>/dev/null | wc -l; }
while read -r pkg target; do
  echo "== $pkg $target ($t)"
  before=$(inputs "$pkg" "$target")
  if out=$(go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -parallel 1 2>&1); then
    echo "$out"
    continue
  fi
  echo "$out"
  case "$out" in
  *"context deadline exceeded"*)
    if [ "$(inputs "$pkg" "$target")" = "$before" ]; then
      echo "== $pkg $target: the fuzz coordinator's deadline race (go.dev/issue/75804), no input written; once more"
      go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -parallel 1
      continue
    fi
    ;;
  esac
  exit 1
done <<'TARGETS'
./inventory FuzzDecode
./report/sarif FuzzDecode
./emulator/scenario FuzzParse
./upload FuzzParseDestination
./scanner FuzzDecodeKey
./report/internal/view FuzzParseResource
./rules FuzzConvert
./emulator FuzzParseAuthorization
./emulator FuzzDecodeChunked
./internal/termsafe FuzzEscape
TARGETS

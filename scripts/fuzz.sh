#!/usr/bin/env sh
# Runs every fuzz target of a parser of outside input for FUZZTIME each
# (default 3s: 10 targets, well under two minutes with a warm build cache).
# A crash stops the script; go test writes the failing input under the
# package's testdata/fuzz/<Target>/, which is committed with the fix as a
# regression case (plain `go test` replays it).
set -eu
cd "$(dirname "$0")/.."
t="${FUZZTIME:-3s}"
while read -r pkg target; do
  echo "== $pkg $target ($t)"
  go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -parallel 1
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

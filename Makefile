# hoofprint: build, test, lint, benchmark. `make test` is the README's test
# command and what .ci/run calls.

GO        ?= go
TOOLS     := $(CURDIR)/.tools
MULTITOOL := $(TOOLS)/node_modules/.bin/sarif-multitool
# The official SARIF validator (Microsoft's sarif-sdk), pinned.
MULTITOOL_VERSION ?= 5.7.0

# Release tags are v<semver>; between them the version says it is a development build.
VERSION ?= $(or $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null),0.1.0-dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)

.PHONY: build test test-short golden demo lint tools bench bench-scale bench-flat bench-shards fuzz clean

## build: a static binary in bin/hoofprint (as the Dockerfile builds it)
build:
	VERSION=$(VERSION) COMMIT=$(COMMIT) DATE=$(DATE) sh scripts/build.sh bin/hoofprint

## demo: scan the embedded HealthCorp organization, reports in ./hoofprint-demo
demo:
	$(GO) run ./cmd/hoofprint demo

## test: every test, the end-to-end ones against moto and the emulator included.
## Test artifacts (the HTML report's browser screenshot) go to test-output/.
test: tools
	mkdir -p test-output
	SARIF_MULTITOOL=$(MULTITOOL) $(GO) test -race -count=1 -timeout 30m -artifacts -outputdir $(CURDIR)/test-output ./...

## test-short: unit tests only (no moto, no validator)
test-short:
	$(GO) test -short ./...

## golden: rewrite the golden files (the packages that have an -update flag); review the diff before committing
GOLDEN_PKGS := ./report/sarif ./report/asff ./report/htmlreport ./report/summary ./rules
golden:
	$(GO) test -count=1 $(GOLDEN_PKGS) -update

## tools: the SARIF Multitool from npm, into .tools/ (git-ignored)
tools: $(MULTITOOL)
$(MULTITOOL):
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool@$(MULTITOOL_VERSION)
	@# npm may skip the package's own chmod of the native binary.
	chmod u+x $(TOOLS)/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true

GOLANGCI_LINT_VERSION ?= v2.15.0

## lint: gofmt, go vet, golangci-lint (.golangci.yml: staticcheck, errcheck, unused, …)
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## fuzz: every fuzz target of a parser of outside input, FUZZTIME each (default 3s)
fuzz:
	sh scripts/fuzz.sh

## bench: the benchmarks behind BENCHMARKS.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./rules/ ./emulator/... ./scanner/ ./pipeline/

## bench-scale: a whole scan of a generated organization on the emulator (its own process, 100 ms a request) by the
## real binary, then evaluate; ACCOUNTS=1000 takes over ten minutes (BENCHMARKS.md "Scale"). PROFILE="-cpuprofile
## -memprofile" adds the profiles (the CPU profiler's own memory grows with the run: compare max RSS without it)
ACCOUNTS ?= 200
PROFILE  ?=
bench-scale:
	$(GO) run ./scripts/benchscale -accounts $(ACCOUNTS) $(PROFILE)

## bench-flat: the max RSS target's comparison, 200 against 1,000 accounts: RUNS rounds of both (about 23 minutes a
## round), then every run's max RSS, the medians and how far apart they are (BENCHMARKS.md "Scale")
RUNS ?= 3
bench-flat:
	$(GO) run ./scripts/benchscale -accounts 1000,200 -runs $(RUNS)

## bench-shards: sharded runs (plan, shard processes, merge) of generated organizations of SHARD_ACCOUNTS
## accounts, 10 buckets x 100 objects each, PER_SHARD accounts a shard, only the first RUN_SHARDS shards of each size
## (0: all); plan + shards are checked against one scan where every shard runs (BENCHMARKS.md "Sharded runs")
SHARD_ACCOUNTS ?= 500,1000,2000,4000
PER_SHARD      ?= 250
RUN_SHARDS     ?= 2
bench-shards:
	$(GO) run ./scripts/benchshards -accounts $(SHARD_ACCOUNTS) -per-shard $(PER_SHARD) -run-shards $(RUN_SHARDS)

clean:
	rm -rf bin hoofprint-demo test-output

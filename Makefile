# casework — make dev runs the whole stack, make test passes the tests.
# Tools are pinned and installed into .tools/bin through the Go module proxy.

SHELL := /bin/bash
GO ?= go
TOOLS := $(CURDIR)/.tools/bin
TEMPORAL_VERSION := v1.5.1
SQLC_VERSION := v1.31.1
WORKFLOWCHECK_VERSION := v0.6.0
# Temporal's own server for make stack; keep in step with
# internal/devstack.TemporalServerVersion.
TEMPORAL_SERVER_VERSION := v1.29.1
TEMPORAL := $(TOOLS)/temporal
SQLC := $(TOOLS)/sqlc
WORKFLOWCHECK := $(TOOLS)/workflowcheck
export CASEWORK_TEMPORAL_BIN := $(TEMPORAL)

# Fuzz targets run briefly in every test run: package:target:budget. The
# budget is a count of executions (a few seconds each on a busy two-core
# machine), not a duration: with a duration Go's fuzz coordinator can race its
# own deadline and report a spurious "context deadline exceeded" failure
# (golang/go#75804, unfixed in Go 1.26), so a count keeps pass/fail
# deterministic. A real finding (a panic, a written reproducer) still fails.
# FUZZ_TIME overrides every budget for longer local runs (FUZZ_TIME=1m or
# FUZZ_TIME=500000x).
FUZZ_TARGETS := ./policy:FuzzDeadline:20000x ./policy:FuzzParsePeriod:20000x \
  ./api:FuzzDecodeStartMediation:4000x ./api:FuzzDecodeOutcome:4000x ./api:FuzzDecodeExtend:4000x ./api:FuzzDecodeDecision:4000x \
  ./api:FuzzDecodeFollowUp:4000x ./api:FuzzDecodeReason:4000x ./api:FuzzDecodePayment:4000x ./api:FuzzDecodeUrge:4000x ./api:FuzzDecodePreSettlement:4000x \
  ./api:FuzzDecodeStartEnforcement:4000x ./api:FuzzDecodeEnforcementCommands:4000x ./api:FuzzDecodeLedgerQuery:1500x ./api:FuzzDecodePublishCalendar:4000x \
  ./allocation:FuzzAllocate:10000x
FUZZ_TIME ?=

.PHONY: dev stack stack-test bench-stack bench-rearm bench-parked bench-parked-stack bench-process1 wage-long server-tools test tools postgres chromium vendor-web build generate check-generated vet workflowcheck unit fuzz faults faults-long bench openapi clean

## dev: install what is missing, then run Temporal, PostgreSQL, migrations, worker and API.
dev: tools postgres build
	./bin/casework dev

## stack: the production-shaped stack: Temporal's own server (pinned, built once) on the private PostgreSQL, worker and API.
stack: tools server-tools postgres build
	./bin/casework dev -temporal server

server-tools: $(TOOLS)/.temporal-server-$(TEMPORAL_SERVER_VERSION)

$(TOOLS)/.temporal-server-$(TEMPORAL_SERVER_VERSION):
	@echo "building Temporal server $(TEMPORAL_SERVER_VERSION) and its schema tool (from source, several minutes the first time)"
	@mkdir -p $(TOOLS)/server-build
	GOBIN=$(TOOLS)/server-build $(GO) install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION) go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION) || \
	  { echo "make: could not build the Temporal server; check that the Go module proxy is reachable (go env GOPROXY)"; exit 1; }
	mv $(TOOLS)/server-build/server $(TOOLS)/temporal-server
	mv $(TOOLS)/server-build/sql $(TOOLS)/temporal-sql-tool
	@rmdir $(TOOLS)/server-build
	@touch $@

## stack-test: Temporal's own server on PostgreSQL keeps workflows across a stop and a kill -9 (not in make test: the server takes minutes to build).
stack-test: tools server-tools postgres
	CASEWORK_STACK_TEST=1 $(GO) test ./internal/devstack -run TemporalServer -count=1 -v

## test: vet, generated-code drift, unit and integration tests on the real stack, short fuzzing.
test: tools postgres chromium check-generated vet workflowcheck unit fuzz

tools: $(TOOLS)/.temporal-$(TEMPORAL_VERSION) $(TOOLS)/.sqlc-$(SQLC_VERSION) $(TOOLS)/.workflowcheck-$(WORKFLOWCHECK_VERSION)

$(TOOLS)/.temporal-$(TEMPORAL_VERSION):
	@echo "installing Temporal CLI $(TEMPORAL_VERSION) (builds from source, about 3 minutes the first time)"
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION) || \
	  { echo "make: could not build the Temporal CLI; check that the Go module proxy is reachable (go env GOPROXY)"; exit 1; }
	@touch $@

$(TOOLS)/.sqlc-$(SQLC_VERSION):
	@echo "installing sqlc $(SQLC_VERSION) (cgo build, about 90 seconds the first time)"
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION) || \
	  { echo "make: could not build sqlc; it needs gcc for cgo (apt-get install -y gcc)"; exit 1; }
	@touch $@

$(TOOLS)/.workflowcheck-$(WORKFLOWCHECK_VERSION):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)
	@touch $@

## postgres: make sure PostgreSQL server binaries exist (installs Debian's postgresql if missing).
postgres:
	@scripts/ensure-postgres.sh

## chromium: make sure Debian's Chromium exists for the browser tests (installs it if missing).
chromium:
	@scripts/ensure-chromium.sh

## vendor-web: re-fetch the pinned browser assets in web/vendor from npm and check their checksums.
vendor-web:
	scripts/vendor-web.sh

build:
	$(GO) build -o bin/casework ./cmd/casework

## generate: regenerate sqlc code after changing db/queries or db/migrations.
generate: tools
	$(SQLC) generate

## check-generated: fail when the committed sqlc code differs from what the queries generate.
check-generated: tools
	$(SQLC) diff || { echo "make: db/dbq is out of date; run make generate and commit"; exit 1; }

vet:
	$(GO) vet ./...

## workflowcheck: no workflow code calls anything non-deterministic (time.Now, map ranges, goroutines, I/O).
workflowcheck: tools
	$(WORKFLOWCHECK) ./workflows/...

unit:
	$(GO) test -count=1 -timeout 20m ./...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$${rest##*:}; \
	  budget=$(or $(FUZZ_TIME),$$budget); \
	  echo "fuzz $$pkg $$name for $$budget"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget $$pkg; \
	done

## wage-long: a wage case of 10,000 creditors paid 1,000 times through the API for each allocation rule; every run's events and bytes as the server holds them.
wage-long: tools postgres
	CASEWORK_WAGE_CREDITORS=10000 CASEWORK_WAGE_PAYMENTS=1000 $(GO) test -count=1 -v -timeout 90m -run '^TestWageRunsStayBoundedOnTheServer$$' ./e2e/

## faults: the fault suite's short form (also part of make test): worker, API and Temporal
## killed with -9 and restarted, PostgreSQL stopped and started, while wage cases are paid.
faults: tools postgres
	$(GO) test -count=1 -v -run '^TestFaults$$' ./faults/

## faults-long: the long form: 40 cases, 6 installments each, 60 faults, 8 s per legal day (about 8 minutes).
faults-long: tools postgres
	CASEWORK_FAULTS=long $(GO) test -count=1 -v -timeout 60m -run '^TestFaults$$' ./faults/

## bench: benchmarks that print ratios and per-query figures measured in one run.
bench: tools postgres
	$(GO) test ./db/ -run '^$$' -bench . -benchtime 200x
	CASEWORK_BENCH=1 CASEWORK_BENCH_JSON=$(CURDIR)/bench.json CASEWORK_BENCH_CPUPROFILE=$(CURDIR)/bench.cpu.pprof $(GO) test -count=1 -v -timeout 60m -run '^TestBench$$' ./bench/

## bench-rearm: re-arm 10,000 open cases after a calendar publication; cases per second and the longest pause of other commands, figures in bench-rearm.json.
bench-rearm: tools postgres
	CASEWORK_BENCH_REARM=$${CASEWORK_BENCH_REARM:-10000} CASEWORK_BENCH_JSON=$(CURDIR)/bench-rearm.json $(GO) test -count=1 -v -timeout 90m -run '^TestBenchRearm$$' ./bench/

## bench-parked: 10,000 open cases parked on timers: start rate as the count grows, memory and database size, then a mass wake-up of every deadline at one instant; figures in bench-parked.json.
bench-parked: tools postgres
	CASEWORK_BENCH_PARKED=$${CASEWORK_BENCH_PARKED:-10000} CASEWORK_BENCH_JSON=$(CURDIR)/bench-parked.json $(GO) test -count=1 -v -timeout 120m -run '^TestBenchParked$$' ./bench/

## bench-parked-stack: 100,000 open cases on Temporal's own server on PostgreSQL (make stack's), the last 10,000 woken at one instant, with a CPU profile of the worker during the wake-up; figures in bench-parked-stack.json, profile in bench-parked.cpu.pprof.
bench-parked-stack: tools server-tools postgres
	CASEWORK_TEMPORAL=server CASEWORK_BENCH_PARKED=$${CASEWORK_BENCH_PARKED:-100000} CASEWORK_BENCH_JSON=$(CURDIR)/bench-parked-stack.json CASEWORK_BENCH_CPUPROFILE=$(CURDIR)/bench-parked.cpu.pprof $(GO) test -count=1 -v -timeout 240m -run '^TestBenchParked$$' ./bench/

## bench-process1: 96 whole Process 1 cases through the API under compressed time, 32 at a time; cases completed per second, figures in bench-process1.json.
bench-process1: tools postgres
	CASEWORK_BENCH_PROCESS1=$${CASEWORK_BENCH_PROCESS1:-96} CASEWORK_BENCH_JSON=$(CURDIR)/bench-process1.json $(GO) test -count=1 -v -timeout 60m -run '^TestBenchProcess1$$' ./bench/

## bench-stack: the same API-against-raw benchmark on Temporal's own server on PostgreSQL (make stack's), figures in bench-stack.json.
bench-stack: tools server-tools postgres
	CASEWORK_TEMPORAL=server CASEWORK_BENCH=1 CASEWORK_BENCH_JSON=$(CURDIR)/bench-stack.json $(GO) test -count=1 -v -timeout 60m -run '^TestBench$$' ./bench/

## openapi: print the OpenAPI document without any server.
openapi:
	@$(GO) run ./cmd/casework openapi

clean:
	rm -rf bin

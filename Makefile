# casework — make dev runs the whole stack, make test passes the tests.
# Tools are pinned and installed into .tools/bin through the Go module proxy.

SHELL := /bin/bash
GO ?= go
TOOLS := $(CURDIR)/.tools/bin
TEMPORAL_VERSION := v1.5.1
SQLC_VERSION := v1.31.1
WORKFLOWCHECK_VERSION := v0.6.0
TEMPORAL := $(TOOLS)/temporal
SQLC := $(TOOLS)/sqlc
WORKFLOWCHECK := $(TOOLS)/workflowcheck
export CASEWORK_TEMPORAL_BIN := $(TEMPORAL)

# Fuzz targets run briefly in every test run: package:target.
FUZZ_TARGETS := ./policy:FuzzDeadline ./policy:FuzzParsePeriod \
  ./api:FuzzDecodeStartMediation ./api:FuzzDecodeOutcome ./api:FuzzDecodeExtend ./api:FuzzDecodeDecision \
  ./api:FuzzDecodeFollowUp ./api:FuzzDecodeReason ./api:FuzzDecodePayment ./api:FuzzDecodeUrge \
  ./api:FuzzDecodeStartEnforcement ./api:FuzzDecodeEnforcementCommands ./api:FuzzDecodeLedgerQuery ./api:FuzzDecodePublishCalendar ./allocation:FuzzAllocate
FUZZ_TIME ?= 4s

.PHONY: dev test tools postgres build generate check-generated vet workflowcheck unit fuzz bench openapi clean

## dev: install what is missing, then run Temporal, PostgreSQL, migrations, worker and API.
dev: tools postgres build
	./bin/casework dev

## test: vet, generated-code drift, unit and integration tests on the real stack, short fuzzing.
test: tools postgres check-generated vet workflowcheck unit fuzz

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
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name for $(FUZZ_TIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) $$pkg; \
	done

## bench: benchmarks that print ratios and per-query figures measured in one run.
bench: tools postgres
	$(GO) test ./db/ -run '^$$' -bench . -benchtime 200x

## openapi: print the OpenAPI document without any server.
openapi:
	@$(GO) run ./cmd/casework openapi

clean:
	rm -rf bin

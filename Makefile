# phasecast — make targets. `make test` and `make demo` work on a fresh Debian machine with Swift.
SWIFT ?= swift
BENCH_ROWS ?= 10000000
BENCH_DIR ?= .build/bench
# The C baseline of the ingest bench, where the shared tools are present.
BASELINE_SOURCE ?= ../shared/tools/etl-baseline/etl_load.c

.PHONY: setup build test golden demo bench bench-forecast validate-cost fuzz faults lint install check-deploy clean

## setup: install the C headers phasecast links against (libsqlite3-dev, zlib1g-dev) when missing
setup:
	@missing=""; \
	[ -f /usr/include/sqlite3.h ] || missing="$$missing libsqlite3-dev"; \
	[ -f /usr/include/zlib.h ] || missing="$$missing zlib1g-dev"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

## build: debug build of the phasecast binary
build: setup
	$(SWIFT) build

## test: every test target (unit, integration, end-to-end). The views' DuckDB test uses a small
## Python environment with duckdb and its SQLite scanner from PyPI, made once under .build
## (without PyPI the test is skipped and says so).
DUCKDB_VENV ?= .build/duckdb-venv
test: setup
	@if [ ! -x $(DUCKDB_VENV)/bin/python ]; then \
		(python3 -m venv $(DUCKDB_VENV) && $(DUCKDB_VENV)/bin/pip install -q duckdb==1.5.5 \
			duckdb-extension-sqlite_scanner==1.5.5) >/dev/null 2>&1 \
		|| { rm -rf $(DUCKDB_VENV); echo "test: duckdb from PyPI not installed; the DuckDB view test is skipped"; }; fi
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## golden: rewrite the report of the fixed test fleet (Tests/Fixtures/golden) after a change meant
## to alter it; review the diff before committing
golden: setup
	$(SWIFT) build --build-tests
	PHASECAST_UPDATE_GOLDEN=1 $(SWIFT) test --skip-build --filter theReportOfAFixedFleetIsTheGoldenOne

## demo: release build, then Pipelines/demo.toml: 180 days of synthetic logs of four models, loaded,
## forecast, planned and reported under Reports/demo/<date>/. Exit 65 is expected: the demo's logs
## include a truncated file, which the report lists under data quality.
demo: setup
	$(SWIFT) build -c release --product phasecast
	@status=0; .build/release/phasecast run Pipelines/demo.toml || status=$$?; \
	if [ $$status -ne 0 ] && [ $$status -ne 65 ]; then exit $$status; fi; \
	echo "demo: done (exit $$status; 65 means the planted truncated log was found and reported)"

## validate-cost: the cost model against the published measurements of
## Pipelines/seeds/measurements.csv, leave-one-source-out (docs/cost-model.md)
validate-cost: setup
	$(SWIFT) build -c release --product phasecast
	.build/release/phasecast cost --validate

## bench: release build, then ingest speed against gzip -dc and the C baseline (BENCH_ROWS rows),
## measured by phasecast-bench (not shipped) on the phasecast binary beside it
bench: setup
	$(SWIFT) build -c release --product phasecast
	$(SWIFT) build -c release --product phasecast-bench
	.build/release/phasecast-bench --rows $(BENCH_ROWS) --dir $(BENCH_DIR) --baseline-source $(BASELINE_SOURCE)

## bench-forecast: release build, then `phasecast backtest --models auto` against statsforecast and
## Prophet on the forecast yardstick's sets (Tests/ForecastBench/README.md): MASE, OWA, interval
## coverage and CPU per series-window, tune and holdout parts; then the lowest MASE any forecaster
## could reach on the synthetic daily set (synthetic_floor.py). Needs the yardstick folder
## (FORECAST_BENCH) and PyPI for the peers' Python environment, made once under .build.
FORECAST_BENCH ?= ../shared/tools/forecast-bench
FORECAST_VENV ?= .build/forecast-venv
bench-forecast: setup
	@if [ ! -f $(FORECAST_BENCH)/bench.py ]; then \
		echo "bench-forecast: no yardstick at $(FORECAST_BENCH) (set FORECAST_BENCH=…); nothing measured"; exit 1; fi
	$(SWIFT) build -c release --product phasecast
	@if [ ! -x $(FORECAST_VENV)/bin/python ]; then \
		python3 -m venv $(FORECAST_VENV) && \
		$(FORECAST_VENV)/bin/pip install -q statsforecast statsmodels pandas prophet; fi
	python3 Tests/ForecastBench/forecast_bench.py --yardstick $(FORECAST_BENCH) \
		--python $(FORECAST_VENV)/bin/python --phasecast .build/release/phasecast --work .build/forecast-bench
	$(FORECAST_VENV)/bin/python Tests/ForecastBench/synthetic_floor.py --yardstick $(FORECAST_BENCH) \
		--work .build/forecast-floor

## fuzz: libFuzzer on the log parsers and the pipeline-file parser, FUZZ_SECONDS each (default 60);
## prints executions and crashes per target and fails on a crash
FUZZ_SECONDS ?= 60
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Tests/Fuzz/run-fuzz.sh

## faults: the fault suite against the real binary (Sources/PhasecastFaults): FAULT_TRIALS kill -9
## trials each of ingest, transform and run (default 10) whose reruns must converge to the
## uninterrupted tables and report bytes; as many rounds of two writers (a path and a symlink)
## with readers; a full disk on a small tmpfs (skipped where mounting is not permitted); the
## bad-input corpus; peak memory of ingest on files of FAULT_MEMORY_ROWS rows (default 1 M) and a
## quarter of that. Prints a table per section and fails when any trial does.
FAULT_TRIALS ?= 10
FAULT_MEMORY_ROWS ?= 1000000
faults: setup
	$(SWIFT) build --product phasecast
	$(SWIFT) build --product phasecast-faults
	.build/debug/phasecast-faults --trials $(FAULT_TRIALS) --memory-rows $(FAULT_MEMORY_ROWS) --dir .build/faults

## install: release build, then under DESTDIR/PREFIX (default /usr/local): bin/phasecast, man
## pages made from its help (share/man/man1), bash, zsh and fish completions, the systemd service
## and timer (lib/systemd/system), the example pipelines (share/phasecast/pipelines) and the cron,
## Kubernetes, Airflow and Docker examples (share/phasecast/examples)
PREFIX ?= /usr/local
DESTDIR ?=
install: setup
	$(SWIFT) build -c release --product phasecast
	rm -rf .build/man && mkdir -p .build/man
	$(SWIFT) package --allow-writing-to-directory .build/man generate-manual --multi-page --output-directory .build/man >/dev/null
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/phasecast/pipelines $(DESTDIR)$(PREFIX)/share/phasecast/examples
	install -m 755 .build/release/phasecast $(DESTDIR)$(PREFIX)/bin/phasecast
	install -m 644 $$(ls .build/man/phasecast.*1 .build/man/phasecast.1 | sort -u) $(DESTDIR)$(PREFIX)/share/man/man1/
	.build/release/phasecast --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/phasecast
	.build/release/phasecast --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_phasecast
	.build/release/phasecast --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/phasecast.fish
	for unit in deploy/systemd/*; do \
		sed 's#/usr/local/bin/phasecast#$(PREFIX)/bin/phasecast#' $$unit > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$unit); done
	install -m 644 Pipelines/*.toml $(DESTDIR)$(PREFIX)/share/phasecast/pipelines/
	install -m 644 deploy/cron/phasecast deploy/kubernetes/cronjob.yaml deploy/kubernetes/shards-job.yaml \
		deploy/kubernetes/merge-job.yaml deploy/kubernetes/fleet.toml deploy/airflow/phasecast_nightly.py \
		deploy/docker/Dockerfile $(DESTDIR)$(PREFIX)/share/phasecast/examples/

## check-deploy: the scheduling and packaging examples as far as this machine can check them: the
## Kubernetes CronJob against Kubernetes' schema (kubernetes-validate from PyPI), the Airflow DAG
## compiles, the systemd units verify, the Dockerfile's stages and entry point (linted; built
## where a container engine runs), the cron line's fields
check-deploy:
	bash deploy/check-deploy.sh

## lint: swift format's lint over the sources and tests
lint:
	$(SWIFT) format lint --recursive --strict Package.swift Sources Tests

clean:
	rm -rf .build

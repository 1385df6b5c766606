# Pictor's two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
JOBS ?= 2
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
# ccache hits across clones in other folders: paths are made relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: all deps-build deps-run deps-test deps-bench deps-fuzz build build-test run test lint format bench fuzz soak clean lambda-package

all: build

deps-build:
	@scripts/install-deps.sh build
deps-run:
	@scripts/install-deps.sh run
deps-test:
	@scripts/install-deps.sh test
deps-bench:
	@scripts/install-deps.sh bench
deps-fuzz:
	@scripts/install-deps.sh fuzz

# Release build of the binary (and the benchmarks) into build/.
build: deps-build
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DPICTOR_BUILD_TESTS=OFF >/dev/null
	@ninja -C $(BUILD_DIR) -j$(JOBS) pictor

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer, with every test.
build-test: deps-test
	@cmake -S . -B $(TEST_BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DPICTOR_SANITIZE=ON -DPICTOR_BUILD_BENCH=OFF >/dev/null
	@ninja -C $(TEST_BUILD_DIR) -j$(JOBS)

# Starts `pictor serve` on the embedded defaults, sends one prompt over HTTP and one through
# the queue, prints where both PNGs are stored, and stops the server.
run: deps-run build
	@scripts/run-demo.sh $(BUILD_DIR)/pictor

test: deps-test build build-test lint
	@cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

lint: deps-test
	@scripts/lint.sh $(TEST_BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

bench: deps-bench
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DPICTOR_BUILD_TESTS=OFF >/dev/null
	@ninja -C $(BUILD_DIR) -j$(JOBS)
	@scripts/bench.sh $(BUILD_DIR)

# SOAK_SECONDS (default 600) of mixed load and faults against the Release binary, then checks that
# every accepted job succeeded exactly once, none is stuck and memory stayed flat. Not in `test`.
soak: deps-test build
	@scripts/soak.sh $(BUILD_DIR)/pictor

# libFuzzer targets built with clang into build-fuzz/, each run for FUZZ_SECONDS (docs/FUZZING.md).
# Fails on any crash, leak or sanitizer report; reproducers stay in build-fuzz/fuzz/<target>/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_TARGETS ?=
fuzz: deps-fuzz
	@JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# build/pictor-lambda.zip: bootstrap, the binary, its shared libraries and loader (docs/LAMBDA.md).
# Reproducible: the same binary gives the same zip (SOURCE_DATE_EPOCH or the last commit's time).
lambda-package: build
	@scripts/install-deps.sh package
	@scripts/lambda-package.sh $(BUILD_DIR)/pictor $(BUILD_DIR)/pictor-lambda.zip

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(FUZZ_BUILD_DIR)

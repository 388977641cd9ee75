# AutoBlog — the two set-up commands are `make run` and `make test` (see README.md).
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps deps-test deps-bench configure configure-run build run test test-asan \
        test-tsan bench format clean install

all: build

# Packages by purpose (scripts/install-deps.sh): `make run` needs only the runtime ones.
deps:
	@bash scripts/install-deps.sh runtime
deps-test:
	@bash scripts/install-deps.sh test
deps-bench:
	@bash scripts/install-deps.sh test bench

# `make run` configures a new build dir without the tests (no GoogleTest needed) and never
# reconfigures an existing one; `make build`/`make test` switch the tests on when they are off.
# Both use the same build dir and flags, so switching recompiles nothing.
configure-run: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF $(CMAKE_FLAGS)

configure: deps-test
	@[ -f $(BUILD_DIR)/build.ninja ] && grep -qx 'BUILD_TESTING:BOOL=ON' $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: configure-run
	cmake --build $(BUILD_DIR) -j $(JOBS) --target autoblog
	./$(BUILD_DIR)/autoblog serve

test: build
	bash scripts/run-tests.sh $(BUILD_DIR)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps-test
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAUTOBLOG_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)
	bash scripts/run-tests.sh $(ASAN_DIR)

# The same suite under ThreadSanitizer (RelWithDebInfo at -O1); any report fails its test.
test-tsan: deps-test
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTOBLOG_TSAN=ON
	cmake --build $(TSAN_DIR) -j $(JOBS)
	bash scripts/run-tests.sh $(TSAN_DIR)

# PREFIX=/usr/local by default: the binary to $(PREFIX)/bin, docs to $(PREFIX)/share/doc/autoblog.
PREFIX ?= /usr/local
install: configure-run
	cmake --build $(BUILD_DIR) -j $(JOBS) --target autoblog
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# Configured again so that CMake finds Google Benchmark once deps-bench has installed it.
bench: deps-bench configure
	cmake -S . -B $(BUILD_DIR) -DBUILD_TESTING=ON > /dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)
	bash bench/run.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)

# AutoBlog — the two set-up commands are `make run` and `make test` (see README.md).
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test test-asan test-tsan bench format clean install

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/autoblog serve

test: build
	bash scripts/run-tests.sh $(BUILD_DIR)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAUTOBLOG_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)
	bash scripts/run-tests.sh $(ASAN_DIR)

# The same suite under ThreadSanitizer (RelWithDebInfo at -O1); any report fails its test.
test-tsan: deps
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTOBLOG_TSAN=ON
	cmake --build $(TSAN_DIR) -j $(JOBS)
	bash scripts/run-tests.sh $(TSAN_DIR)

# PREFIX=/usr/local by default: the binary to $(PREFIX)/bin, docs to $(PREFIX)/share/doc/autoblog.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)

# Spool: two commands do all the set-up on a fresh Debian machine.
#   make run   installs missing packages, builds (release) and serves on http://127.0.0.1:4437
#   make test  installs what tests need (PostgreSQL included), builds and runs every test,
#              the PostgreSQL ones on a throwaway cluster (scripts/with-postgres.sh)

SYSTEM_PACKAGES := libsqlite3-dev libjavascriptcoregtk-4.1-dev
TEST_PACKAGES := $(SYSTEM_PACKAGES) python3 python3-venv chromium chromium-driver iproute2 strace

.PHONY: run test build release bench deps test-deps clean

deps:
	@scripts/install-deps.sh $(SYSTEM_PACKAGES)

test-deps:
	@scripts/install-deps.sh $(TEST_PACKAGES)

build: deps
	swift build

release: deps
	swift build -c release --product spool

run: release
	.build/release/spool serve --demo

# A crash prints only the crashed thread, quickly; a hung test run fails at its
# time limit instead of holding CI.
test: export SWIFT_BACKTRACE = enable=yes,interactive=no,threads=crashed,registers=none,images=none,symbolicate=fast
test: test-deps
	swift build --build-tests
	SPOOL_REQUIRE_POSTGRES=1 timeout --kill-after=30 1800 scripts/with-postgres.sh swift test --skip-build
	timeout --kill-after=30 600 scripts/test-clients.sh
	timeout --kill-after=30 600 scripts/test-browser.sh

bench: release
	.build/release/spool bench

clean:
	rm -rf .build

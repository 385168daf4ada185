#!/usr/bin/env bash
# The whole test suite — the README's test command. Installs what it needs on
# a fresh Debian machine with Rust (zbar-tools for the independent QR decoder,
# valgrind for the C tests, chromium and node for the web page, postgresql for
# the crash intake, cargo-fuzz,
# the pinned cbindgen, python3 for the font generator), then: the C header
# and font table checks (ci/header.sh, ci/font.sh), the link-time panic
# proofs (with overflow checks on), the bare-metal builds with Debian's rustc
# 1.85 (ci/cross.sh) and the C library's static stack bound on each
# (ci/stack-bound.sh), each fuzz target for FUZZ_SECONDS (default 10), the web
# page's unit and browser tests, real Linux panic screens read in QEMU
# (ci/linux-qemu.sh, which installs its own tools), with PANICQR_KERNEL=1
# kernels built with panicqr's encoder and fitter (ci/kernel-build.sh), and
# every crate's tests (the C tests run under ASan/UBSan and valgrind from
# `cargo test`).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=""
command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# The crash intake's tests run on a real PostgreSQL server (Debian's, started
# by the tests themselves in a temporary directory; with CI=true they fail
# rather than skip when it is missing).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing="$missing postgresql"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq $missing >/dev/null
    else
        echo "ci/test.sh: missing tools: run 'sudo apt-get install -y$missing' first" >&2
        exit 1
    fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --quiet --locked cargo-fuzz
fi
# Every step runs even when an earlier one fails (a failing proof must not
# hide a failing test); the script fails at the end if any did.
failed=""
step() { "$@" || failed="$failed [$*]"; }
step bash ci/header.sh
step bash ci/font.sh
step bash ci/panic-free.sh
step bash ci/cross.sh
# After cross.sh: the C library's worst-case stack on the same five targets,
# built in cross.sh's target directory.
step bash ci/stack-bound.sh
step bash ci/fuzz.sh
step bash ci/web.sh
step bash ci/linux-qemu.sh
# panicqr inside a kernel built here (issue 11 part 4): a first build takes
# 6-17 min on 2 cores (17 min measured on shared cores) plus the toolchain:
# too long for every run.
if [ "${PANICQR_KERNEL:-}" = 1 ]; then
    step bash ci/kernel-build.sh
fi
step cargo test --release --workspace --all-features
if [ -n "$failed" ]; then
    echo "ci/test.sh: FAILED:$failed" >&2
    exit 1
fi

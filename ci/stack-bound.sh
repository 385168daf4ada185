#!/usr/bin/env bash
# Proves, by construction, a worst-case stack bound for every entry point of
# the C library as shipped (crates/ffi/capi: LTO, one codegen unit,
# panic = "abort", overflow checks on) on each bare-metal target ci/cross.sh
# builds for, with the same Debian rustc 1.85, and fails over 2,048 B (an
# NMI runs on a 4 KiB stack; the panic path gets half).
#
# The library is built with `-Z emit-stack-sizes` (LLVM writes each
# function's frame into `.stack_sizes`; the flag reaches the LTO code
# generation, so the section covers core's code too) and ci/stack-bound.py
# walks the call graph of the archive's object: the bound of an entry point
# is the largest sum of frames over its call paths (plus 8 B per call on
# x86_64, where `call` pushes the return address outside the frame); tail
# calls count as calls; memcpy, memset, memcmp and the ARM EABI helpers,
# which the kernel supplies, count as one leaf frame of EXTERN_FRAME bytes.
# Recursion, an indirect call whose target no relocation names, a function
# whose address is taken, or a frame moved by a register fails the check.
# Then the host library crates/ffi/tests/c/stack.c paints is analysed the
# same way and stack.c run on it: a painted peak above the bound (plus
# stack.c's own frames) would mean the analysis misses a path.
#
# Run after ci/cross.sh (which installs Debian's rustc-web 1.85 and llvm):
# the builds share its target/cross/panic, so `core` is not built again.
#
#   ci/stack-bound.sh [TARGET...]       (default: ci/cross.sh's five)
#   STACK_BUDGET=2048 EXTERN_FRAME=128 CROSS_DIR=target/cross STACK_HOST=1
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${STACK_BUDGET:-2048}
extern_frame=${EXTERN_FRAME:-128}
dir=${CROSS_DIR:-target/cross}/panic
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
case "$(/usr/bin/rustc --version 2>/dev/null)" in
    "rustc 1.85."*) ;;
    *) echo "stack-bound: needs Debian's rustc-web 1.85 at /usr/bin/rustc: run ci/cross.sh as root once" >&2; exit 1 ;;
esac
command -v llvm-objdump >/dev/null 2>&1 || { echo "stack-bound: needs llvm-objdump (package llvm)" >&2; exit 1; }

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf
    armv7a-none-eabi thumbv7em-none-eabihf)

debcargo() {
    env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" /usr/bin/cargo "$@"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
objects=()
for t in "${targets[@]}"; do
    # `cargo rustc` gives the flag to the library's own compilation only,
    # which with LTO is the one that generates all the code: the
    # dependencies and core keep the fingerprints of ci/cross.sh's builds.
    debcargo rustc --quiet --release -Zbuild-std=core --target "$t" --target-dir "$dir" \
        --manifest-path crates/ffi/capi/Cargo.toml --lib --crate-type staticlib -- -Z emit-stack-sizes
    mkdir -p "$work/$t"
    (cd "$work/$t" && ar x "$dir/$t/release/libpanicqr.a")
    # The LTO object (compiler_builtins stays a separate member, not analysed:
    # its functions are the external ones).
    obj=$(find "$work/$t" -name 'panicqr*.o' | head -1)
    [ -n "$obj" ] || { echo "stack-bound: no panicqr object in $dir/$t/release/libpanicqr.a" >&2; exit 1; }
    objects+=("$t=$obj")
done
python3 ci/stack-bound.py --budget "$budget" --extern-frame "$extern_frame" "${objects[@]}"

# The analysis checked against a measurement: the host library that
# crates/ffi/tests/c/stack.c paints (x86_64 Linux, rustup's toolchain, the
# same code as the C tests' target/capi: the flags below change names and
# add the section, not the code), analysed the same way (with the 128-B red
# zone Linux user space gives a leaf), then stack.c run on it. A painted peak
# above the static bound, less stack.c's own frames, means the call graph
# misses a path.
if [ "${STACK_HOST:-1}" = 1 ]; then
    host=${CROSS_DIR:-target/cross}/host
    env -u RUSTFLAGS RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C symbol-mangling-version=legacy -Z unstable-options" \
        cargo rustc --quiet --release --manifest-path crates/ffi/capi/Cargo.toml --target-dir "$host" \
        --lib --crate-type staticlib -- -Z emit-stack-sizes
    case "$host" in /*) ;; *) host="$PWD/$host" ;; esac
    mkdir -p "$work/host"
    (cd "$work/host" && ar x "$host/release/libpanicqr.a")
    obj=$(find "$work/host" -name 'panicqr*.o' | head -1)
    cc -std=c11 -Wall -Wextra -Werror -pedantic -g -O1 -I crates/ffi/include crates/ffi/tests/c/stack.c \
        "$host/release/libpanicqr.a" -lpthread -ldl -lm -o "$work/stack"
    # The C stack test's logs: the corpus' first three files together, and one more.
    cat $(find testdata/corpus -name '*.log' | LC_ALL=C sort | head -3) > "$work/three.log"
    "$work/stack" "$work/three.log" testdata/corpus/syzkaller-0004.log > "$work/painted"
    python3 ci/stack-bound.py --budget "$budget" --extern-frame "$extern_frame" --red-zone 128 \
        --painted "$work/painted" "x86_64-linux-gnu=$obj"
fi
checked="every entry point within $budget B"
[ "${STACK_HOST:-1}" != 1 ] || checked="$checked, the host bounds above stack.c's painted peaks"
echo "stack-bound: ok (${targets[*]}: $checked; $((SECONDS - start)) s)"

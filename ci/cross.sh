#!/usr/bin/env bash
# Builds the no_std crates where Linux builds them, with Debian's own Rust
# toolchain (bookworm's rustc-web 1.85, the version Debian's 7.x kernels are
# built with), and proves on each bare-metal target:
#   1. they build with rustc 1.85 (the workspace's rust-version);
#   2. no object of panicqr-qr, panicqr-report or panicqr-screen references a
#      64-bit (or 128-bit) division or floating-point helper: Linux gives Rust
#      code none of them;
#   3. link-time panic-freedom, with overflow checks on: ci/panic-check's
#      panic handler calls an undefined symbol, and after LTO no core panic
#      function may be left in the object (checked per crate).
# Targets: x86_64-unknown-none (soft-float, no SSE, as the kernel),
# aarch64-unknown-none, riscv64gc-unknown-none-elf, armv7a-none-eabi,
# thumbv7em-none-eabihf. `core` comes from Debian's rust-web-src
# (-Zbuild-std=core), nothing from rustup.
#
# Installs (as root) rustc-web, cargo-web, rust-web-src and libstd-rust-web-dev
# pinned to 1.85, and uses llvm-nm (package llvm). The rustup toolchain the
# rest of CI uses is left alone: Debian's tools are called by absolute path.
#
#   ci/cross.sh [TARGET...]     (default: all five)
#   CROSS_CRATES="qr report screen" selects the panic proofs (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."

want=1.85
if [ "$(/usr/bin/rustc --version 2>/dev/null | awk '{print $2}' | cut -d. -f1,2)" != "$want" ] ||
    [ ! -d /usr/lib/rustlib/src/rust/library/core ] || ! command -v llvm-nm >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "cross: needs Debian's rustc-web $want: run this script as root once" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt="apt-get -o DPkg::Lock::Timeout=600 -qq"
    version=$(apt-cache madison rustc-web | awk -v w="$want" '$3 ~ "^"w"\\." {print $3; exit}')
    if [ -z "$version" ]; then
        $apt update
        version=$(apt-cache madison rustc-web | awk -v w="$want" '$3 ~ "^"w"\\." {print $3; exit}')
    fi
    [ -n "$version" ] || { echo "cross: Debian offers no rustc-web $want" >&2; exit 1; }
    $apt install -y --no-install-recommends "rustc-web=$version" "cargo-web=$version" \
        "rust-web-src=$version" "libstd-rust-web-dev=$version" llvm >/dev/null
fi
rustc_v=$(/usr/bin/rustc --version)
case "$rustc_v" in
    "rustc $want."*) ;;
    *) echo "cross: /usr/bin/rustc is '$rustc_v', not $want" >&2; exit 1 ;;
esac

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf
    armv7a-none-eabi thumbv7em-none-eabihf)
crates=(${CROSS_CRATES:-qr report screen})

# Debian's toolchain by absolute path; RUSTC so /usr/bin/cargo does not pick
# up rustup's rustc from PATH. RUSTC_BOOTSTRAP for -Zbuild-std on a stable rustc.
debcargo() {
    env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" /usr/bin/cargo "$@"
}

# The helpers no object may reference. 64-bit division and modulo on 32-bit
# targets (generic and ARM EABI names); 128-bit division, modulo, multiply and
# shifts on 64-bit targets; every soft-float routine (add/sub/mul/div/neg,
# comparisons, conversions, extend/truncate, powi, ARM EABI __aeabi_f*/d*);
# the libm names core can call. 32-bit division and 64-bit shifts and multiply
# on 32-bit targets are provided by Linux and allowed.
forbidden='^(__aeabi_(ul|l)divmod|__aeabi_[fd][a-z0-9]+|__(u)?(div|mod)(di|ti)3|__(u)?divmod(di|ti)4|__(mul|mulo)ti[34]|__(ashl|ashr|lshr)ti3|__(add|sub|mul|div|neg|pow)[sdtx]f[23]|__powi[sdtx]f2|__(eq|ne|gt|ge|lt|le|unord|cmp)[sdtx]f2|__(extend|trunc)[a-z]+[sdthx]f2|__fix(uns)?[sdtx]f[sdt]i|__float(un)?[sdt]i[sdtx]f|(fmod|sqrt|floor|ceil|round|trunc|pow|exp|log|sin|cos|fma|fmin|fmax)f?)$'

# Undefined symbols of the objects in an archive whose member names match $2.
undefined() {
    local dir
    dir=$(mktemp -d)
    (cd "$dir" && ar x "$OLDPWD/$1" 2>/dev/null)
    find "$dir" -name "$2" -name '*.o' -print0 | xargs -0 -r llvm-nm -u --no-sort 2>/dev/null | awk 'NF==2 {print $2}'
    rm -rf "$dir"
}
# All symbols (defined or not) of the matching members.
symbols() {
    local dir
    dir=$(mktemp -d)
    (cd "$dir" && ar x "$OLDPWD/$1" 2>/dev/null)
    find "$dir" -name "$2" -name '*.o' -print0 | xargs -0 -r llvm-nm --no-sort 2>/dev/null | awk '{print $NF}'
    rm -rf "$dir"
}

fail=0
for t in "${targets[@]}"; do
    start=$SECONDS
    dir=target/cross
    # 1 + 2: the crates themselves (release profile: optimised, overflow checks on).
    debcargo build --quiet --release -Zbuild-std=core --target "$t" --target-dir "$dir" \
        -p panicqr-qr -p panicqr-report -p panicqr-screen
    for c in qr report screen; do
        rlib=$(ls -t "$dir/$t/release/deps/libpanicqr_$c-"*.rlib | head -1)
        bad=$(undefined "$rlib" "panicqr_$c-*" | grep -E "$forbidden" | sort -u | tr '\n' ' ' || true)
        if [ -n "$bad" ]; then
            echo "cross: FAILED: panicqr-$c on $t references $bad" >&2
            fail=1
        fi
    done
    # 3: panic-freedom of each crate's entry points after LTO, overflow checks on.
    for c in "${crates[@]}"; do
        feature=""
        [ "$c" = qr ] || feature="--features $c"
        # One target dir for the three builds: core is built once per target.
        debcargo build --quiet --release -Zbuild-std=core --target "$t" --target-dir "$dir/panic" \
            --manifest-path ci/panic-check/Cargo.toml $feature
        lib="$dir/panic/$t/release/libpanicqr_panic_check.a"
        leaks=$(symbols "$lib" 'panicqr_panic_check-*' |
            grep -E 'panicking|panic_bounds_check|slice_(start_|end_)?index|panic_const|panic_fmt|panic_nounwind' |
            sort -u | head -8 | tr '\n' ' ' || true)
        if [ -n "$leaks" ]; then
            echo "cross: FAILED: a panic path is reachable from panicqr-$c on $t: $leaks" >&2
            fail=1
        fi
        bad=$(undefined "$lib" 'panicqr_panic_check-*' | grep -E "$forbidden" | sort -u | tr '\n' ' ' || true)
        if [ -n "$bad" ]; then
            echo "cross: FAILED: linked panicqr-$c on $t references $bad" >&2
            fail=1
        fi
    done
    echo "cross: $t checked with $rustc_v ($((SECONDS - start)) s)"
done
if [ "$fail" != 0 ]; then
    exit 1
fi
echo "cross: ok (${targets[*]}: rustc $want builds, no 64-bit division or float helpers, panic-free with overflow checks)"

#!/usr/bin/env bash
# panicqr inside Linux (issue 11, part 4).
#
# Builds Debian's Linux 7.3.4 source three times from one build directory,
# with the kernel's own Rust build (Debian's rustc-web 1.85, LLVM 19, bindgen
# 0.73.2):
#   stock        drm_panic with its own QR encoder (drm_panic_qr.rs) and its
#                zlib loop;
#   panicqr      CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR=y: the zlib loop,
#                but drm_panic_qr_generate() and drm_panic_qr_max_data_size()
#                come from kernel/drm_panic_panicqr.rs, which mounts
#                crates/qr/src at its root (a drop-in);
#   panicqr-fit  also CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT=y: no zlib
#                loop, drm_panic.c makes one call to drm_panic_panicqr_build(),
#                which runs crates/report's build (fit, deflate, URL, QR),
#                mounted the same way.
# (the patch set in kernel/). Then boots each in QEMU, panics it, screendumps
# the panic screens, and asserts with ci/linux/check.mjs (zbarimg, `panicqr
# scan`, the log = the newest lines of the serial console; Linux's version,
# scale and zlib rules for the first two; for panicqr-fit, the URL is the
# one `panicqr encode` builds from the same kmsg dump). Prints code sizes
# and the three kernels side by side.
#
# Too long for every CI run (a first build is 6-17 min on 2 cores, plus the
# toolchain); ci/test.sh runs it only with PANICQR_KERNEL=1.
#
#   bash ci/kernel-build.sh
#   PANICQR_KERNEL_KEEP=DIR bash ci/kernel-build.sh   # keep screenshots, logs, results
#   PANICQR_KERNEL_JOBS=N   (make -j, default 2; the build runs under nice -n 19)
#
# Everything downloaded or built (the source package, bindgen, the kernel
# tree and build directory) lives in ${XDG_CACHE_HOME:-~/.cache}/panicqr-kernel,
# never in the repository. Host packages come from Debian (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
t_start=$SECONDS

# --- Pins -------------------------------------------------------------------
# Debian's 7.3 source package from trixie-backports: the same release as the
# stock kernel ci/linux-qemu.sh boots. sha256 from the signed Packages index,
# re-checked here so the pin holds even if the index changes.
suite=trixie-backports
src_pkg=linux-source-7.3
src_version=7.3.4-1~bpo13+1
src_sha256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
kver=7.3.4
# Debian's 7.x kernels are built with rustc 1.85, which is also the kernel's
# minimum; bookworm's rustc-web has it. LLVM >= 17 is wanted: bookworm has 19.
rust_want=1.85
llvm=19
# The kernel wants bindgen >= 0.71.1; bookworm's is too old and trixie's
# needs a newer libc, so it comes from crates.io (pinned, --locked).
bindgen_version=0.73.2
base_url="https://deb.li/panic#"
# PANICQR_LOG_SIZE in patch 0002: the kmsg dump the fit kernel hands panicqr.
fit_log_size=32768
variants=(stock panicqr panicqr-fit)
jobs=${PANICQR_KERNEL_JOBS:-2}

# The boots: "LOG: driver:WxH ..." (see ci/linux-qemu.sh). The same log and
# displays for every kernel: the edge log at the size where Linux's choice of
# version decides whether there is a code (640x480) and at three larger
# sizes, the compressible log at 640x480 and 1024x768.
boots=(
    "edge.log: bochs:640x480 virtio:800x600 bochs:1366x768 virtio:1920x1080"
    "repetitive.log: virtio:640x480 bochs:1024x768"
)

log() { printf 'kernel-build: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
# shellcheck source=ci/linux/lib.sh
. "$root/ci/linux/lib.sh"

# --- Host tools -----------------------------------------------------------------
need=()
command -v "clang-$llvm" >/dev/null 2>&1 && command -v "ld.lld-$llvm" >/dev/null 2>&1 &&
    command -v "llvm-nm-$llvm" >/dev/null 2>&1 || need+=("clang-$llvm" "lld-$llvm" "llvm-$llvm")
[ -e "/usr/lib/llvm-$llvm/lib/libclang.so" ] || need+=("libclang-$llvm-dev")
for t in flex bison bc make gcc cpio xz perl qemu-system-x86_64 pnmtopng zbarimg node; do
    command -v $t >/dev/null 2>&1 && continue
    case $t in
    xz) need+=(xz-utils) ;; qemu-system-x86_64) need+=(qemu-system-x86) ;;
    pnmtopng) need+=(netpbm) ;; zbarimg) need+=(zbar-tools) ;; node) need+=(nodejs) ;;
    *) need+=("$t") ;;
    esac
done
# Kernel build headers: libelf (objtool), OpenSSL (certificate tools).
[ -e /usr/include/libelf.h ] || need+=(libelf-dev)
[ -e /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
perl -MCompress::Raw::Zlib -e 1 >/dev/null 2>&1 || need+=(perl)
[ -s /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
# Debian's rustc 1.85 and the source of its `core` (the kernel builds core
# itself from RUST_LIB_SRC), pinned as ci/cross.sh pins them.
rust_ok() {
    [ "$(/usr/bin/rustc --version 2>/dev/null | awk '{print $2}' | cut -d. -f1,2)" = "$rust_want" ] &&
        [ -d /usr/lib/rustlib/src/rust/library/core ]
}
if [ ${#need[@]} -gt 0 ] || ! rust_ok; then
    [ "$(id -u)" = 0 ] || die "missing tools: run as root once (needs ${need[*]} and rustc-web $rust_want)"
    export DEBIAN_FRONTEND=noninteractive
    apt="apt-get -o DPkg::Lock::Timeout=600 -qq"
    $apt update
    if ! rust_ok; then
        rv=$(apt-cache madison rustc-web | awk -v w="$rust_want" '$3 ~ "^"w"\\." {print $3; exit}')
        [ -n "$rv" ] || die "Debian offers no rustc-web $rust_want"
        need+=("rustc-web=$rv" "cargo-web=$rv" "rust-web-src=$rv" "libstd-rust-web-dev=$rv")
    fi
    log "installing ${need[*]}"
    $apt install -y --no-install-recommends "${need[@]}" >/dev/null
fi
rust_ok || die "/usr/bin/rustc is not $rust_want"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/panicqr-kernel
mkdir -p "$cache/debs"
# One run at a time: the tree and build directory are shared.
exec 9>"$cache/lock"
flock 9
work=$(mktemp -d)
qpid=""
trap '[ -z "$qpid" ] || kill "$qpid" 2>/dev/null; rm -rf "$work"' EXIT

# bindgen-cli from crates.io into the cache (libclang 19 at build and run time).
bindgen=$cache/tools/bin/bindgen
if [ "$("$bindgen" --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
    log "installing bindgen-cli $bindgen_version (cargo install --locked)"
    LIBCLANG_PATH=/usr/lib/llvm-$llvm/lib nice -n 19 cargo install --quiet --locked -j "$jobs" \
        --root "$cache/tools" "bindgen-cli@$bindgen_version"
fi

# --- The source (private apt configuration, ci/linux/lib.sh) -------------------
deb="$cache/debs/${src_pkg}_${src_version//:/%3a}_all.deb"
deb_ok() { [ -f "$deb" ] && echo "$src_sha256  $deb" | sha256sum --quiet -c - >/dev/null 2>&1; }
if ! deb_ok; then
    log "fetching $src_pkg $src_version from $suite with a private apt configuration"
    apt_private "$cache/apt" "$suite"
    apt-get -qq "${apt_opts[@]}" update
    (cd "$cache/debs" && apt-get -qq "${apt_opts[@]}" download "$src_pkg=$src_version")
    deb_ok || die "$deb does not match the pinned sha256"
fi

# The tree, unpacked from the package and patched once per version of the
# patch set: a change of any patch unpacks a fresh tree (~30 s), so a patch
# is never applied twice or on top of an older one.
src=$cache/$src_pkg
stamp=$(cat "$root"/kernel/patches/*.patch | sha256sum | cut -c1-16)
if [ "$(cat "$src/.panicqr-patches" 2>/dev/null)" != "$stamp" ]; then
    log "unpacking $src_pkg and applying kernel/patches"
    rm -rf "$src" "$work/x"
    dpkg-deb -x "$deb" "$work/x"
    tar -xJf "$work/x/usr/src/$src_pkg.tar.xz" -C "$cache"
    rm -rf "$work/x"
    for p in "$root"/kernel/patches/*.patch; do
        patch -s -p1 -d "$src" < "$p" || die "$(basename "$p") does not apply"
    done
    echo "$stamp" > "$src/.panicqr-patches"
fi
if ! grep -q '^VERSION = 7$' "$src/Makefile" || ! grep -q '^SUBLEVEL = 4$' "$src/Makefile"; then
    die "$src is not $kver"
fi
# Patch 2 is a new file; copied only when it changed, so an unchanged file
# keeps its time and make does not rebuild it. Our sources are read through
# a link, never copied into the tree.
cmp -s "$root/kernel/drm_panic_panicqr.rs" "$src/drivers/gpu/drm/drm_panic_panicqr.rs" ||
    cp "$root/kernel/drm_panic_panicqr.rs" "$src/drivers/gpu/drm/drm_panic_panicqr.rs"
ln -sfn "$root/crates" "$src/drivers/gpu/drm/panicqr"

# --- Build the three kernels ------------------------------------------------------
build=$cache/build
mkdir -p "$build"
mk() {
    env -u RUSTUP_TOOLCHAIN -u RUSTFLAGS -u CARGO_TARGET_DIR nice -n 19 \
        make -s -C "$src" O="$build" LLVM=-$llvm RUSTC=/usr/bin/rustc BINDGEN="$bindgen" \
        RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library "$@"
}
mk rustavailable >/dev/null || die "the kernel's Rust toolchain check failed (make rustavailable)"
out=${PANICQR_KERNEL_KEEP:-$work/out}
mkdir -p "$out"
declare -A build_s=()
for variant in "${variants[@]}"; do
    t0=$SECONDS
    # tinyconfig plus kernel/panicqr.config plus the variant's one line. An
    # unchanged result leaves include/config alone, so nothing rebuilds.
    frag=$work/$variant.config
    cp "$root/kernel/panicqr.config" "$frag"
    case $variant in
    stock) echo '# CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR is not set' >> "$frag" ;;
    panicqr) printf '%s\n' 'CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR=y' \
        '# CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT is not set' >> "$frag" ;;
    panicqr-fit) printf '%s\n' 'CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR=y' \
        'CONFIG_DRM_PANIC_SCREEN_QR_CODE_PANICQR_FIT=y' >> "$frag" ;;
    esac
    mk tinyconfig >/dev/null
    (cd "$src" && scripts/kconfig/merge_config.sh -m -O "$build" "$build/.config" "$frag" >/dev/null)
    mk olddefconfig >/dev/null
    # Every requested setting must survive olddefconfig (a dependency that
    # is not met silently drops a symbol).
    while IFS= read -r line; do
        case $line in CONFIG_*|'# CONFIG_'*) grep -qxF "$line" "$build/.config" || die "$variant: .config lacks '$line'" ;; esac
    done < "$frag"
    log "building $variant (make -j$jobs under nice -n 19)"
    mk -j"$jobs" bzImage > "$out/build-$variant.log" 2>&1 || { tail -30 "$out/build-$variant.log" >&2; die "$variant: build failed (see $out/build-$variant.log)"; }
    build_s[$variant]=$((SECONDS - t0))
    log "$variant built in ${build_s[$variant]} s"
    mkdir -p "$out/$variant"
    cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$build/drivers/gpu/drm/drm_panic.o" "$out/$variant/"
    if [ "$variant" != stock ]; then
        # Our object as this variant built it (both panicqr variants build
        # drm_panic_panicqr.o, with and without the report modules).
        cp "$build/drivers/gpu/drm/drm_panic_panicqr.o" "$build/drivers/gpu/drm/.drm_panic_panicqr.o.cmd" "$out/$variant/"
    fi
done
release=$(mk -s kernelrelease)

# --- The kernel's Rust flags, no warnings -----------------------------------------
stock_obj=$build/drivers/gpu/drm/drm_panic_qr.o
[ -f "$stock_obj" ] || die "missing $stock_obj"
for v in panicqr panicqr-fit; do
    cmd=$(cat "$out/$v/.drm_panic_panicqr.o.cmd")
    for f in --edition=2021 -Dunsafe_op_in_unsafe_fn -Cpanic=abort -Copt-level=s -Coverflow-checks=y \
        -Wmissing_docs -Wunreachable_pub -Wrust_2018_idioms --target=; do
        case $cmd in *" $f"*) ;; *) die "$v: drm_panic_panicqr.o was not built with $f" ;; esac
    done
    # Only `core` (and the kernel crate) is available: no alloc, no std.
    case $cmd in *"--extern alloc"*|*"--extern std"*) die "$v: drm_panic_panicqr.o was given alloc or std" ;; esac
    # The file and every panicqr module it mounts compile without a warning.
    grep -E -A8 '^(warning|error)' "$out/build-$v.log" > "$work/diagnostics" || true
    if grep -q -E 'drm_panic_panicqr|drm_panic\.c|panicqr/(qr|report)' "$work/diagnostics"; then
        cat "$work/diagnostics" >&2
        die "$v: warnings in drm_panic.c, drm_panic_panicqr.rs or panicqr's sources (see $out/build-$v.log)"
    fi
done
# Our two symbols, defined by our object, and the stock encoder absent.
# (nm's output goes to files first: `nm | grep -q` under pipefail fails when
# grep stops reading early.)
for v in "${variants[@]}"; do llvm-nm-$llvm "$out/$v/vmlinux" > "$out/$v/nm.txt"; done
fit_syms="drm_panic_panicqr_build drm_panic_panicqr_workspace_size"
for v in panicqr panicqr-fit; do
    llvm-nm-$llvm --defined-only "$out/$v/drm_panic_panicqr.o" > "$work/obj.nm"
    for s in drm_panic_qr_generate drm_panic_qr_max_data_size; do
        grep -qE " T $s\$" "$work/obj.nm" || die "$v: drm_panic_panicqr.o does not define $s"
        grep -qE " T $s\$" "$out/$v/nm.txt" || die "vmlinux ($v) lacks $s"
    done
    grep -q '17drm_panic_panicqr' "$out/$v/nm.txt" || die "vmlinux ($v) has no symbol of drm_panic_panicqr"
    grep -q '12drm_panic_qr' "$out/$v/nm.txt" && die "vmlinux ($v) still has the stock encoder"
    for s in $fit_syms; do
        if [ $v = panicqr-fit ]; then
            grep -qE " T $s\$" "$out/$v/nm.txt" || die "vmlinux ($v) lacks $s"
        else
            # The encoder-only kernel mounts no report module.
            grep -qE " T $s\$" "$out/$v/nm.txt" && die "vmlinux ($v) has $s"
        fi
    done
done
# The fit kernel links panicqr's compressor and fitter, and calls no zlib.
grep -q '17drm_panic_panicqr7deflate' "$out/panicqr-fit/nm.txt" || die "vmlinux (panicqr-fit) has no deflate module"
grep -q '17drm_panic_panicqr3fit3fit' "$out/panicqr-fit/nm.txt" || die "vmlinux (panicqr-fit) has no fit::fit"
llvm-nm-$llvm --undefined-only "$out/panicqr-fit/drm_panic.o" > "$work/c.nm"
grep -q 'zlib_deflate$' "$work/c.nm" && die "drm_panic.o (panicqr-fit) still calls zlib_deflate"
grep -q 'drm_panic_panicqr_build$' "$work/c.nm" || die "drm_panic.o (panicqr-fit) does not call drm_panic_panicqr_build"
grep -q '12drm_panic_qr' "$out/stock/nm.txt" || die "vmlinux (stock) lacks the stock encoder"

# --- Code size ----------------------------------------------------------------------
# text+data+bss of each object (llvm-size, Berkeley format); and what each
# vmlinux holds of the QR code: the sum of the sizes of the symbols of that
# crate (v0-mangled names carry the crate name) and its C entry points.
size_of() { llvm-size-$llvm "$1" | awk 'NR==2 {printf "%s / %s / %s", $1, $2, $3}'; }
in_image() { # in_image VMLINUX CRATE
    llvm-nm-$llvm --print-size --size-sort --radix=d "$1" |
        awk -v c="$2" 'NF==4 && ($4 ~ c || $4 ~ /^drm_panic_(qr_generate|qr_max_data_size|panicqr_build|panicqr_workspace_size)$/) {s += $2} END {print s + 0}'
}
declare -A vt=()
for v in "${variants[@]}"; do vt[$v]=$(llvm-size-$llvm "$out/$v/vmlinux" | awk 'NR==2 {print $1}'); done
{
    echo "| | stock | panicqr (encoder) | panicqr-fit (fitter + compressor + encoder) |"
    echo "|---|---|---|---|"
    echo "| Rust object text / data / bss | $(size_of "$stock_obj") (drm_panic_qr.o) | $(size_of "$out/panicqr/drm_panic_panicqr.o") | $(size_of "$out/panicqr-fit/drm_panic_panicqr.o") |"
    echo "| drm_panic.o text / data / bss | $(size_of "$out/stock/drm_panic.o") | $(size_of "$out/panicqr/drm_panic.o") | $(size_of "$out/panicqr-fit/drm_panic.o") |"
    echo "| QR symbols in vmlinux (bytes) | $(in_image "$out/stock/vmlinux" '[0-9]+drm_panic_qr') | $(in_image "$out/panicqr/vmlinux" '[0-9]+drm_panic_panicqr') | $(in_image "$out/panicqr-fit/vmlinux" '[0-9]+drm_panic_panicqr') |"
    zl() { grep -q '^CONFIG_ZLIB_DEFLATE=y' "$out/$1/.config" && echo y || echo n; }
    echo "| CONFIG_ZLIB_DEFLATE | $(zl stock) | $(zl panicqr) | $(zl panicqr-fit) |"
    printf '| vmlinux text | %s | %s (%+d B) | %s (%+d B) |\n' "${vt[stock]}" \
        "${vt[panicqr]}" "$((vt[panicqr] - vt[stock]))" "${vt[panicqr-fit]}" "$((vt[panicqr-fit] - vt[stock]))"
} > "$out/sizes.md"
for v in "${variants[@]}"; do
    llvm-nm-$llvm --print-size --size-sort --radix=d "$out/$v/vmlinux" > "$work/p.nm"
    grep -E 'drm_panic_panicqr|drm_panic_qr' "$work/p.nm" > "$out/$v/symbols.txt" || true
done

# --- Boot each kernel, panic, read the screens ----------------------------------------
static_busybox "$cache/busybox"
logs=$work/logs
known_logs "$logs"
initrd=$work/initrd.cpio.gz
# bochs and virtio-gpu are built in: no modules to load.
make_initramfs "$initrd" "$cache/busybox/bin/busybox" "$logs"
flock -u 9
nice -n 19 cargo build --quiet --release -p panicqr-cli
target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac
panicqr_bin=$target_dir/release/panicqr
[ -x "$panicqr_bin" ] || die "no $panicqr_bin"
t_boots=$SECONDS
for variant in "${variants[@]}"; do
    boot_kernel=$out/$variant/bzImage boot_initrd=$initrd boot_out=$out/$variant boot_logs=$logs
    boots_json=""
    n=0
    for b in "${boots[@]}"; do
        n=$((n + 1))
        boot $n "${b%%:*}" "${b#*: }"
    done
    cp "$logs/edge.log" "$out/$variant/edge.log"
    fit=false
    [ "$variant" = panicqr-fit ] && fit=true
    printf '{"kernel":"%s","version":"%s (%s)","baseUrl":"%s","panicqr":"%s","edge":"edge.log","fit":%s,"fitLogSize":%d,"boots":[%s]}\n' \
        "$release" "$src_version" "$variant" "$base_url" "$panicqr_bin" "$fit" "$fit_log_size" "$boots_json" \
        > "$out/$variant/manifest.json"
    log "checking the $variant kernel's screens (ci/linux/check.mjs)"
    node ci/linux/check.mjs "$out/$variant" > "$out/$variant/check.txt" || { cat "$out/$variant/check.txt" >&2; die "$variant: check failed"; }
done
boot_s=$((SECONDS - t_boots))

# --- Side by side --------------------------------------------------------------------
# Per screen, from check.mjs's screens.json: bytes of log, QR version and
# pixels per module of each kernel. The encoder is a drop-in, so stock and
# panicqr need the same version for logs of the same length (each kernel has
# its own boot: timestamps may differ by a digit).
node - "$out" <<'EOF'
const fs = require("fs");
const dir = process.argv[2];
const read = (v) => JSON.parse(fs.readFileSync(`${dir}/${v}/screens.json`, "utf8")).screens;
const [stock, enc, fit] = [read("stock"), read("panicqr"), read("panicqr-fit")];
const n = (x) => x.toLocaleString("en-US");
const bytes = (s) => Buffer.from(s.log, "base64").length;
const cell = (s) => (s ? `${n(bytes(s))} B / v${s.version} at ${s.px} px` : "no QR");
const rows = [];
for (const f of fit) {
  const [s, e] = [stock.find((x) => x.name === f.name), enc.find((x) => x.name === f.name)];
  if (s && e && bytes(s) === bytes(e) && s.version !== e.version) {
    throw new Error(`${f.name}: stock v${s.version}, panicqr encoder v${e.version} for logs of the same length`);
  }
  const ratio = s ? `${(bytes(f) / bytes(s)).toFixed(3)}×` : "—";
  rows.push(`| ${f.name} | ${cell(s)} | ${cell(e)} | ${cell(f)} | ${ratio} |`);
}
if (fit.length < stock.length || fit.length < enc.length) throw new Error("the fit kernel read fewer screens");
const out = ["| screen | stock: log / QR | panicqr encoder: log / QR | panicqr fitter: log / QR | fitter / stock |",
  "|---|---|---|---|---|", ...rows].join("\n");
console.log(out);
fs.writeFileSync(`${dir}/compare.md`, out + "\n");
EOF
for v in "${variants[@]}"; do
    echo
    echo "== $v kernel ($release), ci/linux/check.mjs"
    sed -n '/^Summary/,$p' "$out/$v/check.txt"
done > "$out/summary.md"
echo
cat "$out/sizes.md"
log "timings: builds $(for v in "${variants[@]}"; do printf '%s %s s, ' "$v" "${build_s[$v]}"; done)${#variants[@]} x ${#boots[@]} boots + checks ${boot_s} s, total $((SECONDS - t_start)) s"
log "all checks passed"

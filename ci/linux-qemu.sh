#!/usr/bin/env bash
# Reads real Linux panic screens (issue 11, parts 1 and 2).
#
# Boots a pinned Debian kernel that has the Rust drm_panic QR code turned on
# in QEMU (TCG), writes known lines to its log, crashes it, and takes
# screenshots of the panic screen through bochs and virtio-gpu at several
# resolutions. Then asserts that `panicqr scan` reads every screenshot, that
# the log in each QR code is exactly the newest lines of the kernel log the
# serial console printed, and that the web page in Chromium shows that same
# log for the scanned URL. Finally it prints, per resolution, what Linux's
# screen carried next to what `panicqr screen` draws for the same log.
#
# Downloads (three .deb files, ~122 MB) are cached under
# ${XDG_CACHE_HOME:-~/.cache}/panicqr-linux; the system's apt sources are not
# touched (a private apt configuration reads trixie-backports). Host tools
# are installed from Debian when missing (as root).
#
#   bash ci/linux-qemu.sh            # everything
#   LINUX_QEMU_KEEP=DIR bash ci/linux-qemu.sh   # keep screenshots and logs in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# --- The pinned kernel ------------------------------------------------------
# Debian's 7.x packaging: the image is linux-binary-<abi>, the modules
# linux-modules-<abi>, System.map and config linux-base-<abi>. Its config has
# CONFIG_DRM_PANIC_SCREEN="qr_code", CONFIG_DRM_PANIC_SCREEN_QR_CODE_URL=
# "https://deb.li/panic#", CONFIG_DRM_PANIC_SCREEN_QR_VERSION=40, and bochs
# and virtio-gpu as modules (checked below, not assumed).
suite=trixie-backports
abi=7.3.4+deb13-amd64
version=7.3.4-1~bpo13+1
# package  sha256 (from the archive's signed Packages index, re-checked here
# so the pin holds even if the index changes)
pins=(
    "linux-binary-$abi 7e3248d03a84dcdda88c567aa8c4038f2e7795d2dd167b112c56f8901b6f513f"
    "linux-modules-$abi b3ea01922c9f133767a83cf6891c19b3693858ded617bf22d1e34f95382c08ea"
    "linux-base-$abi 5663505495b5c90be94af42105c7b28629802516779102dac48d5a00cc00fccf"
)
base_url="https://deb.li/panic#"

# --- The boots ----------------------------------------------------------------
# "LOG: DISPLAY..." per boot. Each boot attaches several displays and
# drm_panic draws on every one of them in the same panic (the check asserts
# they carry the same log), so one ~10 s boot gives six screenshots. A
# display is "driver:WxH": bochs is `-device bochs-display`, virtio is
# `-device virtio-gpu-pci`. Boots 1 and 2 swap the drivers, so every size is
# seen through both; boot 3 has a more compressible log (the version Linux
# needs, and so whether 640x480 gets a code, depends on it).
boots=(
    "edge.log: bochs:320x240 virtio:640x480 bochs:800x600 virtio:1366x768 bochs:1920x1080 virtio:3840x2160"
    "edge.log: virtio:320x240 bochs:640x480 virtio:800x600 bochs:1366x768 virtio:1920x1080 bochs:3840x2160"
    "repetitive.log: bochs:640x480 virtio:640x480 bochs:1024x768"
)

# shellcheck source=ci/linux/lib.sh
. "$root/ci/linux/lib.sh"
log() { printf 'linux-qemu: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# --- Host tools -----------------------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v pnmtopng >/dev/null 2>&1 || need+=(netpbm)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
perl -MCompress::Raw::Zlib -e 1 >/dev/null 2>&1 || need+=(perl)
[ -s /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        log "installing ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        die "missing tools: run 'sudo apt-get install -y ${need[*]}' first"
    fi
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/panicqr-linux
mkdir -p "$cache/debs"
# One run at a time fills the cache (other engineers' runs share it).
exec 9>"$cache/lock"
flock 9
work=$(mktemp -d)
qpid=""
trap '[ -z "$qpid" ] || kill "$qpid" 2>/dev/null; rm -rf "$work"' EXIT

# --- Fetch the kernel (private apt configuration) ------------------------------
# apt reads only $cache/apt: its own sources.list (trixie-backports, verified
# with Debian's archive keyring), lists, package cache and an empty status
# file. The system's sources, lists and dpkg database are not used.
fetch_debs() {
    apt_private "$cache/apt" "$suite"
    log "fetching $abi ($version) from $suite with a private apt configuration"
    apt-get -qq "${apt_opts[@]}" update
    local pkgs=()
    for p in "${pins[@]}"; do pkgs+=("${p%% *}=$version"); done
    (cd "$cache/debs" && apt-get -qq "${apt_opts[@]}" download "${pkgs[@]}")
}
deb_path() { echo "$cache/debs/${1}_${version//:/%3a}_amd64.deb"; }
check_debs() {
    local p name sum
    for p in "${pins[@]}"; do
        name=${p%% *}
        sum=${p##* }
        [ -f "$(deb_path "$name")" ] || return 1
        echo "$sum  $(deb_path "$name")" | sha256sum --quiet -c - >/dev/null 2>&1 || return 1
    done
}
check_debs || { fetch_debs; check_debs || die "downloaded packages do not match the pinned sha256"; }
log "kernel packages verified (sha256 pinned)"

bb="$cache/busybox/bin/busybox"
static_busybox "$cache/busybox"

# --- Unpack the kernel and the modules the displays need ------------------------
kdir="$cache/kernel-$abi"
if [ ! -f "$kdir/ok" ]; then
    rm -rf "$kdir"
    mkdir -p "$kdir"
    x="$work/unpack"
    mkdir -p "$x"
    for p in "${pins[@]}"; do dpkg-deb -x "$(deb_path "${p%% *}")" "$x"; done
    m="$x/usr/lib/modules/$abi"
    cp "$m/vmlinuz" "$m/config" "$kdir/"
    # Module closure of bochs and virtio-gpu, dependencies first, read from
    # each module's .modinfo "depends=" field (no depmod needed).
    declare -A path_of=() seen=()
    while IFS= read -r f; do
        n=$(basename "$f" .ko.xz)
        path_of[${n//-/_}]=$f
    done < <(cd "$m" && find kernel -name '*.ko.xz')
    order=()
    visit() {
        local n=${1//-/_} d
        [ -n "${seen[$n]:-}" ] && return 0
        seen[$n]=1
        [ -n "${path_of[$n]:-}" ] || die "module $n not found in linux-modules-$abi"
        for d in $(xz -dc "$m/${path_of[$n]}" | tr '\0' '\n' | grep -a '^depends=' | cut -d= -f2 | tr ',' ' '); do
            visit "$d"
        done
        order+=("$n")
    }
    visit bochs
    visit virtio_gpu
    mkdir -p "$kdir/modules"
    for n in "${order[@]}"; do
        xz -dc "$m/${path_of[$n]}" > "$kdir/modules/$n.ko"
        echo "$n.ko" >> "$kdir/modules.load"
    done
    rm -rf "$x"
    touch "$kdir/ok"
fi
# The settings this test relies on, from the package's own config.
for s in 'CONFIG_DRM_PANIC=y' 'CONFIG_DRM_PANIC_SCREEN="qr_code"' 'CONFIG_DRM_PANIC_SCREEN_QR_CODE=y' \
    "CONFIG_DRM_PANIC_SCREEN_QR_CODE_URL=\"$base_url\"" 'CONFIG_DRM_PANIC_SCREEN_QR_VERSION=40' \
    'CONFIG_DRM_BOCHS=m' 'CONFIG_DRM_VIRTIO_GPU=m' 'CONFIG_PRINTK_TIME=y'; do
    grep -qxF "$s" "$kdir/config" || die "kernel config lacks $s"
done

flock -u 9

# --- The known lines (ci/linux/lib.sh) -----------------------------------------
logs="$work/logs"
known_logs "$logs"

# --- The initramfs ---------------------------------------------------------------
initrd="$work/initrd.cpio.gz"
make_initramfs "$initrd" "$bb" "$logs" "$kdir/modules" "$kdir/modules.load"

# --- Boot, crash, screendump -----------------------------------------------------
out=${LINUX_QEMU_KEEP:-$work/out}
mkdir -p "$out"
# boot() is in ci/linux/lib.sh.
boot_kernel=$kdir/vmlinuz boot_initrd=$initrd boot_out=$out boot_logs=$logs
t_boots=$SECONDS
boots_json=""
n=0
for b in "${boots[@]}"; do
    n=$((n + 1))
    boot $n "${b%%:*}" "${b#*: }"
done
log "$n boots in $((SECONDS - t_boots)) s"

# --- Check -------------------------------------------------------------------------
cargo build --quiet --release -p panicqr-cli
cp "$logs/edge.log" "$out/edge.log"
printf '{"kernel":"%s","version":"%s","baseUrl":"%s","panicqr":"%s","edge":"edge.log","boots":[%s]}\n' \
    "$abi" "$version" "$base_url" "$root/target/release/panicqr" "$boots_json" > "$out/manifest.json"
node ci/linux/check.mjs "$out"

# --- The web page --------------------------------------------------------------------
# Every scanned URL through the decoder page in Debian's headless Chromium,
# with the playwright-core that ci/web.sh uses.
(cd web && npm ci --silent --no-audit --no-fund)
LINUX_SCREENS="$out/screens.json" node --test --test-reporter=dot web/test/linux.test.mjs
log "all checks passed in $SECONDS s"

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
    local a="$cache/apt"
    mkdir -p "$a/etc/sources.list.d" "$a/etc/preferences.d" "$a/lists/partial" "$a/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
        > "$a/etc/sources.list"
    : > "$a/status"
    local opts=(
        -o "Dir::Etc::SourceList=$a/etc/sources.list"
        -o "Dir::Etc::SourceParts=$a/etc/sources.list.d"
        -o "Dir::Etc::Preferences=$a/etc/preferences"
        -o "Dir::Etc::PreferencesParts=$a/etc/preferences.d"
        -o "Dir::State::Lists=$a/lists"
        -o "Dir::State::status=$a/status"
        -o "Dir::Cache=$a"
        -o "Dir::Cache::archives=$a/archives"
        -o "APT::Architecture=amd64"
        -o "APT::Architectures::=amd64"
        -o "APT::Sandbox::User=root"
        -o "Debug::NoLocking=1"
    )
    log "fetching $abi ($version) from $suite with a private apt configuration"
    apt-get -qq "${opts[@]}" update
    local pkgs=()
    for p in "${pins[@]}"; do pkgs+=("${p%% *}=$version"); done
    (cd "$cache/debs" && apt-get -qq "${opts[@]}" download "${pkgs[@]}")
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

# A static busybox for the initramfs, from the system's Debian release:
# downloaded, not installed (installing busybox-static would replace the
# dynamic busybox that initramfs-tools depends on).
bb="$cache/busybox/bin/busybox"
if [ ! -x "$bb" ]; then
    (cd "$work" && { apt-get download -qq busybox-static 2>/dev/null \
        || { apt-get update -qq && apt-get download -qq busybox-static; }; })
    dpkg-deb -x "$work"/busybox-static_*.deb "$cache/busybox"
    [ -x "$bb" ] || die "no busybox in busybox-static"
fi

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

# --- The known lines ------------------------------------------------------------
# Written to /dev/kmsg one line per write() (one record each) just before the
# crash (ci/linux/init), after them one record with a line break inside.
# edge.log: ASCII punctuation, a long line, non-ASCII UTF-8, bytes that are
# not UTF-8, a tab and DEL. repetitive.log: lines that compress well, as
# repetitive driver messages do, then the same (the check asserts that every
# known line is in the QR code, so they come last).
logs="$work/logs"
mkdir -p "$logs"
{
    printf 'panicqr: ascii %s\n' "0123456789 ~!@#\$%^&*()_+{}|:\"<>?[]\\;',./\`"
    # 26 x 36 = 936 letters: a line far longer than any screen is wide, below
    # the 1,024-byte limit of one /dev/kmsg write.
    printf 'panicqr: long %s\n' "$(printf 'abcdefghijklmnopqrstuvwxyz%.0s' $(seq 1 36))"
    printf 'panicqr: utf-8 Grüße, καλημέρα, Привет, 日本語, 🐧 ✓\n'
    # Not UTF-8: lone 0xff/0xfe, a stray continuation byte, a broken
    # two-byte sequence, a cut three-byte sequence, an overlong '/'.
    printf 'panicqr: raw \xff\xfe \x80 \xc3\x28 \xe2\x82 \xc0\xaf end\n'
    printf 'panicqr: tab\there, DEL \x7f\n'
    # Lines that hardly compress (like a register or "Code:" dump), from a
    # fixed seed: they put this log's zlib stream near 2,700 bytes, so Linux
    # needs version 39 or 40 whatever the boot messages around it (without
    # them the stream varied from 2,563 to 2,660 bytes between boots, across
    # the version 38/39 border that decides 640x480).
    RANDOM=11
    b64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
    for i in 1 2 3 4; do
        line=""
        for _ in $(seq 1 64); do line+=${b64:RANDOM%64:1}; done
        printf 'panicqr: noise %d %s\n' "$i" "$line"
    done
    for i in $(seq 1 12); do
        printf 'panicqr: line %02d of the known log: the quick brown fox jumps %d times\n' "$i" "$((i * i))"
    done
} > "$logs/edge.log"
{
    for i in $(seq 1 60); do
        printf 'panicqr: usb 1-1: device descriptor read/64, error -71 (try %d)\n' "$i"
    done
    cat "$logs/edge.log"
} > "$logs/repetitive.log"

# --- The initramfs ---------------------------------------------------------------
initrd="$work/initrd.cpio.gz"
(
    r="$work/initramfs"
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/lib/modules"
    cp "$bb" "$r/bin/busybox"
    ln -s busybox "$r/bin/sh"
    cp "$root/ci/linux/init" "$r/init"
    chmod 755 "$r/init"
    cp "$logs"/*.log "$r/"
    cp "$kdir/modules/"*.ko "$r/lib/modules/"
    cp "$kdir/modules.load" "$r/modules.load"
    cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > "$initrd"
)

# --- Boot, crash, screendump -----------------------------------------------------
out=${LINUX_QEMU_KEEP:-$work/out}
mkdir -p "$out"
# One QMP command and its answer (events in between are skipped).
qmp() {
    local line
    printf '%s\n' "$1" >&5
    while IFS= read -r -t 60 line <&4; do
        case $line in
        *'"return"'*) return 0 ;;
        *'"error"'*) die "QMP $1: $line" ;;
        esac
    done
    die "QMP $1: no answer"
}
boot() { # boot NUMBER LOG "driver:WxH ..."
    local n=$1 known=$2 displays=$3 dev=() names=() d drv res w h i=0 mon="$work/mon$1" json=""
    for d in $displays; do
        drv=${d%%:*} res=${d#*:} w=${res%x*} h=${res#*x}
        case $drv in
        # 64 MiB of VRAM holds a 3840x2160 XRGB8888 framebuffer.
        # xmax/ymax: without them the EDID offers larger modes and fbdev
        # may pick one (3840x2160 came up as 5120x2160).
        bochs) dev+=(-device "bochs-display,id=d$i,xres=$w,yres=$h,xmax=$w,ymax=$h,vgamem=64M") ;;
        virtio) dev+=(-device "virtio-gpu-pci,id=d$i,xres=$w,yres=$h") ;;
        *) die "unknown display $d" ;;
        esac
        names+=("b$n-$drv-${w}x$h")
        json+="${json:+,}{\"name\":\"b$n-$drv-${w}x$h\",\"driver\":\"$drv\",\"w\":$w,\"h\":$h}"
        i=$((i + 1))
    done
    mkfifo "$mon.in" "$mon.out"
    local serial="$out/boot$n.serial" t0=$SECONDS
    # TCG (nested KVM fails here); no firmware console on the serial port
    # beyond what the kernel prints; panic=0: stay on the panic screen.
    qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 -nodefaults -no-user-config \
        -display none -vga none "${dev[@]}" \
        -kernel "$kdir/vmlinuz" -initrd "$initrd" \
        -append "console=ttyS0 ignore_loglevel printk.devkmsg=on panic=0 panicqr.displays=$i panicqr.log=$known" \
        -serial "file:$serial" -chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=control \
        >"$out/boot$n.qemu" 2>&1 &
    qpid=$!
    exec 5>"$mon.in" 4<"$mon.out"
    qmp '{"execute":"qmp_capabilities"}'
    # drm_panic draws from panic()'s kmsg dump, before panic() prints its
    # last line.
    local k=0
    until grep -q -- '---\[ end Kernel panic' "$serial" 2>/dev/null; do
        kill -0 $qpid 2>/dev/null || die "boot $n: QEMU exited (see $out/boot$n.qemu)"
        [ $k -lt 1800 ] || { kill $qpid; die "boot $n: no panic within 180 s (see $serial)"; }
        sleep 0.1
        k=$((k + 1))
    done
    log "boot $n ($displays): panicked after $((SECONDS - t0)) s"
    i=0
    for d in "${names[@]}"; do
        qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$out/$d.ppm\",\"device\":\"d$i\"}}"
        i=$((i + 1))
    done
    qmp '{"execute":"quit"}'
    exec 4<&- 5>&-
    wait $qpid || true
    qpid=""
    cp "$logs/$known" "$out/$known"
    boots_json+="${boots_json:+,}{\"n\":$n,\"serial\":\"boot$n.serial\",\"known\":\"$known\",\"displays\":[$json]}"
}
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

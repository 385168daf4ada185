# shellcheck shell=bash
# Pieces shared by ci/linux-qemu.sh (Debian's stock kernel) and
# ci/kernel-build.sh (a kernel built with panicqr's encoder): the private apt
# configuration, the known log lines, the initramfs, and one QEMU boot that
# panics and screendumps every display. Sourced, not run; the caller sets
# `set -euo pipefail` and defines log() and die().

# apt_private DIR SUITE: sets the array `apt_opts` so that apt-get reads only
# DIR: its own sources.list (SUITE, verified with Debian's archive keyring),
# lists, package cache and an empty status file. The system's sources, lists
# and dpkg database are neither read nor written.
apt_private() {
    local a=$1 suite=$2
    mkdir -p "$a/etc/sources.list.d" "$a/etc/preferences.d" "$a/lists/partial" "$a/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
        > "$a/etc/sources.list"
    : > "$a/status"
    apt_opts=(
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
}

# static_busybox DIR: a static busybox for the initramfs at DIR/bin/busybox,
# from the system's Debian release: downloaded, not installed (installing
# busybox-static would replace the dynamic busybox that initramfs-tools
# depends on).
static_busybox() {
    local d=$1 tmp
    [ -x "$d/bin/busybox" ] && return 0
    tmp=$(mktemp -d)
    (cd "$tmp" && { apt-get download -qq busybox-static 2>/dev/null \
        || { apt-get update -qq && apt-get download -qq busybox-static; }; })
    dpkg-deb -x "$tmp"/busybox-static_*.deb "$d"
    rm -rf "$tmp"
    [ -x "$d/bin/busybox" ] || die "no busybox in busybox-static"
}

# known_logs DIR: writes DIR/edge.log and DIR/repetitive.log, the lines
# ci/linux/init writes to /dev/kmsg one record per line just before the
# crash (after them one record with a line break inside).
# edge.log: ASCII punctuation, a long line, non-ASCII UTF-8, bytes that are
# not UTF-8, a tab and DEL. repetitive.log: lines that compress well, as
# repetitive driver messages do, then the same (the check asserts that every
# known line is in the QR code, so they come last).
known_logs() {
    local logs=$1 i line b64
    mkdir -p "$logs"
    {
        printf 'panicqr: ascii %s\n' "0123456789 ~!@#\$%^&*()_+{}|:\"<>?[]\\;',./\`"
        # 26 x 36 = 936 letters: a line far longer than any screen is wide,
        # below the 1,024-byte limit of one /dev/kmsg write.
        printf 'panicqr: long %s\n' "$(printf 'abcdefghijklmnopqrstuvwxyz%.0s' $(seq 1 36))"
        printf 'panicqr: utf-8 Grüße, καλημέρα, Привет, 日本語, 🐧 ✓\n'
        # Not UTF-8: lone 0xff/0xfe, a stray continuation byte, a broken
        # two-byte sequence, a cut three-byte sequence, an overlong '/'.
        printf 'panicqr: raw \xff\xfe \x80 \xc3\x28 \xe2\x82 \xc0\xaf end\n'
        printf 'panicqr: tab\there, DEL \x7f\n'
        # Lines that hardly compress (like a register or "Code:" dump), from
        # a fixed seed: they put this log's zlib stream near 2,700 bytes, so
        # Linux needs version 39 or 40 whatever the boot messages around it
        # (without them the stream varied from 2,563 to 2,660 bytes between
        # boots, across the version 38/39 border that decides 640x480).
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
}

# make_initramfs OUT BUSYBOX LOGS [MODULE_DIR MODULES_LOAD]: a gzipped newc
# cpio with busybox, ci/linux/init as /init, the known logs, and the modules
# to insmod in order (none for a kernel with its display drivers built in:
# /modules.load is then empty).
make_initramfs() {
    local out=$1 bb=$2 logs=$3 mods=${4:-} load=${5:-} r
    r=$(mktemp -d)
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/lib/modules"
    cp "$bb" "$r/bin/busybox"
    ln -s busybox "$r/bin/sh"
    cp "$root/ci/linux/init" "$r/init"
    chmod 755 "$r/init"
    cp "$logs"/*.log "$r/"
    if [ -n "$mods" ]; then
        cp "$mods/"*.ko "$r/lib/modules/"
        cp "$load" "$r/modules.load"
    else
        : > "$r/modules.load"
    fi
    (cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > "$out")
    rm -rf "$r"
}

# One QMP command and its answer (events in between are skipped); QMP is on
# file descriptors 5 (to QEMU) and 4 (from QEMU).
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

# boot NUMBER LOG "driver:WxH ..." boots $boot_kernel with $boot_initrd in
# QEMU with those displays, waits for the panic, screendumps each display to
# $boot_out/b<N>-<driver>-<W>x<H>.ppm, keeps the serial console in
# $boot_out/boot<N>.serial, copies LOG from $boot_logs, and appends the
# boot to $boots_json (the manifest ci/linux/check.mjs reads). Uses $work
# for the monitor's pipes; $qpid is QEMU's pid while it runs (for the
# caller's EXIT trap).
boot() {
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
    rm -f "$mon.in" "$mon.out"
    mkfifo "$mon.in" "$mon.out"
    local serial="$boot_out/boot$n.serial" t0=$SECONDS
    # TCG (nested KVM fails here); no firmware console on the serial port
    # beyond what the kernel prints; panic=0: stay on the panic screen.
    qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 -nodefaults -no-user-config \
        -display none -vga none "${dev[@]}" \
        -kernel "$boot_kernel" -initrd "$boot_initrd" \
        -append "console=ttyS0 ignore_loglevel printk.devkmsg=on panic=0 panicqr.displays=$i panicqr.log=$known" \
        -serial "file:$serial" -chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=control \
        >"$boot_out/boot$n.qemu" 2>&1 &
    qpid=$!
    exec 5>"$mon.in" 4<"$mon.out"
    qmp '{"execute":"qmp_capabilities"}'
    # drm_panic draws from panic()'s kmsg dump, before panic() prints its
    # last line.
    local k=0
    until grep -q -- '---\[ end Kernel panic' "$serial" 2>/dev/null; do
        kill -0 $qpid 2>/dev/null || die "boot $n: QEMU exited (see $boot_out/boot$n.qemu)"
        [ $k -lt 1800 ] || { kill $qpid; die "boot $n: no panic within 180 s (see $serial)"; }
        sleep 0.1
        k=$((k + 1))
    done
    log "boot $n ($displays): panicked after $((SECONDS - t0)) s"
    i=0
    for d in "${names[@]}"; do
        qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$boot_out/$d.ppm\",\"device\":\"d$i\"}}"
        i=$((i + 1))
    done
    qmp '{"execute":"quit"}'
    exec 4<&- 5>&-
    wait $qpid || true
    qpid=""
    cp "$boot_logs/$known" "$boot_out/$known"
    boots_json+="${boots_json:+,}{\"n\":$n,\"serial\":\"boot$n.serial\",\"known\":\"$known\",\"displays\":[$json]}"
}

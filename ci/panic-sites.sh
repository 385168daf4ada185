#!/usr/bin/env bash
# Lists the source lines of every remaining branch to a panic in the linked,
# optimised ci/panic-check (host, overflow checks on): the tool for fixing a
# ci/panic-free.sh or ci/cross.sh failure. `ci/panic-sites.sh [report|screen]`
# links that crate's entry point too. Output: count, then the inlined frames
# from the innermost (a core frame when the check is inside core, e.g. an
# `enumerate` counter or a slice `position`) to our caller, source lines
# shortened. `RUSTC=/usr/bin/rustc ci/panic-sites.sh` uses Debian's rustc
# 1.85 (the one ci/cross.sh builds with): an older LLVM proves less, so a
# line can be clean here with rustup's compiler and not there.
#
# The panic functions' names say little: the panic handler ignores its
# message, so after LTO they are identical and LLVM merges them, and every
# branch may call one that is named, say, `panic_const_div_by_zero`.
set -euo pipefail
cd "$(dirname "$0")/.."
features=${1:+--features $1}
dir=target/panic-sites${RUSTC:+-$(basename "$RUSTC")}
RUSTFLAGS="-C debuginfo=2" cargo build --quiet --release --manifest-path ci/panic-check/Cargo.toml \
    --target-dir "$dir" $features
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/main.c" <<'C'
#include <stdint.h>
#include <stdlib.h>
uint32_t panicqr_check_encode(uint64_t seed);
void panicqr_panic_is_reachable(void) { abort(); }
int main(int argc, char **argv) { (void)argv; return (int)panicqr_check_encode((uint64_t)argc); }
C
extra=""
[ -n "${1:-}" ] && extra="-Wl,--undefined=panicqr_check_$1"
cc -O2 -g -o "$work/bin" "$work/main.c" "$dir/release/libpanicqr_panic_check.a" -Wl,--gc-sections $extra
objdump -d --no-show-raw-insn "$work/bin" > "$work/dis"
python3 - "$work/bin" "$work/dis" <<'P'
import bisect, re, subprocess, sys
binf, dis = sys.argv[1], sys.argv[2]
ins, funcs = [], []
for l in open(dis):
    m = re.match(r'\s+([0-9a-f]+):\s+(.*)', l)
    if m: ins.append((int(m.group(1), 16), m.group(2).strip()))
    f = re.match(r'([0-9a-f]+) <(.*)>:$', l)
    if f: funcs.append((int(f.group(1), 16), f.group(2)))
starts = [a for a, _ in funcs]
# Calls (and tail jumps) into core's panic functions or the handler's symbol;
# not every name containing "panic" (all of ours start with panicqr_).
panic = r'(call|jmp)\s+\S+ <\S*(core9panicking|panic_const|panic_bounds|panic_fmt|panic_is_reachable|index_len_fail|index_order_fail|len_mismatch)'
calls = set(a for a, t in ins if re.search(panic, t) and 'begin_unwind' not in t)
sites = [a for a, t in ins if (m := re.match(r'j[a-z]+\s+([0-9a-f]+) <', t)) and int(m.group(1), 16) in calls]
sites += sorted(calls)
res = {}
for a in sites:
    o = subprocess.run(['addr2line', '-i', '-f', '-C', '-e', binf, hex(a)], capture_output=True, text=True).stdout.strip().split('\n')
    fr = [re.sub(r'^.*?/(crates|ci|library)/', r'\1/', o[k + 1]) + ' ' + o[k].split('::')[-1] for k in range(0, len(o) - 1, 2)]
    first_ours = next((i for i, f in enumerate(fr) if not f.startswith('library/')), len(fr))
    key = ' <- '.join(fr[:first_ours + 2])
    if '?' in key.split(' <- ')[0]:
        # No line for the innermost frame: name the function it is in.
        i = bisect.bisect_right(starts, a) - 1
        key += '  (in ' + subprocess.run(['c++filt'], input=funcs[i][1], capture_output=True, text=True).stdout.strip() + ')'
    res[key] = res.get(key, 0) + 1
for k in sorted(res): print(res[k], k)
P

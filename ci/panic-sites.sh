#!/usr/bin/env bash
# Lists the source lines of every remaining branch to a panic in the linked,
# optimised ci/panic-check (host, overflow checks on): the tool for fixing a
# ci/panic-free.sh or ci/cross.sh failure. `ci/panic-sites.sh [report|screen]`
# links that crate's entry point too. Output: count, innermost source line of
# ours, its caller.
set -euo pipefail
cd "$(dirname "$0")/.."
features=${1:+--features $1}
RUSTFLAGS="-C debuginfo=2" cargo build --quiet --release --manifest-path ci/panic-check/Cargo.toml \
    --target-dir target/panic-sites $features
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
cc -O2 -g -o "$work/bin" "$work/main.c" target/panic-sites/release/libpanicqr_panic_check.a -Wl,--gc-sections $extra
objdump -d --no-show-raw-insn "$work/bin" > "$work/dis"
python3 - "$work/bin" "$work/dis" <<'P'
import re, subprocess, sys
binf, dis = sys.argv[1], sys.argv[2]
ins = []
for l in open(dis):
    m = re.match(r'\s+([0-9a-f]+):\s+(.*)', l)
    if m: ins.append((int(m.group(1), 16), m.group(2).strip()))
calls = set(a for a, t in ins if re.search(r'call\s+\S+ <\S*panic', t) and 'begin_unwind' not in t)
sites = [a for a, t in ins if (m := re.match(r'j[a-z]+\s+([0-9a-f]+) <', t)) and int(m.group(1), 16) in calls]
sites += sorted(calls)
res = {}
for a in sites:
    o = subprocess.run(['addr2line', '-i', '-f', '-C', '-e', binf, hex(a)], capture_output=True, text=True).stdout.strip().split('\n')
    fr = [re.sub(r'^.*?/crates/', 'crates/', o[k + 1]) + ' ' + o[k].split('::')[-1] for k in range(0, len(o) - 1, 2)]
    ours = [f for f in fr if f.startswith('crates/')]
    key = ' <- '.join(ours[:2]) if ours else fr[0]
    res[key] = res.get(key, 0) + 1
for k in sorted(res): print(res[k], k)
P

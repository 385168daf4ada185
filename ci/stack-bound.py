#!/usr/bin/env python3
"""Worst-case stack of every exported entry point of an object, by construction.

    stack-bound.py [--budget B] [--extern-frame E] [--entry REGEX] [--red-zone R]
                   [--painted FILE [--harness H]] [--loaded-targets] [-v]
                   LABEL=OBJECT...

Each OBJECT is the relocatable object of a staticlib built with
`-Z emit-stack-sizes` (LLVM's `.stack_sizes`: each function's own frame).
The call graph comes from the relocations of the code (in an unlinked object
every call to another function carries one), and from the disassembly
(`llvm-objdump`) for what carries none: calls the assembler resolved inside
a section (a function calling itself) and indirect branches. The bound of a
function is its frame, plus the return address where the call instruction
pushes it (x86), plus the largest bound among its callees; tail calls count
as calls. A callee outside the object (memcpy, memset, memcmp, the ARM EABI
helpers) counts as one leaf frame of --extern-frame bytes: the kernel
supplies its own, so no object here can bound them.

The check fails, naming the function, on: a cycle in the call graph
(recursion); an indirect call whose target cannot be named; a function
whose address is taken (then an indirect branch could reach it); a frame
.stack_sizes cannot bound (realigned, or a stack pointer moved by a
register); a reachable function with no .stack_sizes entry; an entry point
over --budget. Indirect jumps are accepted as jump tables, and an indirect
call as a call to each external function whose address the object loads
(x86_64 keeps memset's GOT address in a register for calls in a loop), only
because no function's address is taken in the object and the C API takes no
callbacks: the only code addresses in the program are then those, the
blocks the tables list, and return addresses.

--painted checks the analysis against a measurement: crates/ffi/tests/c/
stack.c's output for the same (single) object, whose painted peaks must not
exceed the bounds plus --harness (stack.c's own frames in each figure).

Prints the worst path of each entry point over budget (all with -v), a
summary per LABEL and the table; exits 1 on any failure.
"""
import argparse
import bisect
import collections
import re
import struct
import subprocess
import sys

EM_X86_64, EM_AARCH64, EM_ARM, EM_RISCV = 62, 183, 40, 243
SHF_ALLOC, SHF_WRITE, SHF_EXECINSTR = 2, 1, 4
STT_FUNC = 2

# Relocation types of direct branches (calls, tail calls, conditional
# branches to another function).
BRANCH = {
    EM_X86_64: {4},  # PLT32 (PC32 on a call or jmp is checked per instruction)
    EM_AARCH64: {279, 280, 282, 283},  # TSTBR14, CONDBR19, JUMP26, CALL26
    EM_ARM: {1, 10, 28, 29, 30, 51, 102, 103},  # PC24, THM_CALL, CALL, JUMP24, THM_JUMP24/19/11/8
    EM_RISCV: {16, 17, 18, 19, 44, 45},  # BRANCH, JAL, CALL, CALL_PLT, RVC_BRANCH, RVC_JUMP
}
# Loads of a symbol's address from the GOT: a call through one names its target.
GOT = {EM_X86_64: {9, 41, 42}, EM_AARCH64: {311, 312}, EM_ARM: {26}, EM_RISCV: {20}}
# Relocations that carry no address: RISC-V's pair to the auipc label,
# relaxation hints, label differences; ARM's BX marker.
IGNORE = {
    EM_X86_64: set(),
    EM_AARCH64: set(),
    EM_ARM: {0, 40},
    EM_RISCV: {24, 25, 51, 43} | set(range(33, 40)) | set(range(49, 50)) | set(range(52, 57)),
}
# Bytes a call instruction pushes that .stack_sizes leaves out (LLVM's figure
# is the frame the prologue allocates, callee-saved registers included; on
# the other ISAs the return address is in a register and saved inside it).
RETURN_ADDRESS = {EM_X86_64: 8, EM_AARCH64: 0, EM_ARM: 0, EM_RISCV: 0}
# Direct calls (with a link) on "mnemonic operands": the target, when no
# relocation names it, is an address in the same section (the assembler
# resolved it: a function calling itself, or another in its section).
DIRECT_CALL = {
    EM_X86_64: r'^call\w*\s+(?:0x)?([0-9a-f]+)$',
    EM_AARCH64: r'^bl\s+(?:0x)?([0-9a-f]+)$',
    EM_ARM: r'^blx?(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(?:\.w)?\s+(?:0x)?([0-9a-f]+)$',
    EM_RISCV: r'^(?:c\.)?jal\s+(?:ra,\s*)?(?:0x)?([0-9a-f]+)$',
}
# ARM's condition suffixes, and Thumb-2's width suffixes.
CONDS = 'eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al'
COND = r'(?:' + CONDS + r')?(?:\.w|\.n)?'
# What a prologue's instructions take from the stack pointer, per ISA: a
# check that .stack_sizes counts the callee-saved registers (a pattern and
# the bytes of its match).
PROLOGUE = {
    EM_X86_64: [(r'^push\w*\s', lambda m: 8),
                (r'^sub\w*\s+\$((?:0x)?[0-9a-f]+),\s*%rsp$', lambda m: int(m.group(1), 0))],
    EM_AARCH64: [(r'^st[pr]\s+[^\[]*\[sp,\s*#-(\d+)\]!$', lambda m: int(m.group(1))),
                 (r'^sub\s+sp,\s*sp,\s*#(\d+)(,\s*lsl #12)?$', lambda m: int(m.group(1)) << (12 if m.group(2) else 0))],
    EM_ARM: [(r'^push(?:\.w)?\s+\{([^}]*)\}$', lambda m: 4 * len(m.group(1).split(','))),
             (r'^vpush\s+\{([^}]*)\}$', lambda m: 8 * len(m.group(1).split(','))),
             (r'^str(?:\.w)?\s+\w+,\s*\[sp,\s*#-(\d+)\]!$', lambda m: int(m.group(1))),
             (r'^sub(?:\.w|w)?\s+sp,\s*(?:sp,\s*)?#(\d+)$', lambda m: int(m.group(1)))],
    EM_RISCV: [(r'^(?:c\.)?addi(?:16sp)?\s+sp,\s*(?:sp,\s*)?-(\d+)$', lambda m: int(m.group(1)))],
}
# Instructions that end a call sequence looking backwards: a call, a branch
# (a block boundary) or a return.
CONTROL = {
    EM_X86_64: r'^(?:call|j|ret)',
    EM_AARCH64: r'^(?:bl?r?\b|b\.|cbn?z|tbn?z|ret)',
    EM_ARM: r'^(?:bl?x?' + COND + r'\s|cbn?z|tb[bh]|pop\S*\s+\{[^}]*pc)',
    EM_RISCV: r'^(?:c\.)?(?:j|b|ret|tail|call)',
}
# The first instruction that gives stack back (an epilogue) ends a prologue.
RELEASE = {
    EM_X86_64: r'^(?:pop|add\w*\s+\S+,\s*%rsp|lea\w*\s+\S+,\s*%rsp|ret|leave)',
    EM_AARCH64: r'^(?:ldp\s+[^\[]*\[sp\],|ldr\s+[^\[]*\[sp\],|add\s+sp,|ret)',
    EM_ARM: r'^(?:pop|vpop|ldr\S*\s+\w+,\s*\[sp\],|add\S*\s+sp,|bx\S*\s+lr)',
    EM_RISCV: r'^(?:(?:c\.)?addi(?:16sp)?\s+sp,\s*(?:sp,\s*)?\d|ret)',
}
ARCH = {EM_X86_64: 'x86_64', EM_AARCH64: 'aarch64', EM_ARM: 'arm', EM_RISCV: 'riscv'}

# (indirect call, indirect jump, dynamic or realigned frame) per ISA, on
# "mnemonic operands" of llvm-objdump. The shipped code never copies a
# register into the stack pointer (no frame pointers): where it does, the
# frame was realigned or sized at run time (Thumb realigns through r4).
PATTERNS = {
    EM_X86_64: (r'^call\w*\s+\*', r'^(?:notrack\s+)?jmp\w*\s+\*',
                r'^(?:sub\w*\s+%\w+,\s*%rsp|and\w*\s+\S+,\s*%rsp|mov\w*\s+%\w+,\s*%rsp)'),
    EM_AARCH64: (r'^blr\w*\s', r'^br\w*\s', r'^(?:sub\s+sp,\s*sp,\s*x|and\s+sp,|mov\s+sp,\s*x)'),
    EM_ARM: (r'^blx' + COND + r'\s+(?:r\d+|sb|sl|fp|ip|lr|sp)\b',
             r'^(?:bx' + COND + r'\s+(?!lr\b)|tb[bh]' + COND + r'\s|(?:mov|add|ldr)' + COND + r'\s+pc,'
             r'(?!\s*\[sp\],\s*#4)|ldm\w*\s+(?!sp!)\S+,\s*\{[^}]*\bpc\})',
             r'^(?:sub' + COND + r'\s+sp,\s*sp,\s*r\d|bic\w*\s+sp,|bfc\w*\s+sp,|and\w*\s+sp,|mov' + COND
             + r'\s+sp,\s*r\d)'),
    EM_RISCV: (r'^(?:c\.)?jalr\s', r'^(?:c\.)?jr\s', r'^(?:sub\s+sp,\s*sp,|andi\s+sp,|mv\s+sp,)'),
}


class Elf:
    """The sections, symbols and relocations of a little-endian ELF object."""

    def __init__(self, path):
        d = self.data = open(path, 'rb').read()
        if d[:4] != b'\x7fELF' or d[5] != 1:
            sys.exit(f'stack-bound: {path}: not a little-endian ELF object')
        self.is64 = d[4] == 2
        hdr = '<HHIQQQIHHHHHH' if self.is64 else '<HHIIIIIHHHHHH'
        (_, self.machine, _, _, _, shoff, _, _, _, _, shentsize, shnum, shstrndx) = struct.unpack_from(hdr, d, 16)
        if self.machine not in ARCH:
            sys.exit(f'stack-bound: {path}: machine {self.machine} not supported')
        shdr = '<IIQQQQIIQQ' if self.is64 else '<IIIIIIIIII'
        self.sec = []
        for i in range(shnum):
            name, typ, flags, _, off, size, link, info, _, entsize = struct.unpack_from(shdr, d, shoff + i * shentsize)
            self.sec.append(dict(name=name, type=typ, flags=flags, off=off, size=size, link=link, info=info,
                                 entsize=entsize))
        names = self.sec[shstrndx]['off']
        for s in self.sec:
            s['name'] = self.cstr(names + s['name'])
        self.syms = []
        for s in self.sec:
            if s['type'] != 2:  # SHT_SYMTAB
                continue
            strs = self.sec[s['link']]['off']
            for j in range(s['size'] // s['entsize']):
                o = s['off'] + j * s['entsize']
                if self.is64:
                    nm, info, _, shndx, value, size = struct.unpack_from('<IBBHQQ', d, o)
                else:
                    nm, value, size, info, _, shndx = struct.unpack_from('<IIIBBH', d, o)
                self.syms.append(dict(name=self.cstr(strs + nm), bind=info >> 4, type=info & 15, shndx=shndx,
                                      value=value, size=size))
        # Relocations by the section they apply to: (offset, type, symbol, addend or None for REL).
        self.rels = collections.defaultdict(list)
        for s in self.sec:
            if s['type'] not in (4, 9):  # SHT_RELA, SHT_REL
                continue
            rela = s['type'] == 4
            for j in range(s['size'] // s['entsize']):
                o = s['off'] + j * s['entsize']
                if self.is64:
                    off, info = struct.unpack_from('<QQ', d, o)
                    add = struct.unpack_from('<q', d, o + 16)[0] if rela else None
                    sym, typ = info >> 32, info & 0xffffffff
                else:
                    off, info = struct.unpack_from('<II', d, o)
                    add = struct.unpack_from('<i', d, o + 8)[0] if rela else None
                    sym, typ = info >> 8, info & 0xff
                self.rels[s['info']].append((off, typ, sym, add))

    def cstr(self, o):
        return self.data[o:self.data.index(b'\0', o)].decode()

    def word(self, sec, off):
        fmt = '<q' if self.is64 else '<i'
        return struct.unpack_from(fmt, self.data, self.sec[sec]['off'] + off)[0]


def demangle(name):
    """Rust's legacy mangling, hash dropped: enough to read a call path."""
    m = re.match(r'^_ZN(.*)E$', name)
    if not m:
        return name
    s, parts = m.group(1), []
    while s and s[0].isdigit():
        n = re.match(r'\d+', s).group(0)
        parts.append(s[len(n):len(n) + int(n)])
        s = s[len(n) + int(n):]
    if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]):
        parts.pop()
    text = '::'.join(p[1:] if p.startswith('_$') else p for p in parts)
    for a, b in (('$LT$', '<'), ('$GT$', '>'), ('$u20$', ' '), ('$RF$', '&'), ('$C$', ','), ('$BP$', '*'),
                 ('$u5b$', '['), ('$u5d$', ']'), ('$u7b$', '{'), ('$u7d$', '}'), ('$u3b$', ';'), ('..', '::')):
        text = text.replace(a, b)
    return text


class Analysis:
    def __init__(self, path, extern_frame, entry_re, loaded_targets=False):
        self.elf = e = Elf(path)
        self.path, self.extern_frame = path, extern_frame
        self.m = e.machine
        self.problems = []
        exe = {i for i, s in enumerate(e.sec) if s['flags'] & SHF_EXECINSTR and s['flags'] & SHF_ALLOC}
        self.exe = exe
        # Functions by section: sorted (start, name); ARM's Thumb bit masked.
        mask = ~1 if self.m == EM_ARM else ~0
        self.by_sec = collections.defaultdict(list)
        for s in e.syms:
            if s['type'] == STT_FUNC and s['shndx'] in exe:
                self.by_sec[s['shndx']].append((s['value'] & mask, s['name']))
        for v in self.by_sec.values():
            v.sort()
        self.funcs = {n for v in self.by_sec.values() for _, n in v}
        self.entries = sorted(s['name'] for s in e.syms if s['type'] == STT_FUNC and s['bind'] in (1, 2)
                              and s['shndx'] in exe and re.search(entry_re, s['name']))
        self.frame = self.frames()
        self.insns = self.disassemble(path)
        self.calls = collections.defaultdict(dict)  # caller -> {callee: bytes pushed for the call}
        self.loaded, self.taken, self.loaded_targets = set(), [], loaded_targets
        self.red_zone = 0
        self.prologue, self.prologue_end = {}, {}
        self.prologues()
        self.edges()
        self.indirect()

    def func_at(self, sec, off):
        v = self.by_sec.get(sec)
        if not v:
            return None
        i = bisect.bisect_right(v, (off, '\uffff')) - 1
        return v[max(i, 0)][1]

    def target(self, si, off, typ, symi, add):
        """(function, offset in its section or None, symbol is the function's own) of a relocation."""
        e = self.elf
        s = e.syms[symi]
        if s['shndx'] == 0:
            return s['name'], None, True
        if s['shndx'] not in self.exe:
            return None, None, False
        if s['type'] == STT_FUNC:
            return self.func_at(s['shndx'], s['value'] & ~1), 0, True
        if add is None:
            return self.func_at(s['shndx'], 0), None, False
        if self.m == EM_X86_64 and typ in (2, 4):
            add += 4  # PC-relative: the addend counts from the end of the 4-byte field
        return self.func_at(s['shndx'], s['value'] + add), s['value'] + add, False

    def frames(self):
        """Each function's own frame from its .stack_sizes entry."""
        e, frame = self.elf, {}
        for i, s in enumerate(e.sec):
            if s['name'] != '.stack_sizes':
                continue
            for off, typ, symi, add in e.rels.get(i, []):
                sym = e.syms[symi]
                if add is None:
                    add = e.word(i, off)
                fn = self.func_at(sym['shndx'], (sym['value'] + add) & ~1 if self.m == EM_ARM else sym['value'] + add)
                p = s['off'] + off + (8 if e.is64 else 4)
                size, shift = 0, 0
                while True:
                    b = e.data[p]
                    size |= (b & 0x7f) << shift
                    shift += 7
                    p += 1
                    if b < 0x80:
                        break
                if fn is not None:
                    frame[fn] = max(frame.get(fn, 0), size)
        return frame

    def disassemble(self, path):
        out = subprocess.run(['llvm-objdump', '-d', '--no-show-raw-insn', path], capture_output=True, text=True,
                             check=True).stdout
        idx = {s['name']: i for i, s in enumerate(self.elf.sec) if i in self.exe}
        insns, sec = collections.defaultdict(list), None
        for line in out.splitlines():
            m = re.match(r'^Disassembly of section (\S+):$', line)
            if m:
                sec = idx.get(m.group(1))
                continue
            m = re.match(r'^\s+([0-9a-f]+):\s+(\S.*)$', line)
            if m and sec is not None:
                text = re.sub(r'\s+', ' ', m.group(2).split('#')[0] if self.m == EM_X86_64 else m.group(2)).strip()
                text = re.sub(r'\s*//.*$|\s*@.*$|\s*<.*$', '', text)
                insns[sec].append((int(m.group(1), 16), text))
        return insns

    def insn_at(self, sec, off):
        v = self.insns.get(sec, [])
        i = bisect.bisect_right(v, (off, '\uffff')) - 1
        return v[i] if i >= 0 else (0, '')

    def edges(self):
        e, m = self.elf, self.m
        for si, rels in e.rels.items():
            s = e.sec[si]
            if not s['flags'] & SHF_ALLOC or s['name'] == '.stack_sizes' or s['name'].startswith(
                    ('.eh_frame', '.ARM.exidx', '.ARM.extab')):
                continue
            code = si in self.exe
            for off, typ, symi, add in rels:
                if typ in IGNORE[m]:
                    continue
                fn, toff, own = self.target(si, off, typ, symi, add)
                if fn is None:
                    continue  # data
                src = self.func_at(si, off) if code else None
                insn = self.insn_at(si, off)[1] if code else ''
                is_branch = typ in BRANCH[m] or (m == EM_X86_64 and typ == 2 and re.match(r'^(call|j)', insn))
                if code and typ in GOT[m] and (m != EM_X86_64 or re.match(r'^(call|jmp)\w*\s+\*', insn)):
                    is_branch = True  # a call through the GOT: its target is named
                if code and is_branch:
                    if fn == src and not own and toff != 0:
                        continue  # a branch inside the function (RISC-V keeps relocations for them)
                    self.edge(src, fn, self.pushed_before(si, off))
                    continue
                # Not a branch: the address of code is taken.
                where = demangle(src or s['name'])
                if fn not in self.funcs and e.syms[symi]['shndx'] == 0:
                    self.loaded.add(fn)  # e.g. memset's address kept in a register for calls in a loop
                elif own or toff == 0:
                    if self.loaded_targets:
                        self.loaded.add(fn)
                    else:
                        self.taken.append((src, f'address of {demangle(fn)} taken in {where} (a function pointer)'))
                elif code and fn != src:
                    self.taken.append((src, f'address of code in {demangle(fn)} taken in {where}'))
                elif not code and s['flags'] & SHF_WRITE:
                    self.taken.append((None, f'address of code in {demangle(fn)} stored in writable {s["name"]}'))
                # Else a block address in the function's own table: a jump table.

    def indirect(self):
        call, jump, dyn = PATTERNS[self.m]
        e, m = self.elf, self.m
        self.indirect_calls = collections.defaultdict(list)
        self.jump_tables = collections.Counter()
        self.dynamic = collections.defaultdict(list)
        for si, insns in self.insns.items():
            rel_at = collections.defaultdict(list)
            for off, typ, symi, add in e.rels.get(si, []):
                rel_at[off].append(typ)
            offs = [o for o, _ in insns]
            auipc = {}
            for k, (off, text) in enumerate(insns):
                end = offs[k + 1] if k + 1 < len(offs) else off + 16
                here = [t for o in range(off, end) for t in rel_at.get(o, [])]
                fn = self.func_at(si, off)
                if re.search(dyn, text):
                    self.dynamic[fn].append(f'{off:#x}: {text}')
                # RISC-V's direct call and tail call: auipc with the relocation, then jalr/jr.
                if m == EM_RISCV and any(t in (18, 19) for t in rel_at.get(off - 4, [])):
                    continue
                d = re.match(DIRECT_CALL[m], text)
                if d and not here:
                    self.local_call(si, fn, off, int(d.group(1), 16))
                    continue
                if m == EM_RISCV:
                    a = re.match(r'^auipc\s+(\w+),\s*(-?(?:0x)?[0-9a-f]+)$', text)
                    if a and not here:
                        auipc[a.group(1)] = off + (int(a.group(2), 0) << 12)
                        continue
                    j = re.match(r'^(?:c\.)?j(?:al)?r\s+(?:(\w+),\s*)?(-?\d+)?\(?(\w+)\)?$', text)
                    if j and j.group(3) in auipc:
                        # auipc + jalr resolved by the assembler: a direct call or tail call.
                        self.local_call(si, fn, off, auipc[j.group(3)] + int(j.group(2) or 0))
                        continue
                    if re.match(r'^(?:c\.)?(?:j|b|ret)', text):
                        auipc.clear()  # a pair never spans a branch
                if any(t in GOT[m] for t in here):
                    continue  # through the GOT: the relocation names the target (edges())
                if m == EM_RISCV and re.match(r'^(?:c\.)?jalr\s+(zero|x0)\b', text):
                    text = 'jr ' + text.split(None, 1)[1]
                if re.search(call, text):
                    # With no function's address taken and no callback in the API, the only
                    # code addresses a register can hold are the external functions whose
                    # addresses the object loads: the call may reach each of them.
                    if self.loaded:
                        for x in self.loaded:
                            self.edge(fn, x, self.pushed_before(si, off))
                    else:
                        self.indirect_calls[fn].append(f'{off:#x}: {text}')
                elif re.search(jump, text):
                    self.jump_tables[fn] += 1
                    for x in self.loaded:  # or a tail call through a register
                        self.edge(fn, x)

    def prologues(self):
        """Checks each function's .stack_sizes frame against its code.

        On AArch64, ARM and RISC-V, LLVM reserves the outgoing arguments in
        the frame (without variable-sized objects, which the register checks
        rule out), so the function's stack pointer decrements, wherever they
        are (shrink-wrapping moves prologues), must add up to no more than
        its frame: more would be stack .stack_sizes does not count. On x86,
        LLVM pushes stack arguments at the call instead (pushed_before()
        counts them per call), so there only the prologue is checked: the
        pushes and the allocation at the function's start."""
        for si, insns in self.insns.items():
            for start, fn in self.by_sec.get(si, []):
                taken, end = 0, start - 1
                body = [(o, t) for o, t in insns if o >= start and self.func_at(si, o) == fn]
                if self.m == EM_X86_64:
                    for off, text in body:
                        if re.match(r'^push\w*\s+%', text):
                            taken, end = taken + 8, off
                        elif re.match(r'^mov\w*\s+%rsp,\s*%rbp$', text):
                            end = off
                        else:
                            m = re.match(PROLOGUE[EM_X86_64][1][0], text)
                            if m:
                                taken, end = taken + int(m.group(1), 0), off
                            break
                else:
                    for off, text in body:
                        for pat, size in PROLOGUE[self.m]:
                            m = re.match(pat, text)
                            if m:
                                taken += size(m)
                if fn in self.frame and taken > self.frame[fn]:
                    self.problems.append(f'{demangle(fn)} takes {taken} B from the stack pointer, .stack_sizes '
                                         f'says {self.frame[fn]} B')
                self.prologue[fn] = taken
                self.prologue_end[fn] = end

    def pushed_before(self, si, off):
        """Bytes x86 code takes from the stack pointer for the call at (or
        whose relocation is at) off: LLVM pushes the stack arguments there
        (and subtracts to keep alignment), outside the caller's .stack_sizes
        frame. A call sequence lies in the call's block: the scan stops at
        the previous call, branch, release of stack, or the prologue."""
        if self.m != EM_X86_64:
            return 0
        insns = self.insns.get(si, [])
        k = bisect.bisect_right(insns, (off, '\uffff')) - 1
        fn = self.func_at(si, off)
        stop = self.prologue_end.get(fn, -1)
        pushed = 0
        for j in range(k - 1, -1, -1):
            o, text = insns[j]
            if o <= stop or self.func_at(si, o) != fn:
                break
            if re.search(CONTROL[self.m], text) or re.search(RELEASE[self.m], text):
                break
            for pat, size in PROLOGUE[self.m]:
                m = re.match(pat, text)
                if m:
                    pushed += size(m)
        return pushed

    def edge(self, src, callee, pushed=0):
        self.calls[src][callee] = max(self.calls[src].get(callee, 0), pushed)

    def local_call(self, si, fn, off, target):
        """A call the assembler resolved inside section si: an edge (to fn
        itself when it recurses)."""
        callee = self.func_at(si, target)
        starts = {o for o, _ in self.by_sec.get(si, [])}
        if target in starts:
            self.edge(fn, callee, self.pushed_before(si, off))
        else:
            self.problems.append(f'call into the middle of {demangle(callee)} from {demangle(fn)} at {off:#x}')

    def bound(self, fn, seen, stack):
        """(bytes, path) of the deepest call path from fn."""
        if fn in seen:
            return seen[fn]
        if fn in stack:
            cyc = stack[stack.index(fn):] + [fn]
            raise RecursionError(' -> '.join(demangle(c) for c in cyc))
        ra = RETURN_ADDRESS[self.m]
        if fn not in self.funcs:
            seen[fn] = (self.extern_frame, [(fn, self.extern_frame, 'external')])
            return seen[fn]
        if fn not in self.frame:
            self.problems.append(f'{demangle(fn)} has no .stack_sizes entry')
        own = self.frame.get(fn, 0) + ra
        if not self.calls.get(fn):
            own += self.red_zone  # LLVM leaves a leaf's red-zone use out of .stack_sizes
        stack.append(fn)
        best = (0, [])
        for c, pushed in sorted(self.calls.get(fn, {}).items()):
            b = self.bound(c, seen, stack)
            if pushed:
                b = (b[0] + pushed, [(f'(arguments pushed for the call)', pushed, '')] + b[1])
            if b[0] > best[0]:
                best = b
        stack.pop()
        seen[fn] = (own + best[0], [(fn, own, '')] + best[1])
        return seen[fn]

    def reachable(self, roots):
        out, todo = set(), list(roots)
        while todo:
            f = todo.pop()
            if f in out:
                continue
            out.add(f)
            todo.extend(self.calls.get(f, ()))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--budget', type=int, default=2048)
    ap.add_argument('--extern-frame', type=int, default=128)
    ap.add_argument('--entry', default=r'^panicqr_')
    ap.add_argument('--red-zone', type=int, default=0,
                    help='bytes a leaf may use below the stack pointer outside its frame (128 on x86_64 '
                    'Linux user space; the kernel and the -none targets have none)')
    ap.add_argument('--painted', metavar='FILE',
                    help="crates/ffi/tests/c/stack.c's output for the (one) object: each entry point's painted "
                    'peak must not exceed its bound plus --harness')
    ap.add_argument('--harness', type=int, default=128,
                    help="bytes of stack.c's own frames inside a painted figure (its thread body, the wrapper "
                    'making the call and its stack arguments)')
    ap.add_argument('--verbose', '-v', action='store_true')
    ap.add_argument('--loaded-targets', action='store_true',
                    help='a function whose address is taken is a target of every indirect branch, not a failure')
    ap.add_argument('objects', nargs='+', metavar='LABEL=OBJECT')
    a = ap.parse_args()
    table, failed, labels = {}, [], []
    for spec in a.objects:
        label, _, path = spec.partition('=')
        an = Analysis(path, a.extern_frame, a.entry, a.loaded_targets)
        an.red_zone = a.red_zone
        labels.append(label)
        if not an.entries:
            failed.append(f'{label}: no entry point matches {a.entry}')
            continue
        reach = an.reachable(an.entries)
        problems = [p for src, p in an.taken if src is None or src in reach]
        for f in sorted(reach):
            for x in an.indirect_calls.get(f, []):
                problems.append(f'indirect call in {demangle(f)} at {x}: its target cannot be named')
            if an.dynamic.get(f):
                x, more = an.dynamic[f][0], len(an.dynamic[f]) - 1
                problems.append(f'{demangle(f)} moves the stack pointer by a register or realigns it at {x}'
                                f'{f" (and {more} more)" if more else ""}: .stack_sizes does not bound its frame')
        seen = {}
        for ep in an.entries:
            try:
                n, path_ = an.bound(ep, seen, [])
            except RecursionError as err:
                problems.append(f'recursion reachable from {ep}: {err}')
                continue
            table[(ep, label)] = n
            over = n > a.budget
            if over:
                failed.append(f'{label}: {ep} needs {n} B > {a.budget} B')
            if over or a.verbose:
                print(f'{label} {ep}: {n} B')
                for f, b, note in path_:
                    print(f'    {b:5d}  {demangle(f)}{"  (" + note + ")" if note else ""}')
        ext = sorted(f for f in reach if f not in an.funcs)
        jt = sum(an.jump_tables[f] for f in reach)
        via = f' (called through a register: {" ".join(sorted(an.loaded))})' if an.loaded else ''
        print(f'stack-bound: {label} ({ARCH[an.m]}): {len(an.entries)} entry points, {len(reach)} functions '
              f'reachable, {jt} jump-table branches, external at {a.extern_frame} B: {" ".join(ext) or "none"}{via}')
        for p in sorted(set(problems + an.problems)):  # an.problems: bound()'s too
            failed.append(f'{label}: {p}')
    eps = sorted({ep for ep, _ in table})
    w = max([len(e) for e in eps] + [11])
    print(f'{"entry point":{w}} ' + ' '.join(f'{lb:>{max(len(lb), 6)}}' for lb in labels))
    for ep in eps:
        print(f'{ep:{w}} ' + ' '.join(f'{table.get((ep, lb), "-"):>{max(len(lb), 6)}}' for lb in labels))
    if a.painted:
        painted = {}
        for line in open(a.painted):
            m = re.match(r'^(panicqr_\w+).*?(\d+) bytes$', line.strip())
            if m:
                painted[m.group(1)] = max(painted.get(m.group(1), 0), int(m.group(2)))
        if not painted:
            failed.append(f'no figure in {a.painted}')
        print(f'{"entry point":{w}} {"painted":>7} {"bound":>7}   (painted includes up to {a.harness} B of stack.c)')
        for ep in sorted(painted):
            bound = table.get((ep, labels[0]))
            print(f'{ep:{w}} {painted[ep]:>7} {bound if bound is not None else "-":>7}')
            if bound is None or bound + a.harness < painted[ep]:
                failed.append(f'{ep}: painted {painted[ep]} B is over the static bound {bound} B + {a.harness} B:'
                              ' the analysis misses a path')
    if failed:
        for f in failed:
            print(f'stack-bound: FAILED: {f}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()

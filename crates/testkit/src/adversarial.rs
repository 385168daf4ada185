//! Logs chosen to make a compressor slow: the inputs the panic path's time
//! bound is measured on (`report-bench`) and its work bound tested on. Each
//! is 64 KiB, built from a fixed seed, so every run sees the same bytes.

/// The size of each input: the largest log the report keeps a window of.
pub const LEN: usize = 64 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, good enough for test data.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn repeat_to(unit: &[u8], len: usize) -> Vec<u8> {
    unit.iter().copied().cycle().take(len).collect()
}

/// A real-looking oops, repeated with new timestamps (a warning storm).
fn storm(r: &mut Rng) -> Vec<u8> {
    let oops = "WARNING: CPU: 3 PID: 1234 at net/core/dev.c:3198 skb_warn_bad_offload+0x8c/0x110\n\
Modules linked in: nf_tables nfnetlink xt_conntrack nf_nat bridge stp llc overlay\n\
CPU: 3 PID: 1234 Comm: kworker/3:1 Tainted: G        W         6.19.11 #1\n\
RIP: 0010:skb_warn_bad_offload+0x8c/0x110\n\
RSP: 0018:ffffb3c4c0ab3c28 EFLAGS: 00010282\n\
Call Trace:\n <TASK>\n __skb_gso_segment+0x1a2/0x1c0\n validate_xmit_skb+0x2a1/0x350\n";
    let mut out = Vec::new();
    let mut t = 1000u64;
    while out.len() < LEN {
        for line in oops.lines() {
            t += r.below(4000);
            out.extend_from_slice(
                format!(
                    "[{:>5}.{:06}] {line}\n",
                    t / 1_000_000 + 1000,
                    t % 1_000_000
                )
                .as_bytes(),
            );
        }
    }
    out.truncate(LEN);
    out
}

/// Every adversarial input, named.
pub fn logs() -> Vec<(&'static str, Vec<u8>)> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut v: Vec<(&'static str, Vec<u8>)> = Vec::new();
    v.push(("warning storm (one oops, new timestamps)", storm(&mut r)));
    v.push((
        "letters a and b at random, no newline",
        (0..LEN).map(|_| b"ab"[r.below(2) as usize]).collect(),
    ));
    v.push((
        "letters a and b at random, 80-byte lines",
        (0..LEN)
            .map(|i| {
                if i % 80 == 79 {
                    b'\n'
                } else {
                    b"ab"[r.below(2) as usize]
                }
            })
            .collect(),
    ));
    let mut runs = Vec::new();
    while runs.len() < LEN {
        let c = b'a' + r.below(26) as u8;
        let n = 1 + r.below(300) as usize;
        runs.extend(std::iter::repeat_n(c, n));
        if r.below(8) == 0 {
            runs.push(b'\n');
        }
    }
    runs.truncate(LEN);
    v.push(("runs of one letter, random lengths", runs));
    for period in [257usize, 258, 259, 4095, 32_767, 32_768, 32_769] {
        let unit: Vec<u8> = (0..period).map(|_| r.below(256) as u8).collect();
        let name: &'static str = match period {
            257 => "random 257-byte block repeated",
            258 => "random 258-byte block repeated",
            259 => "random 259-byte block repeated",
            4095 => "random 4,095-byte block repeated",
            32_767 => "random 32,767-byte block repeated",
            32_768 => "random 32,768-byte block repeated",
            _ => "random 32,769-byte block repeated",
        };
        v.push((name, repeat_to(&unit, LEN)));
    }
    let block: Vec<u8> = (0..2048).map(|_| r.below(256) as u8).collect();
    let mut near = Vec::new();
    while near.len() < LEN {
        let mut b = block.clone();
        for _ in 0..4 {
            let i = r.below(2048) as usize;
            b[i] = r.below(256) as u8;
        }
        near.extend_from_slice(&b);
    }
    near.truncate(LEN);
    v.push((
        "2 KiB random block repeated, 4 bytes changed each time",
        near,
    ));
    v.push((
        "random bytes",
        (0..LEN).map(|_| r.below(256) as u8).collect(),
    ));
    v.push(("one byte repeated", vec![b'x'; LEN]));
    v.push(("newlines only", vec![b'\n'; LEN]));
    let text: Vec<u8> = (0..LEN)
        .map(|_| b"etaoin shrdlu"[r.below(13) as usize])
        .collect();
    v.push(("one 64 KiB line of text", text));
    let mut utf8 = Vec::new();
    while utf8.len() < LEN - 4 {
        utf8.extend_from_slice(["é", "ж", "中", "😀", "a"][r.below(5) as usize].as_bytes());
    }
    v.push(("one long line of multibyte UTF-8", utf8));
    v
}

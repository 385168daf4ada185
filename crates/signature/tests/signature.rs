//! Signatures: what varies between two occurrences of a crash is stripped
//! (so they get one signature), what tells crashes apart is kept, and a
//! report whose header was cut off still gets its signature from what is
//! left.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use panicqr_qr::Version;
use panicqr_signature::{analyse, normalise, signature_of, Evidence, Kind};
use panicqr_testkit::{corpus, Rng};

#[test]
fn stripping() {
    // Timestamps and caller ids.
    assert_eq!(normalise("[  12.345678] BUG: x"), "BUG: x");
    assert_eq!(normalise("[ 1688.523960][ T1064] INFO: x"), "INFO: x");
    assert_eq!(normalise("[  204.0216][    C1] rcu: y"), "rcu: y");
    // Offsets.
    assert_eq!(normalise("RIP: tcp_close+0x1a/0x2b"), "RIP: tcp_close");
    assert_eq!(normalise("x in foo.isra.3+0x1a/0x2b0"), "x in foo.isra.NUM");
    // Addresses, registers, hex values.
    assert_eq!(
        normalise("Read of size 8 at addr ffff88801c2d3e40 by task syz/8012"),
        "Read of size NUM at addr ADDR by task syz/NUM"
    );
    assert_eq!(
        normalise("RAX: 0000000000000000 RBX: ffff8801c8baa000 RCX: ffffc90004763000"),
        "RAX: ADDR RBX: ADDR RCX: ADDR"
    );
    assert_eq!(
        normalise("paging request at 0xdead000000000100"),
        "paging request at ADDR"
    );
    assert_eq!(
        normalise(" [<ffffffff81a0c9c4>] foo+0x1/0x2"),
        "[<ADDR>] foo"
    );
    // PIDs and CPU numbers.
    assert_eq!(
        normalise("CPU: 1 PID: 8377 Comm: syz-executor6 Not tainted"),
        "CPU: NUM PID: NUM Comm: syz-executor Not tainted"
    );
    assert_eq!(
        normalise("watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [syz-executor.2:12834]"),
        "watchdog: BUG: soft lockup - CPU stuck for 23s! [syz-executor]"
    );
    assert_eq!(
        normalise("INFO: task syz-executor.5:1347 blocked for more than 145 seconds."),
        "INFO: task syz-executor blocked for more than NUM seconds."
    );
    // Source lines.
    assert_eq!(
        normalise("at net/xfrm/xfrm_state.c:2336"),
        "at net/xfrm/xfrm_state.c:LINE"
    );
    // Names stay, even with digits in them.
    assert_eq!(
        normalise("nl80211_set_wiphy ip6t_do_table"),
        "nl80211_set_wiphy ip6t_do_table"
    );
}

#[test]
fn signature_is_fnv1a_of_the_title() {
    // FNV-1a 64 reference values.
    assert_eq!(signature_of(""), "cbf29ce484222325");
    assert_eq!(signature_of("a"), "af63dc4c8601ec8c");
    assert_eq!(signature_of("foobar"), "85944171f73967e8");
    let sig = analyse(KASAN);
    assert_eq!(sig.signature, signature_of(&sig.title));
    assert_eq!(sig.signature.len(), 16);
}

/// The parts of a log that differ from one occurrence of a crash to the
/// next: timestamps, caller ids (task and CPU numbers), PIDs, CPU numbers,
/// addresses and register values, function offsets. Changed consistently
/// within a log (one task keeps one id), randomly otherwise.
fn perturb(log: &str, rng: &mut Rng) -> String {
    let shift_time = rng.below(5000) as u64;
    let shift_id = 1 + rng.below(50_000);
    let shift_cpu = 1 + rng.below(7);
    let mut out = String::with_capacity(log.len());
    let b = log.as_bytes();
    let mut i = 0;
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let hex = |from: usize| {
        b[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            .count()
    };
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let rest = &log[i..];
        let prev_word = i > 0 && word(b[i - 1]);
        // `[  12.345678]`
        if let Some(inner) = rest.strip_prefix('[') {
            let sp = inner.bytes().take_while(|&c| c == b' ').count();
            let s = 1 + sp;
            let n = digits(i + s);
            if n > 0 && b.get(i + s + n) == Some(&b'.') {
                let f = digits(i + s + n + 1);
                if f > 0 && b.get(i + s + n + 1 + f) == Some(&b']') {
                    let secs: u64 = log[i + s..i + s + n].parse().unwrap();
                    out.push_str(&format!(
                        "[{:>5}.{:06}]",
                        secs + shift_time,
                        rng.below(1_000_000)
                    ));
                    i += s + n + 1 + f + 1;
                    continue;
                }
            }
            // `[ T1234]` / `[    C1]`
            if let Some(&k) = b.get(i + s) {
                let n = digits(i + s + 1);
                if (k == b'T' || k == b'C') && n > 0 && b.get(i + s + 1 + n) == Some(&b']') {
                    let v: usize = log[i + s + 1..i + s + 1 + n].parse().unwrap();
                    let v = if k == b'T' {
                        v + shift_id
                    } else {
                        v + shift_cpu
                    };
                    out.push_str(&format!("[{:>6}]", format!("{}{v}", k as char)));
                    i += s + 1 + n + 1;
                    continue;
                }
            }
        }
        // `+0x1a/0x2b`
        if rest.starts_with("+0x") && prev_word {
            let n = hex(i + 3);
            if n > 0 && log[i + 3 + n..].starts_with("/0x") {
                let m = hex(i + 3 + n + 3);
                out.push_str(&format!(
                    "+0x{:x}/0x{:x}",
                    rng.below(0x1000),
                    0x1000 + rng.below(0x1000)
                ));
                i += 3 + n + 3 + m;
                continue;
            }
        }
        // `PID: 123`, `CPU: 1`, `CPU#1`, `by task 123`
        let mut renumbered = false;
        for (key, shift) in [
            ("PID: ", shift_id),
            ("CPU: ", shift_cpu),
            ("CPU#", shift_cpu),
            ("by task ", shift_id),
        ] {
            if rest.starts_with(key) && !prev_word {
                let n = digits(i + key.len());
                if n > 0 {
                    let v: usize = log[i + key.len()..i + key.len() + n].parse().unwrap();
                    out.push_str(&format!("{key}{}", v + shift));
                    i += key.len() + n;
                    renumbered = true;
                    break;
                }
            }
        }
        if renumbered {
            continue;
        }
        // Addresses and register values: 8 hex digits or more, not in a word.
        if !prev_word {
            let n = hex(i);
            if n >= 8 && !b.get(i + n).is_some_and(|&c| word(c)) {
                for _ in 0..n {
                    out.push(char::from(b"0123456789abcdef"[rng.below(16)]));
                }
                i += n;
                continue;
            }
        }
        let ch = rest.chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[test]
fn the_same_crash_elsewhere_gets_the_same_signature() {
    let mut rng = Rng::new(14);
    let mut unchanged = Vec::new();
    let mut checked = 0;
    for (file, data) in corpus() {
        let log = String::from_utf8(data.clone()).unwrap();
        let window = common::window(&data, Version::MAX);
        for text in [&log, &window] {
            let other = perturb(text, &mut rng);
            if other == *text {
                unchanged.push(file.clone());
            }
            let (a, b) = (analyse(text), analyse(&other));
            assert_eq!(a, b, "{file}: perturbed\n{other}");
            checked += 1;
        }
    }
    assert_eq!(checked, 480);
    // Every log has timestamps or addresses to change but one without a
    // crash (two lines of boot messages about SRSO).
    assert_eq!(unchanged, ["syzkaller-0710.log", "syzkaller-0710.log"]);
}

#[test]
fn a_different_crash_gets_a_different_signature() {
    let a = analyse(KASAN);
    for (from, to) in [
        ("tcp_close+", "udp_close+"),
        ("use-after-free in", "slab-out-of-bounds in"),
        ("Read of size", "Write of size"),
    ] {
        let b = analyse(&KASAN.replace(from, to));
        assert_ne!(a.signature, b.signature, "{from} -> {to}: {}", b.title);
    }
}

/// A KASAN report as a modern x86-64 kernel prints it, then the panic.
const KASAN: &str = "\
[   41.121212][ T8012] ==================================================================
[   41.123457][ T8012] BUG: KASAN: use-after-free in tcp_close+0x1a/0x2b0
[   41.123458][ T8012] Read of size 8 at addr ffff88801c2d3e40 by task syz-executor.3/8012
[   41.123459][ T8012] 
[   41.123460][ T8012] CPU: 1 PID: 8012 Comm: syz-executor.3 Not tainted 6.1.0 #1
[   41.123461][ T8012] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)
[   41.123462][ T8012] Call Trace:
[   41.123463][ T8012]  <TASK>
[   41.123464][ T8012]  dump_stack_lvl+0xcd/0x134
[   41.123465][ T8012]  print_report+0x15e/0x45d
[   41.123466][ T8012]  kasan_report+0xbf/0x1f0
[   41.123467][ T8012]  __asan_report_load8_noabort+0x14/0x20
[   41.123468][ T8012]  tcp_close+0x1a/0x2b0
[   41.123469][ T8012]  inet_release+0x132/0x270
[   41.123470][ T8012]  __sock_release+0xcd/0x280
[   41.123471][ T8012]  sock_close+0x1c/0x20
[   41.123472][ T8012]  __fput+0x27c/0xa90
[   41.123473][ T8012]  task_work_run+0x16f/0x270
[   41.123474][ T8012]  do_exit+0xb3d/0x2a30
[   41.123475][ T8012]  </TASK>
[   41.123476][ T8012] 
[   41.123477][ T8012] Allocated by task 8010:
[   41.123478][ T8012]  kasan_save_stack+0x22/0x40
[   41.123480][ T8012]  kmem_cache_alloc+0x1b3/0x350
[   41.123481][ T8012]  sk_prot_alloc+0x6f/0x2b0
[   41.123482][ T8012] 
[   41.123483][ T8012] Freed by task 8011:
[   41.123484][ T8012]  kasan_save_stack+0x22/0x40
[   41.123485][ T8012]  kmem_cache_free+0xec/0x4e0
[   41.123486][ T8012]  __sk_destruct+0x5ba/0x730
[   41.123487][ T8012] 
[   41.123488][ T8012] The buggy address belongs to the object at ffff88801c2d3e00
[   41.123489][ T8012]  which belongs to the cache TCP of size 2312
[   41.123490][ T8012] The buggy address is located 64 bytes inside of
[   41.123491][ T8012]  2312-byte region [ffff88801c2d3e00, ffff88801c2d4708)
[   41.123492][ T8012] 
[   41.123493][ T8012] Memory state around the buggy address:
[   41.123494][ T8012]  ffff88801c2d3d00: fc fc fc fc fc fc fc fc fc fc fc fc fc fc fc fc
[   41.123495][ T8012] >ffff88801c2d3e00: fa fb fb fb fb fb fb fb fb fb fb fb fb fb fb fb
[   41.123496][ T8012]                                            ^
[   41.123497][ T8012] ==================================================================
[   41.123498][ T8012] Kernel panic - not syncing: KASAN: panic_on_warn set ...
";

/// The log from its `n`th line on: what a window that cut the first
/// `n` lines off carries.
fn from_line(log: &str, n: usize) -> String {
    log.split_inclusive('\n').skip(n).collect()
}

#[test]
fn kasan_report_with_its_header_cut_off() {
    let full = analyse(KASAN);
    assert_eq!(full.title, "KASAN: use-after-free Read in tcp_close");
    assert_eq!(full.evidence, Evidence::Header);
    assert_eq!(
        full.frames,
        [
            "tcp_close",
            "inet_release",
            "__sock_release",
            "sock_close",
            "__fput",
            "task_work_run",
            "do_exit"
        ]
    );
    // Every cut that loses the header but keeps the guilty frame: the
    // access from `__asan_report_load8`, the bug type from the shadow byte
    // under the caret, the frame from the stack after kasan_report.
    let last = KASAN
        .lines()
        .position(|l| l.contains(" tcp_close+"))
        .unwrap();
    for n in 2..=last {
        let cut = analyse(&from_line(KASAN, n));
        assert_eq!(cut.evidence, Evidence::Trace, "cut at line {n}");
        assert_eq!(cut.kind, Kind::Kasan, "cut at line {n}");
        assert_eq!(
            cut.signature, full.signature,
            "cut at line {n}: {}",
            cut.title
        );
    }
    // Cut below the guilty frame, the allocation and free stacks are not
    // taken for the crash's.
    let cut = analyse(&from_line(KASAN, last + 1));
    assert_eq!(cut.kind, Kind::Kasan);
    assert!(
        !cut.title.contains("sk_prot_alloc") && !cut.title.contains("__sk_destruct"),
        "{}",
        cut.title
    );
}

/// A soft lockup, then the panic it causes with the panic's own stack.
const SOFT_LOCKUP: &str = "\
[  635.098646][    C0] watchdog: BUG: soft lockup - CPU#0 stuck for 123s! [syz-executor.2:12834]
[  635.118057][    C0] CPU: 0 PID: 12834 Comm: syz-executor.2 Not tainted 5.8.0-rc3 #0
[  635.136820][    C0] RIP: 0010:smp_call_function_single+0x197/0x4f0
[  635.162818][    C0] RSP: 0018:ffffc9000466f5e0 EFLAGS: 00000293
[  635.252431][    C0] Call Trace:
[  635.286610][    C0]  smp_call_function_many_cond+0x1a4/0x990
[  635.312583][    C0]  on_each_cpu+0x4a/0x240
[  635.316906][    C0]  text_poke_bp_batch+0x142/0x3d0
[  635.441181][    C0]  __fput+0x33c/0x880
[  635.445477][    C0]  task_work_run+0xdd/0x190
[  635.566462][    C0]  entry_SYSCALL_64_after_hwframe+0x44/0xa9
[  636.023252][    C0] Kernel panic - not syncing: softlockup: hung tasks
[  636.033299][    C0] CPU: 0 PID: 12834 Comm: syz-executor.2 Tainted: G L 5.8.0-rc3 #0
[  636.043351][    C0] Call Trace:
[  636.046636][    C0]  <IRQ>
[  636.049608][    C0]  dump_stack+0x18f/0x20d
[  636.055303][    C0]  panic+0x2e3/0x75c
[  636.083775][    C0]  watchdog_timer_fn.cold+0x16/0x2a
[  636.088971][    C0]  __hrtimer_run_queues+0x1d5/0xfc0
[  636.112471][    C0]  hrtimer_interrupt+0x32a/0x930
[  636.131126][    C0]  </IRQ>
[  636.136836][    C0]  asm_sysvec_apic_timer_interrupt+0x12/0x20
[  636.142808][    C0] RIP: 0010:smp_call_function_single+0x197/0x4f0
[  636.170465][    C0] RSP: 0018:ffffc9000466f5e0 EFLAGS: 00000293
[  636.176525][    C0]  smp_call_function_many_cond+0x1a4/0x990
[  636.182525][    C0]  on_each_cpu+0x4a/0x240
";

#[test]
fn soft_lockup_known_from_the_panic_it_caused() {
    let full = analyse(SOFT_LOCKUP);
    assert_eq!(full.title, "BUG: soft lockup in smp_call_function");
    for n in 1..12 {
        let cut = analyse(&from_line(SOFT_LOCKUP, n));
        assert_eq!(
            (cut.evidence, cut.kind),
            (Evidence::Trace, Kind::Stall),
            "cut at {n}"
        );
        assert_eq!(cut.signature, full.signature, "cut at {n}: {}", cut.title);
    }
}

/// Two hung tasks, then the panic.
const HUNG: &str = "\
[ 1121.070000][ T1053] INFO: task syz-executor.3:20104 blocked for more than 143 seconds.
[ 1121.077735][ T1053]       Not tainted 5.2.0+ #97
[ 1121.082505][ T1053] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.
[ 1121.091466][ T1053] syz-executor.3  D27584 20104  16534 0x00000004
[ 1121.097905][ T1053] Call Trace:
[ 1121.100000][ T1053]  __schedule+0x7cb/0x1560
[ 1121.100001][ T1053]  schedule+0xa8/0x270
[ 1121.100002][ T1053]  schedule_preempt_disabled+0x13/0x20
[ 1121.100003][ T1053]  __mutex_lock+0x7b0/0x13c0
[ 1121.100004][ T1053]  mutex_lock_nested+0x16/0x20
[ 1121.100005][ T1053]  rtnl_lock+0x17/0x20
[ 1121.100006][ T1053]  tun_chr_ioctl+0x30/0x40
[ 1121.100007][ T1053]  do_vfs_ioctl+0xd5f/0x1380
[ 1121.332167][ T1053] INFO: task syz-executor.5:20132 blocked for more than 144 seconds.
[ 1121.340000][ T1053] Call Trace:
[ 1121.340001][ T1053]  __schedule+0x7cb/0x1560
[ 1121.340002][ T1053]  schedule+0xa8/0x270
[ 1121.340003][ T1053]  io_schedule+0x16/0x40
[ 1121.340004][ T1053]  wait_on_page_bit+0x2a0/0x330
[ 1121.340005][ T1053]  ext4_mb_load_buddy+0x100/0x200
[ 1122.146611][ T1053] Kernel panic - not syncing: hung_task: blocked tasks
";

#[test]
fn hung_task_cut_inside_the_first_task() {
    let full = analyse(HUNG);
    assert_eq!(full.title, "INFO: task hung in rtnl_lock");
    // The first task's header is gone but its stack is there: that task,
    // not the next one shown, is the report's.
    let rtnl = HUNG
        .lines()
        .position(|l| l.contains(" rtnl_lock+"))
        .unwrap();
    for n in 1..=rtnl {
        let cut = analyse(&from_line(HUNG, n));
        assert_eq!(cut.evidence, Evidence::Trace, "cut at {n}");
        assert_eq!(cut.signature, full.signature, "cut at {n}: {}", cut.title);
    }
    // When what is left of the first task has no frames (only its user
    // registers), nothing says where it hung; the next task shown hung
    // elsewhere and must not stand for it.
    let second = HUNG
        .lines()
        .position(|l| l.contains("syz-executor.5:20132"))
        .unwrap();
    let cut = format!(
        "[ 1121.100008][ T1053] RSP: 002b:00007f86af63bc78 EFLAGS: 00000246\n\
         [ 1121.100009][ T1053] RAX: ffffffffffffffda RBX: 0000000000000003\n{}",
        from_line(HUNG, second)
    );
    let cut = analyse(&cut);
    assert_eq!(cut.title, "INFO: task hung in corrupted");
    assert!(cut.no_frame);
    // Cut exactly at the second task's header, nothing shows there was a
    // first one.
    assert_eq!(
        analyse(&from_line(HUNG, second)).title,
        "INFO: task hung in ext4_mb_load_buddy"
    );
}

#[test]
fn oops_known_only_from_fatal_exception() {
    let log = "\
[   73.546528] RIP: 0010:ip6t_do_table+0x132d/0x1a30
[   73.559697] RSP: 0018:ffff8801d30d6728 EFLAGS: 00010246
[   73.693760] Call Trace:
[   73.701010]  ip6table_security_hook+0x65/0x80
[   73.777530]  nf_hook_slow+0xba/0x1a0
[   74.427191] RIP: ip6t_do_table+0x132d/0x1a30 RSP: ffff8801d30d6728
[   74.438260] Kernel panic - not syncing: Fatal exception in interrupt
";
    let sig = analyse(log);
    // Which fault it was is in the lost header; where it was is not lost.
    assert_eq!(sig.title, "Oops in ip6t_do_table");
    assert_eq!((sig.kind, sig.evidence), (Kind::Other, Evidence::Trace));
}

#[test]
fn trace_alone() {
    let log = "\
[   70.445846]  do_raw_spin_lock+0x1aa/0x1e0
[   70.449994]  _raw_spin_lock+0x32/0x40
[   70.453784]  ? selinux_inode_free_security+0x12a/0x410
[   70.459044]  selinux_inode_free_security+0x12a/0x410
[   70.464125]  security_inode_free+0x40/0x60
";
    let sig = analyse(log);
    assert_eq!(sig.title, "crash in selinux_inode_free_security");
    assert_eq!(
        sig.frames,
        ["selinux_inode_free_security", "security_inode_free"]
    );
    assert_eq!(sig.evidence, Evidence::Trace);
}

#[test]
fn corpus_windows_that_lost_their_header() {
    // A soft lockup whose header and first stack the code does not carry,
    // and a hung task cut just after its header: both are titled as
    // syzkaller titles the whole log.
    let logs = corpus();
    for (name, title) in [
        (
            "syzkaller-0504.log",
            "BUG: soft lockup in smp_call_function",
        ),
        ("syzkaller-0440.log", "INFO: task hung in rtnl_lock"),
    ] {
        let data = &logs.iter().find(|(n, _)| n == name).unwrap().1;
        let full = analyse(std::str::from_utf8(data).unwrap());
        let window = common::window(data, Version::MAX);
        assert!(window.len() < data.len());
        let cut = analyse(&window);
        assert_eq!(full.title, title);
        assert_eq!(cut.evidence, Evidence::Trace, "{name}");
        assert_eq!(cut.signature, full.signature, "{name}: {}", cut.title);
    }
}

#[test]
fn no_crash() {
    let sig = analyse("[    1.0] Linux version 6.1.0\n[    2.0] EXT4-fs (sda1): mounted\n");
    assert_eq!((sig.kind, sig.evidence), (Kind::NoCrash, Evidence::Nothing));
    assert_eq!(sig.title, panicqr_signature::NO_CRASH);
    assert!(sig.frames.is_empty());
    assert_eq!(analyse("").kind, Kind::NoCrash);
}

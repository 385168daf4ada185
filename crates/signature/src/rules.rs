//! The crash headers the kernel prints, and for each the title it gets and
//! where its guilty frame is. The titles follow syzkaller's wording, so
//! that crash titles agree with syzbot's and grouping matches its own.

use crate::extract::{self, Found, Pick, Recipe, Step, RIP_TRACE, TRACE};
use crate::frame;
use crate::Kind;

/// The first words of a crash report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    Bug,
    Warning,
    Info,
    UnableToHandle,
    ProtectionFault,
    StackSegment,
    KernelPanic,
    DoubleFault,
    RustPanic,
    KernelBug,
    KernelBugCapital,
    BugKmalloc,
    DivideError,
    InvalidOpcode,
    Int3,
    Ubsan,
    UnregisterNetdevice,
    VfsClose,
    VfsBusy,
    InternalError,
    UnhandledFault,
    AlignmentTrap,
    Trusty,
}

/// Header keywords, in the order they are tried on a line.
const HEADERS: &[(&str, Header)] = &[
    ("BUG:", Header::Bug),
    ("WARNING:", Header::Warning),
    ("INFO:", Header::Info),
    ("Unable to handle kernel", Header::UnableToHandle),
    ("general protection fault", Header::ProtectionFault),
    ("stack segment: ", Header::StackSegment),
    ("Kernel panic", Header::KernelPanic),
    ("PANIC: double fault", Header::DoubleFault),
    ("rust_kernel: panicked", Header::RustPanic),
    ("kernel BUG", Header::KernelBug),
    ("Kernel BUG", Header::KernelBugCapital),
    ("BUG kmalloc-", Header::BugKmalloc),
    ("divide error:", Header::DivideError),
    ("divide_error:", Header::DivideError),
    ("invalid opcode:", Header::InvalidOpcode),
    ("int3:", Header::Int3),
    ("UBSAN:", Header::Ubsan),
    (
        "unregister_netdevice: waiting for",
        Header::UnregisterNetdevice,
    ),
    ("VFS: Close: file count is 0", Header::VfsClose),
    ("VFS: Busy inodes after unmount", Header::VfsBusy),
    ("Internal error:", Header::InternalError),
    ("Unhandled fault:", Header::UnhandledFault),
    ("Alignment trap:", Header::AlignmentTrap),
    ("trusty: panic", Header::Trusty),
];

/// The crash header a line starts, and where in the line its keyword is.
pub(crate) fn header(line: &str) -> Option<(Header, usize)> {
    HEADERS.iter().find_map(|&(key, h)| {
        let at = line.find(key)?;
        (!harmless(h, line)).then_some((h, at))
    })
}

/// Whether a header found in the middle of a report starts a second report
/// (rather than continuing the first: the panic that follows an oops…).
pub(crate) fn starts_another(line: &str) -> bool {
    header(line).is_some()
        && ![
            "invalid opcode: 0000",
            "Kernel panic - not syncing",
            "unregister_netdevice: waiting for",
            "PANIC: double fault",
            "Internal error:",
        ]
        .iter()
        .any(|k| line.contains(k))
}

/// Lines that carry a header keyword but report no crash.
fn harmless(h: Header, line: &str) -> bool {
    match h {
        Header::Bug => {
            line.contains("DEBUG:")
                || line.contains("xlog_status:")
                || line.contains("BUG: no syscalls can create resource")
        }
        Header::Warning => {
            let lower = line.to_ascii_lowercase();
            [
                "WARNING: /etc/ssh/moduli does not exist",
                "WARNING: workqueue cpumask: online intersect > possible intersect",
                "WARNING: The mand mount option",
                "WARNING: the mand mount option",
                "WARNING: Unsupported flag value(s) of 0x%x in DT_FLAGS_1",
                "WARNING: Unprivileged eBPF is enabled with eIBRS",
                "WARNING: kernel not compiled with CPU_SRSO",
                "EXT4-fs",
                "EXT4-FS",
            ]
            .iter()
            .any(|k| line.contains(k))
                || (line.contains("WARNING: fbcon: Driver '")
                    && line.contains("missed to adjust virtual screen size"))
                || (line.contains("WARNING: See https")
                    && line.contains(" for mitigation options."))
                || (lower.contains("warning: ")
                    && (lower.contains(" uses deprecated v2 capabilities")
                        || lower.contains(" uses wireless extensions")))
                || (line.contains("XFS (") && line.contains("): WARNING"))
        }
        Header::Info => {
            [
                "INFO: lockdep is turned off",
                "INFO: Stall ended before state dump start",
                "INFO: NMI handler",
                "INFO: recovery required on readonly filesystem",
                "INFO: no syscalls can create resource",
                "rmt_storage:INFO:",
                "_INFO:",
            ]
            .iter()
            .any(|k| line.contains(k))
                || (line.contains("INFO: sys_")
                    && line.contains(" is not present in /proc/kallsyms"))
                || ["handler", "interrupt"].iter().any(|k| {
                    line.find(k)
                        .and_then(|i| line.get(i..))
                        .is_some_and(|r| r.contains("took too long"))
                })
        }
        Header::ProtectionFault => line
            .find("general protection fault ")
            .and_then(|i| line.get(i..))
            .and_then(|r| r.find(" error:").and_then(|j| r.get(j + 7..)))
            .is_some_and(|r| {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                n > 0 && r.get(n..).is_some_and(|t| t.starts_with(" in "))
            }),
        _ => false,
    }
}

/// A report's title before normalisation, its kind and its frames.
#[derive(Clone, Debug)]
pub(crate) struct Described {
    pub(crate) title: String,
    pub(crate) kind: Kind,
    pub(crate) frames: Vec<String>,
    /// The title needed a frame and none was found (it ends in `corrupted`).
    pub(crate) no_frame: bool,
}

impl Described {
    fn plain(title: impl Into<String>, kind: Kind) -> Described {
        Described {
            title: title.into(),
            kind,
            frames: Vec::new(),
            no_frame: false,
        }
    }

    /// `<prefix> in <frame>`, the frame `found` names, or `… in corrupted`
    /// where it names none.
    pub(crate) fn in_frame(prefix: &str, kind: Kind, found: Found) -> Described {
        let frame = found.frame.as_deref().unwrap_or("corrupted");
        Described {
            title: format!("{prefix} in {frame}"),
            kind,
            no_frame: found.frame.is_none(),
            frames: found.frames,
        }
    }
}

/// `<prefix> in <frame>`, the frame found by `recipe`.
pub(crate) fn framed(prefix: &str, kind: Kind, recipe: &Recipe, report: &[&str]) -> Described {
    Described::in_frame(prefix, kind, extract::run(recipe, report))
}

/// The first line after the header that satisfies `pred`, as an index.
fn later(report: &[&str], from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    report
        .iter()
        .enumerate()
        .skip(from + 1)
        .find(|(_, l)| pred(l))
        .map(|(i, _)| i)
}

/// The text from `key` to the end of the line.
fn rest_after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.find(key).and_then(|i| s.get(i + key.len()..))
}

fn starts_words(s: &str, options: &[&'static str]) -> Option<&'static str> {
    options.iter().copied().find(|o| s.starts_with(o))
}

/// The report's title and frames. `head` is the header line from the
/// keyword on; `report` the report's lines, the header line first.
pub(crate) fn describe(h: Header, head: &str, report: &[&str]) -> Described {
    let fallback = || Described::plain(head.trim_end(), Kind::Other);
    // Most CPU exceptions: a fixed title, the frame at the faulting RIP.
    let oops =
        |title: &str, steps| Some(framed(title, Kind::BadAccess, &Recipe::new(steps), report));
    let d = match h {
        Header::Bug => bug(head, report),
        Header::Warning => warning(head, report),
        Header::Info => info(head, report),
        Header::UnableToHandle => {
            let s = rest_after(head, "Unable to handle kernel ").unwrap_or("");
            starts_words(
                s,
                &[
                    "paging request",
                    "NULL pointer dereference",
                    "access to user memory",
                ],
            )
            .and_then(|what| oops(&format!("BUG: unable to handle kernel {what}"), RIP_TRACE))
        }
        Header::ProtectionFault if head.contains(':') => {
            oops("general protection fault", RIP_TRACE)
        }
        Header::ProtectionFault => None,
        Header::StackSegment => oops("stack segment fault", RIP_TRACE),
        Header::KernelPanic => panic(head, report),
        Header::DoubleFault => oops("PANIC: double fault", &[Step::Rip]),
        Header::RustPanic => report.get(1).map(|msg| {
            framed(
                msg.trim(),
                Kind::Panic,
                &Recipe::new(TRACE).skip(&["__rustc::rust_begin_unwind"]),
                report,
            )
        }),
        Header::KernelBug => {
            let at = rest_after(head, "kernel BUG at ").unwrap_or("");
            Some(if at.starts_with("mm/usercopy.c") {
                framed(
                    "BUG: bad usercopy",
                    Kind::KernelBug,
                    &Recipe::new(TRACE).skip(&["usercopy", "__check"]),
                    report,
                )
            } else if at.starts_with("lib/list_debug.c") {
                framed(
                    "BUG: corrupted list",
                    Kind::KernelBug,
                    &Recipe::new(TRACE),
                    report,
                )
            } else if head.contains("kernel BUG at ") {
                framed(
                    "kernel BUG",
                    Kind::KernelBug,
                    &Recipe::new(RIP_TRACE).skip(&["^skb_"]),
                    report,
                )
            } else {
                fallback()
            })
        }
        Header::KernelBugCapital => Some(Described::plain(
            format!(
                "kernel BUG {}",
                rest_after(head, "Kernel BUG ").unwrap_or("")
            ),
            Kind::KernelBug,
        )),
        Header::BugKmalloc => head
            .contains(": Object already free")
            .then(|| Described::plain("BUG: Object already free", Kind::Bug)),
        Header::DivideError => oops("divide error", &[Step::Rip]),
        Header::InvalidOpcode => oops("invalid opcode", &[Step::Rip]),
        Header::Int3 => oops("int3", RIP_TRACE),
        Header::Ubsan => ubsan(head, report),
        Header::UnregisterNetdevice => (rest_after(head, "unregister_netdevice: waiting for ")
            .is_some_and(|r| r.contains(" to become free")))
        .then(|| {
            Described::plain(
                "unregister_netdevice: waiting for DEV to become free",
                Kind::Other,
            )
        }),
        Header::VfsClose => Some(Described::plain(
            "VFS: Close: file count is zero (use-after-free)",
            Kind::Other,
        )),
        Header::VfsBusy => Some(Described::plain(
            "VFS: Busy inodes after unmount (use-after-free)",
            Kind::Other,
        )),
        Header::InternalError => oops("Internal error", RIP_TRACE),
        Header::UnhandledFault => oops("Unhandled fault", RIP_TRACE),
        Header::AlignmentTrap => oops("Alignment trap", RIP_TRACE),
        Header::Trusty => trusty(head),
    };
    d.unwrap_or_else(fallback)
}

/// Read or Write, from KASAN's `Read of size 8 at addr …` line.
fn access(line: &str, forms: &[&str]) -> Option<&'static str> {
    ["Read", "Write"]
        .iter()
        .filter_map(|&rw| {
            forms
                .iter()
                .filter_map(|f| {
                    let key = format!("{rw} {f} ");
                    let i = line.find(&key)?;
                    let next = line.get(i + key.len()..)?.bytes().next()?;
                    (next.is_ascii_digit() || (b'a'..=b'f').contains(&next)).then_some(i)
                })
                .min()
                .map(|i| (i, rw))
        })
        .min()
        .map(|(_, rw)| rw)
}

fn bug(head: &str, report: &[&str]) -> Option<Described> {
    let s = head;
    if let Some(rest) = s.strip_prefix("BUG: KASAN: ") {
        return Some(kasan(rest, report));
    }
    if s.starts_with("BUG: KMSAN: ") {
        return kmsan(s, report);
    }
    if let Some(rest) = s.strip_prefix("BUG: KCSAN: ") {
        return Some(Described::plain(format!("KCSAN: {rest}"), Kind::Kcsan));
    }
    if let Some(rest) = s.strip_prefix("BUG: KFENCE: ") {
        return kfence(rest, report);
    }
    // Kernels have spelled these faults several ways; each gets one title.
    for (spellings, title) in [
        (
            [
                "BUG: unable to handle kernel paging request",
                "BUG: unable to handle page fault for address",
                "BUG: Unable to handle kernel data access",
            ],
            "BUG: unable to handle kernel paging request",
        ),
        (
            [
                "BUG: unable to handle kernel NULL pointer dereference",
                "BUG: kernel NULL pointer dereference",
                "BUG: Kernel NULL pointer dereference",
            ],
            "BUG: unable to handle kernel NULL pointer dereference",
        ),
    ] {
        if starts_words(s, &spellings).is_some() {
            return Some(framed(
                title,
                Kind::BadAccess,
                &Recipe::new(RIP_TRACE),
                report,
            ));
        }
    }
    if starts_words(
        s,
        &[
            "BUG: unable to handle kernel",
            "BUG: Unable to handle kernel",
        ],
    )
    .is_some()
    {
        return Some(Described {
            no_frame: true,
            ..Described::plain("BUG: unable to handle kernel", Kind::BadAccess)
        });
    }
    for lock in ["spinlock", "rwlock"] {
        let Some(rest) = s.strip_prefix(&format!("BUG: {lock} ") as &str) else {
            continue;
        };
        let what = starts_words(
            rest,
            &[
                "lockup suspected",
                "already unlocked",
                "recursion",
                "cpu recursion",
                "bad magic",
                "wrong owner",
                "wrong CPU",
                "trylock failure on UP",
            ],
        )?;
        return Some(framed(
            &format!("BUG: {lock} {what}"),
            Kind::Locking,
            &Recipe::new(TRACE).skip(&["spin_", "_lock", "_unlock"]),
            report,
        ));
    }
    if s.starts_with("BUG: soft lockup") {
        return Some(framed(
            "BUG: soft lockup",
            Kind::Stall,
            &Recipe::new(RIP_TRACE).pick(Pick::Stall),
            report,
        ));
    }
    if s.contains("still has locks held!") {
        return later(report, 0, |l| frame::pc_func(l).is_some())
            .and_then(|i| frame::pc_func(report.get(i)?))
            .map(|f| Described::plain(format!("BUG: still has locks held in {f}"), Kind::Locking));
    }
    if s.starts_with("BUG: scheduling while atomic") {
        return Some(framed(
            "BUG: scheduling while atomic",
            Kind::Bug,
            &Recipe::new(TRACE).skip(&["schedule"]),
            report,
        ));
    }
    if s.starts_with("BUG: lock held when returning to user space") {
        return returning_with_lock("BUG", report);
    }
    if s.starts_with("BUG: bad unlock balance detected!") {
        return Some(framed(
            "BUG: bad unlock balance",
            Kind::Locking,
            &Recipe::new(&[Step::PcFunc, Step::CallTrace, Step::Frames]),
            report,
        ));
    }
    if s.starts_with("BUG: held lock freed!") {
        return later(report, 0, |l| frame::pc_func(l).is_some())
            .and_then(|i| frame::pc_func(report.get(i)?))
            .map(|f| Described::plain(format!("BUG: held lock freed in {f}"), Kind::Locking));
    }
    for fixed in [
        "BUG: Bad rss-counter state",
        "BUG: non-zero nr_ptes on freeing mm",
        "BUG: non-zero nr_pmds on freeing mm",
        "BUG: Bad page map",
        "BUG: workqueue lockup",
    ] {
        if s.starts_with(fixed) {
            return Some(Described::plain(fixed, Kind::Bug));
        }
    }
    if s.starts_with("BUG: Dentry ") && s.contains(" still in use") {
        // The filesystem and block device in the message vary (loop0/1/2).
        let ok = rest_after(s, " still in use (")
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
            .is_some_and(|r| r.starts_with(") [unmount of "));
        return ok.then(|| Described::plain("BUG: Dentry still in use in unmount", Kind::Bug));
    }
    if let Some(rest) = s.strip_prefix("BUG: Bad page ") {
        let what = starts_words(rest, &["state", "cache"])?;
        return Some(framed(
            &format!("BUG: Bad page {what}"),
            Kind::Bug,
            &Recipe::new(&[Step::AnyOf(&["page last allocated"]), Step::Frames]).skip(&[
                "free_page",
                "put_page",
                "get_page",
                "update_page",
                "release_page",
                "free_unref",
                "^folio",
                "^_folio",
                "^__folio",
                "^___folio",
                "truncate_inode_pages",
                "page_frag_free",
                "alloc",
                "vmap",
                "page_owner",
            ]),
            report,
        ));
    }
    if s.starts_with("BUG: sleeping function called from invalid context at ") {
        return Some(framed(
            "BUG: sleeping function called from invalid context",
            Kind::Bug,
            &Recipe::new(TRACE),
            report,
        ));
    }
    if let Some(rest) = s.strip_prefix("BUG: using ") {
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
            .count();
        if n > 0
            && rest
                .get(n..)
                .is_some_and(|r| r.starts_with("() in preemptible"))
        {
            let what = rest.get(..n).unwrap_or("");
            return Some(framed(
                &format!("BUG: using {what}() in preemptible code"),
                Kind::Bug,
                &Recipe::new(TRACE).skip(&[
                    "dump_stack",
                    "preemption",
                    "preempt",
                    "debug_",
                    "processor_id",
                    "this_cpu",
                ]),
                report,
            ));
        }
    }
    if s.starts_with("BUG: workqueue leaked lock or atomic") {
        return report.iter().skip(1).find_map(|l| {
            let r = rest_after(l, "last function: ")?;
            let n = r
                .bytes()
                .take_while(|&b| b.is_ascii_alphanumeric() || b == b'_')
                .count();
            (n > 0 && n == r.trim_end().len()).then(|| {
                Described::plain(
                    format!(
                        "BUG: workqueue leaked lock or atomic in {}",
                        r.get(..n).unwrap_or("")
                    ),
                    Kind::Bug,
                )
            })
        });
    }
    if s.starts_with("BUG: memory leak") {
        return Some(framed(
            "memory leak",
            Kind::MemoryLeak,
            &Recipe::new(&[Step::AnyOf(&["backtrace:", "backtrace (crc"]), Step::Frames]).skip(&[
                "kmemleak",
                "mmap",
                "kmem",
                "slab",
                "alloc",
                "create_object",
                "idr_get",
                "list_lru_init",
                "kasprintf",
                "kvasprintf",
                "pcpu_create",
                "strdup",
                "strndup",
                "memdup",
            ]),
            report,
        ));
    }
    if s.contains("stack guard page was hit at") {
        return Some(framed(
            "BUG: stack guard page was hit",
            Kind::Bug,
            &Recipe::new(RIP_TRACE).pick(Pick::Stall),
            report,
        ));
    }
    if s.starts_with("BUG: Invalid wait context") {
        // arm64 prints this where x86 prints a lockdep WARNING.
        return Some(framed(
            "WARNING: locking bug",
            Kind::Locking,
            &Recipe::new(TRACE).skip(&["lock_sock", "release_sock"]),
            report,
        ));
    }
    if s.trim_end() == "BUG:" {
        return Some(Described {
            no_frame: true,
            ..Described::plain("BUG: corrupted", Kind::Bug)
        });
    }
    None
}

fn kasan(rest: &str, report: &[&str]) -> Described {
    const HW_TAGS: &[&str] = &["kernel_fault", "tag_check", "mem_abort", "^el1_", "^el1h_"];
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || *b == b'-')
        .count();
    let what = rest.get(..n).unwrap_or("");
    let after = rest.get(n..).unwrap_or("");
    let in_func = after
        .strip_prefix(" in ")
        .and_then(frame::func_at)
        .is_some();
    if n > 0 && in_func {
        let rw = report
            .iter()
            .skip(1)
            .find_map(|l| access(l, &["of size", "at addr"]));
        if let Some(rw) = rw {
            return framed(
                &format!("KASAN: {what} {rw}"),
                Kind::Kasan,
                &Recipe::new(&[Step::InFunc("BUG: KASAN: "), Step::CallTrace, Step::Frames])
                    .skip(HW_TAGS),
                report,
            );
        }
    }
    let free = starts_words(
        rest,
        &[
            "double-free or invalid-free in ",
            "double-free in ",
            "invalid-free in ",
        ],
    );
    if let Some(f) = free {
        if rest.get(f.len()..).and_then(frame::func_at).is_some() {
            return framed(
                "KASAN: invalid-free",
                Kind::Kasan,
                &Recipe::new(&[Step::InFunc("BUG: KASAN: "), Step::CallTrace, Step::Frames])
                    .skip(&["slab_", "kfree", "vunmap", "vfree"]),
                report,
            );
        }
    }
    if n > 0 && after.starts_with(" on address") {
        if let Some(rw) = report.iter().skip(1).find_map(|l| access(l, &["of size"])) {
            return Described::plain(format!("KASAN: {what} {rw}"), Kind::Kasan);
        }
    }
    Described {
        no_frame: true,
        ..Described::plain(format!("KASAN: {rest}"), Kind::Kasan)
    }
}

fn kmsan(s: &str, report: &[&str]) -> Option<Described> {
    const ORIGIN: Step = Step::AnyOf(&["Uninit was created at:", " created at:"]);
    if s.starts_with("BUG: KMSAN: kernel-usb-infoleak") {
        extract::in_func(s, "BUG: KMSAN: ")?;
        return Some(framed(
            "KMSAN: kernel-usb-infoleak",
            Kind::Kmsan,
            &Recipe::new(&[Step::Frames, ORIGIN, Step::Frames]).skip(&[
                "alloc_skb",
                "usb_submit_urb",
                "usb_start_wait_urb",
                "usb_bulk_msg",
                "usb_interrupt_msg",
                "usb_control_msg",
            ]),
            report,
        ));
    }
    let rest = s.strip_prefix("BUG: KMSAN: ")?;
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || *b == b'-')
        .count();
    let what = rest.get(..n)?;
    rest.get(n..)?
        .strip_prefix(" in ")
        .and_then(frame::func_at)?;
    Some(framed(
        &format!("KMSAN: {what}"),
        Kind::Kmsan,
        &Recipe::new(&[Step::Frames, ORIGIN, Step::Frames]).skip(&[
            "alloc_skb",
            "netlink_ack",
            "netlink_rcv_skb",
            // Crypto code is where uninit data is used, rarely where it
            // comes from.
            "_encrypt$",
            "^crypto_",
            "^cipher_",
            "^drbg_",
            "^rng_",
        ]),
        report,
    ))
}

fn kfence(rest: &str, report: &[&str]) -> Option<Described> {
    let recipe = Recipe::new(&[Step::InFunc("BUG: KFENCE: "), Step::Frames]);
    let what = starts_words(
        rest,
        &[
            "use-after-free read",
            "use-after-free write",
            "out-of-bounds read",
            "out-of-bounds write",
            "invalid free",
            "invalid read",
            "invalid write",
            "memory corruption",
        ],
    )?;
    rest.get(what.len()..)?
        .strip_prefix(" in ")
        .and_then(frame::func_at)?;
    Some(framed(
        &format!("KFENCE: {what}"),
        Kind::Kfence,
        &recipe,
        report,
    ))
}

fn returning_with_lock(prefix: &str, report: &[&str]) -> Option<Described> {
    let i = later(report, 0, |l| {
        l.contains("leaving the kernel with locks still held")
    })?;
    let f = report.iter().skip(i + 1).find_map(|l| {
        let r = rest_after(l, "at: ")?;
        let r = frame::skip_pc(r).map_or(r, |t| t.trim_start_matches(' '));
        frame::func_at(r).map(|(f, _)| f)
    })?;
    Some(Described::plain(
        format!("{prefix}: lock held when returning to user space in {f}"),
        Kind::Locking,
    ))
}

/// `WARNING: CPU: 0 PID: 1 at <path> …` where the path contains `file`
/// and is followed by one of `then`.
fn warn_at(s: &str, file: &str, then: &[&str]) -> bool {
    s.find(file)
        .and_then(|i| s.get(i + file.len()..))
        .is_some_and(|r| then.iter().any(|t| r.contains(t)))
}

/// A source position: `path/file.c:123`.
fn src_at(s: &str) -> Option<&str> {
    let n = s
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b))
        .count();
    let path = s.get(..n)?;
    let dot = path.rfind('.')?;
    let ext = path.get(dot + 1..)?;
    if dot == 0 || ext.is_empty() || !ext.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let rest = s.get(n..)?.strip_prefix(':')?;
    let d = rest.bytes().take_while(u8::is_ascii_digit).count();
    (d > 0).then(|| rest.get(d..)).flatten()
}

/// Whether the line holds `<src> at <FUNC>` or ` at <src> <FUNC>`.
fn warning_site(s: &str) -> bool {
    let generic = s.match_indices(" at ").any(|(i, _)| {
        s.get(i + 4..)
            .and_then(src_at)
            .and_then(|r| r.strip_prefix(' '))
            .and_then(frame::func_at)
            .is_some()
    });
    let direct = |t: &str| {
        src_at(t)
            .and_then(|r| r.strip_prefix(" at "))
            .and_then(frame::func_at)
            .is_some()
    };
    let new_format = |t: &str| {
        src_at(t)
            .and_then(|r| r.strip_prefix(" at 0x"))
            .is_some_and(|r| r.contains(", CPU#"))
    };
    let body = s.strip_prefix("WARNING: ").unwrap_or("");
    let bracketed = body
        .strip_prefix('[')
        .and_then(|b| b.find("] ").and_then(|i| b.get(i + 2..)))
        .is_some_and(direct);
    generic || direct(body) || new_format(body) || bracketed
}

/// WARNINGs named after the code that warns, rather than just `WARNING`.
pub(crate) struct WarningClass {
    /// The source file in the header (`WARNING: … at lib/refcount.c:25 …`).
    file: &'static str,
    /// What follows the file on the header line (any of them).
    then: &'static [&'static str],
    pub(crate) title: &'static str,
    /// The warning code's own frames, skipped to find its caller.
    pub(crate) skip: &'static [&'static str],
    pub(crate) kind: Kind,
    /// Functions in that file that print such a warning: the instruction
    /// pointer in one of them tells the class when the header is lost.
    pub(crate) sites: &'static [&'static str],
}

pub(crate) const WARNING_CLASSES: &[WarningClass] = &[
    WarningClass {
        file: "lib/debugobjects.c",
        then: &[" debug_print", " debug_check", " at"],
        title: "WARNING: ODEBUG bug",
        skip: &[
            "debug_",
            "rcu",
            "hrtimer_",
            "timer_",
            "work_",
            "percpu_",
            "vunmap",
            "vfree",
            "__free_",
            "debug_check",
            "kobject_",
        ],
        kind: Kind::Warning,
        sites: &["debug_print_object", "debug_check_no_obj_freed"],
    },
    WarningClass {
        file: "mm/usercopy.c",
        then: &[" usercopy_warn", " at"],
        title: "WARNING: bad usercopy",
        skip: &["usercopy", "__check"],
        kind: Kind::Warning,
        sites: &["usercopy_warn"],
    },
    WarningClass {
        file: "lib/kobject.c",
        then: &[" kobject_", " at"],
        title: "WARNING: kobject bug",
        skip: &["kobject_"],
        kind: Kind::Warning,
        sites: &["^kobject_"],
    },
    WarningClass {
        file: "fs/proc/generic.c",
        then: &[" proc_register", " at"],
        title: "WARNING: proc registration bug",
        skip: &["proc_"],
        kind: Kind::Warning,
        sites: &["^proc_register"],
    },
    WarningClass {
        file: "lib/refcount.c",
        then: &[" refcount_", " at"],
        title: "WARNING: refcount bug",
        skip: &["refcount", "kobject_"],
        kind: Kind::Warning,
        sites: &["^refcount_"],
    },
    WarningClass {
        file: "kernel/locking/lockdep.c",
        then: &["lock_"],
        title: "WARNING: locking bug",
        skip: &["lock_sock", "release_sock"],
        kind: Kind::Locking,
        sites: &[
            "^__lock_acquire",
            "^lock_acquire",
            "^lock_release",
            "^check_flags",
        ],
    },
];

/// Where an RCU stall report's guilty frame is: under the timer interrupt
/// that found the stall.
pub(crate) const RCU_STALL_STACK: Recipe = Recipe::new(&[
    Step::AnyOf(&["apic_timer_interrupt"]),
    Step::Rip,
    Step::Frames,
])
.or(&[
    Step::AnyOf(&["apic_timer_interrupt", "Exception stack", "el1h_64_irq"]),
    Step::Frames,
])
.skip(&["apic_timer_interrupt", "rcu"])
.pick(Pick::Stall);

pub(crate) fn warning_stack(skip: &'static [&'static str]) -> Recipe {
    Recipe::new(&[Step::RipOrInterrupt, Step::Frames])
        .or(TRACE)
        .skip(skip)
}

fn warning(head: &str, report: &[&str]) -> Option<Described> {
    let s = head;
    for c in WARNING_CLASSES {
        if warn_at(s, c.file, c.then) {
            return Some(framed(c.title, c.kind, &warning_stack(c.skip), report));
        }
    }
    if s.contains("still has locks held!") {
        return report.iter().skip(1).find_map(|l| {
            let r = rest_after(l, "at: ")?;
            frame::func_at(r).map(|(f, _)| {
                Described::plain(
                    format!("WARNING: still has locks held in {f}"),
                    Kind::Locking,
                )
            })
        });
    }
    if s.starts_with("WARNING: Nested lock was not taken") {
        return Some(framed(
            "WARNING: nested lock was not taken",
            Kind::Locking,
            &warning_stack(&[]),
            report,
        ));
    }
    if s.starts_with("WARNING: lock held when returning to user space") {
        return returning_with_lock("WARNING", report);
    }
    if kmalloc_warning(s) {
        return Some(framed(
            "WARNING: kmalloc bug",
            Kind::Warning,
            &warning_stack(&["kmalloc", "krealloc", "slab", "kmem"]),
            report,
        ));
    }
    if warn_at(s, "mm/vmalloc.c", &["__vmalloc_node"]) {
        return Some(framed(
            "WARNING: zero-size vmalloc",
            Kind::Warning,
            &warning_stack(&[]),
            report,
        ));
    }
    if s.contains(" usb_submit_urb") {
        let mut d = framed(
            "WARNING",
            Kind::Warning,
            &warning_stack(&[
                "usb_submit_urb",
                "usb_start_wait_urb",
                "usb_bulk_msg",
                "usb_interrupt_msg",
                "usb_control_msg",
            ]),
            report,
        );
        // syzkaller's title names the caller and then the warning's site.
        d.title.push_str("/usb_submit_urb");
        return Some(d);
    }
    if warning_site(s) {
        return Some(framed(
            "WARNING",
            Kind::Warning,
            &warning_stack(&[]),
            report,
        ));
    }
    if let Some(d) = lockdep(s, "WARNING: ", report) {
        return Some(d);
    }
    if s.starts_with("WARNING: suspicious RCU usage") {
        return suspicious_rcu("WARNING", report);
    }
    if let Some(r) = s.strip_prefix("WARNING: kernel stack regs at ") {
        if let Some(v) = bad_value(r) {
            return Some(Described::plain(
                format!("WARNING: kernel stack regs has bad '{v}' value"),
                Kind::Warning,
            ));
        }
    }
    if let Some(r) = s.strip_prefix("WARNING: kernel stack frame pointer at ") {
        if hex_then_in(r).is_some_and(|t| t.contains(" has bad value")) {
            return Some(Described::plain(
                "WARNING: kernel stack frame pointer has bad value",
                Kind::Warning,
            ));
        }
    }
    if s.starts_with("WARNING: bad unlock balance detected!") {
        return Some(framed(
            "WARNING: bad unlock balance",
            Kind::Locking,
            &Recipe::new(&[Step::PcFunc, Step::CallTrace, Step::Frames]),
            report,
        ));
    }
    if s.starts_with("WARNING: held lock freed!") {
        return report.iter().skip(1).find_map(|l| {
            let r = rest_after(l, "at:")?;
            let r = match r.strip_prefix(' ').and_then(frame::skip_pc) {
                Some(t) => t,
                None => r,
            };
            let t = r.trim_start_matches(' ');
            if t.len() == r.len() {
                return None;
            }
            frame::func_at(t).map(|(f, _)| {
                Described::plain(format!("WARNING: held lock freed in {f}"), Kind::Locking)
            })
        });
    }
    if s.starts_with("WARNING: kernel stack regs ") && s.contains(" has bad 'bp' value")
        || s.starts_with("WARNING: kernel stack frame pointer ") && s.contains(" has bad value")
    {
        return Some(Described::plain(
            "WARNING: kernel stack regs has bad value",
            Kind::Warning,
        ));
    }
    if s.trim_end() == "WARNING:" {
        return Some(Described {
            no_frame: true,
            ..Described::plain("WARNING: corrupted", Kind::Warning)
        });
    }
    None
}

/// `<hex> in <word> has bad '<v>' value` → `v`.
fn bad_value(r: &str) -> Option<&str> {
    let t = hex_then_in(r)?;
    let v = t.strip_prefix(" has bad '")?;
    let end = v.find('\'')?;
    (end > 0 && v.get(end..)?.starts_with("' value"))
        .then(|| v.get(..end))
        .flatten()
}

/// `<hex> in <word>`: the text after the word.
fn hex_then_in(r: &str) -> Option<&str> {
    let n = r
        .bytes()
        .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        .count();
    let t = r.get(n..)?.strip_prefix(" in ")?;
    let w = t.find(' ').unwrap_or(t.len());
    (n > 0).then(|| t.get(w..)).flatten()
}

/// `WARNING: … mm/<file>.c … kmalloc` (also `kvmalloc`, `vmalloc`).
fn kmalloc_warning(s: &str) -> bool {
    let Some(i) = s.find("mm/") else { return false };
    let Some(r) = s.get(i..) else { return false };
    let Some(j) = r.find(".c") else { return false };
    let r = r.get(j..).unwrap_or("");
    r.match_indices(' ').any(|(k, _)| {
        let t = r.get(k + 1..).unwrap_or("");
        let t = t.strip_prefix('k').unwrap_or(t);
        t.starts_with("malloc") || t.get(1..).is_some_and(|u| u.starts_with("malloc"))
    })
}

/// lockdep's reports, under `WARNING: ` (current) or `INFO: ` (old).
fn lockdep(s: &str, prefix: &str, report: &[&str]) -> Option<Described> {
    let body = s.strip_prefix(prefix)?;
    let old = prefix == "INFO: ";
    // Old kernels closed the header with ` ]`.
    let header_ok = |h: &str| {
        body.starts_with(h) && (!old || body.get(h.len()..).is_some_and(|r| r.starts_with(" ]")))
    };
    // `at: FUNC` after a line containing `key`.
    let site_after = |key: &str| -> Option<&str> {
        let i = later(report, 0, |l| l.contains(key))?;
        report.iter().skip(i + 1).find_map(|l| {
            let r = rest_after(l, "at: ")?;
            let r = match frame::skip_pc(r) {
                Some(t) if t.starts_with(' ') => t.trim_start_matches(' '),
                // Old kernels always print the address.
                _ if old => return None,
                _ => r,
            };
            frame::func_at(r).map(|(f, _)| f)
        })
    };
    let deadlock = |f: &str| Described::plain(format!("possible deadlock in {f}"), Kind::Locking);
    if header_ok("possible circular locking dependency detected") {
        if old {
            return site_after("is trying to acquire lock").map(deadlock);
        }
        later(report, 0, |l| l.contains("is trying to acquire lock"))?;
        return Some(framed(
            "possible deadlock",
            Kind::Locking,
            &Recipe::new(&[Step::AtFunc, Step::AtFunc, Step::Frames]).skip(&[
                "process_one_work",
                "flush_workqueue",
                "drain_workqueue",
                "destroy_workqueue",
            ]),
            report,
        ));
    }
    if header_ok("possible irq lock inversion dependency detected") {
        return site_after("just changed the state of lock").map(deadlock);
    }
    if !old && body.contains("-safe -> ") && body.contains("-unsafe lock order detected") {
        return Some(framed(
            "possible deadlock",
            Kind::Locking,
            &Recipe::new(&[Step::WhichBecame, Step::Frames]),
            report,
        ));
    }
    if old && header_ok("SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected") {
        return site_after("is trying to acquire").map(deadlock);
    }
    if header_ok("possible recursive locking detected") {
        return site_after("is trying to acquire lock").map(deadlock);
    }
    if header_ok("inconsistent lock state") {
        let site = site_after("takes")?;
        if old {
            return Some(Described::plain(
                format!("inconsistent lock state in {site}"),
                Kind::Locking,
            ));
        }
        return Some(framed(
            "inconsistent lock state",
            Kind::Locking,
            &Recipe::new(TRACE),
            report,
        ));
    }
    None
}

fn suspicious_rcu(prefix: &str, report: &[&str]) -> Option<Described> {
    // The report names the source line of the check on a later line.
    later(report, 0, |l| {
        l.match_indices(|c: char| c.is_ascii_alphanumeric() || "-_/.".contains(c))
            .any(|(i, _)| {
                let prev_ok = i == 0
                    || l.as_bytes()
                        .get(i - 1)
                        .is_some_and(|&b| !(b.is_ascii_alphanumeric() || b"-_/.".contains(&b)));
                prev_ok && l.get(i..).and_then(src_at).is_some()
            })
    })?;
    Some(framed(
        &format!("{prefix}: suspicious RCU usage"),
        Kind::Warning,
        &Recipe::new(TRACE).skip(&["rcu", "kmem", "slab"]),
        report,
    ))
}

fn info(head: &str, report: &[&str]) -> Option<Described> {
    let s = head;
    if let Some(d) = lockdep(s, "INFO: ", report) {
        return Some(d);
    }
    if let Some(r) = s.strip_prefix("INFO: rcu_") {
        let r = starts_words(r, &["preempt ", "sched ", "bh ", "tasks "])
            .and_then(|w| r.get(w.len()..));
        let r = r.map(|r| r.strip_prefix("self-").unwrap_or(r));
        let r = r.and_then(|r| r.strip_prefix("detected"));
        let r = r.map(|r| r.strip_prefix(" expedited").unwrap_or(r));
        if r.is_some_and(|r| r.starts_with(" stall")) {
            return Some(framed(
                "INFO: rcu detected stall",
                Kind::Stall,
                &RCU_STALL_STACK,
                report,
            ));
        }
    }
    if s.starts_with("INFO: trying to register non-static key") {
        return Some(framed(
            "INFO: trying to register non-static key",
            Kind::Locking,
            &Recipe::new(TRACE).skip(&["stack", "lock", "IRQ"]),
            report,
        ));
    }
    if s.starts_with("INFO: suspicious RCU usage") {
        return suspicious_rcu("INFO", report);
    }
    if let Some(r) = s.strip_prefix("INFO: task ") {
        // The task name (up to 100 characters) may contain anything.
        let window = r.get(..r.len().min(120)).unwrap_or(r);
        let blocked = window
            .find(" blocked ")
            .and_then(|i| r.get(i + 9..))
            .is_some_and(|t| {
                let t = t.strip_prefix("in I/O wait ").unwrap_or(t);
                t.strip_prefix("for more than ")
                    .map(|u| (u.bytes().take_while(u8::is_ascii_digit).count(), u))
                    .is_some_and(|(n, u)| {
                        n > 0 && u.get(n..).is_some_and(|v| v.starts_with(" seconds"))
                    })
            });
        if blocked {
            return Some(framed(
                "INFO: task hung",
                Kind::HungTask,
                &Recipe::new(TRACE).pick(Pick::Hang),
                report,
            ));
        }
        if window.contains(" can't die for more than ") {
            return Some(framed(
                "INFO: task can't die",
                Kind::HungTask,
                &Recipe::new(TRACE).skip(&["schedule"]),
                report,
            ));
        }
    }
    for (key, what) in [
        ("INFO: Freed in ", "Freed"),
        ("INFO: Allocated in ", "Allocated"),
    ] {
        if let Some(r) = s.strip_prefix(key) {
            return Some(Described {
                no_frame: true,
                ..Described::plain(format!("INFO: {what} in {r}"), Kind::Kasan)
            });
        }
    }
    if s.trim_end() == "INFO:" {
        return Some(Described {
            no_frame: true,
            ..Described::plain("INFO: corrupted", Kind::Other)
        });
    }
    None
}

fn panic(head: &str, report: &[&str]) -> Option<Described> {
    let msg = rest_after(head, "Kernel panic - not syncing: ")?;
    if let Some(r) = msg.strip_prefix("stack-protector: Kernel stack is corrupted in: ") {
        if let Some((f, _)) = frame::func_at(r) {
            return Some(Described::plain(
                format!("kernel panic: stack is corrupted in {f}"),
                Kind::Panic,
            ));
        }
        if r.bytes().next().is_some_and(|b| b.is_ascii_hexdigit()) {
            return Some(framed(
                "kernel panic: stack is corrupted",
                Kind::Panic,
                &Recipe::new(TRACE).skip(&["stack_chk"]),
                report,
            ));
        }
        return None;
    }
    if msg.starts_with("corrupted stack end detected inside scheduler") {
        return Some(framed(
            "kernel panic: corrupted stack end",
            Kind::Panic,
            &Recipe::new(TRACE)
                .skip(&["schedule", "retint_kernel"])
                .pick(Pick::Stall),
            report,
        ));
    }
    if msg.starts_with("kernel stack overflow") {
        return Some(framed(
            "kernel stack overflow",
            Kind::Panic,
            &Recipe::new(TRACE).skip(&["bad_stack"]).pick(Pick::Stall),
            report,
        ));
    }
    if msg.starts_with("Attempted to kill init!") {
        return Some(Described::plain(
            "kernel panic: Attempted to kill init!",
            Kind::Panic,
        ));
    }
    if msg.starts_with("Couldn't open N_TTY ldisc for ") && msg.contains(" --- error -") {
        return Some(Described::plain(
            "kernel panic: Couldn't open N_TTY ldisc",
            Kind::Panic,
        ));
    }
    // These follow another report whose header is missing.
    for (key, title) in [
        ("Fatal exception", "kernel panic: Fatal exception"),
        ("panic_on_warn set", "kernel panic: panic_on_warn set"),
        (
            "hung_task: blocked tasks",
            "kernel panic: hung_task: blocked tasks",
        ),
    ] {
        if msg.starts_with(key) {
            return Some(Described {
                no_frame: true,
                ..Described::plain(title, Kind::Panic)
            });
        }
    }
    Some(Described::plain(
        format!("kernel panic: {msg}"),
        Kind::Panic,
    ))
}

fn ubsan(head: &str, report: &[&str]) -> Option<Described> {
    let recipe = Recipe::new(TRACE).skip(&["ubsan", "overflow"]);
    let body = rest_after(head, "UBSAN: ")?;
    for (key, title) in [
        ("Undefined behaviour in", "UBSAN: undefined-behaviour"),
        (
            "array-index-out-of-bounds in",
            "UBSAN: array-index-out-of-bounds",
        ),
    ] {
        if body.starts_with(key) {
            return Some(framed(title, Kind::Ubsan, &recipe, report));
        }
    }
    let i = body.find(" in")?;
    let what = body.get(..i)?;
    Some(framed(
        &format!("UBSAN: {what}"),
        Kind::Ubsan,
        &recipe,
        report,
    ))
}

fn trusty(head: &str) -> Option<Described> {
    let r = rest_after(head, "trusty: panic")?;
    if r.contains(" ASSERT FAILED") {
        // `trusty: panic (<where>): ASSERT FAILED at (<file>): <message>`
        let msg = r
            .strip_prefix(" (")
            .and_then(|t| t.find("):").and_then(|i| t.get(i + 2..)))
            .map(|t| t.strip_prefix(" DEBUG").unwrap_or(t))
            .and_then(|t| t.strip_prefix(" ASSERT FAILED at ("))
            .and_then(|t| t.find("): ").and_then(|i| t.get(i + 3..)));
        if let Some(m) = msg.filter(|m| !m.is_empty()) {
            return Some(Described::plain(
                format!("trusty: ASSERT FAILED: {m}"),
                Kind::Panic,
            ));
        }
        let after = r.rfind(':').and_then(|i| r.get(i + 1..)).unwrap_or("");
        return Some(Described {
            no_frame: true,
            ..Described::plain(
                format!("trusty: ASSERT FAILED: {}", after.trim_start()),
                Kind::Panic,
            )
        });
    }
    let msg = r
        .strip_prefix(" (")
        .and_then(|t| t.find("): ").and_then(|i| t.get(i + 3..)))?;
    Some(Described::plain(
        format!("trusty: panic: {msg}"),
        Kind::Panic,
    ))
}

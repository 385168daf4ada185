//! Crash signatures: a readable title and a stable id for a Linux crash log,
//! such that two logs of the same crash get the same id and two different
//! crashes do not.
//!
//! ```
//! use panicqr_signature::{analyse, Kind};
//!
//! let log = "\
//! [  41.1][ T8012] BUG: KASAN: use-after-free in tcp_close+0x1a/0x2b
//! [  41.1][ T8012] Read of size 8 at addr ffff88801c2d3e40 by task syz/8012
//! [  41.1][ T8012] Call Trace:
//! [  41.1][ T8012]  dump_stack+0x194/0x257
//! [  41.1][ T8012]  kasan_report+0x1a/0x2b
//! [  41.1][ T8012]  tcp_close+0x1a/0x2b
//! [  41.1][ T8012]  inet_release+0x1a/0x2b
//! ";
//! let sig = analyse(log);
//! assert_eq!(sig.title, "KASAN: use-after-free Read in tcp_close");
//! assert_eq!(sig.kind, Kind::Kasan);
//! assert_eq!(sig.frames, ["tcp_close", "inet_release"]);
//! assert_eq!(sig.signature, panicqr_signature::signature_of(&sig.title));
//! ```
//!
//! # The rule
//!
//! 1. Lines lose their printk prefix (`[  12.345678][ T123] `), which also
//!    says which task or CPU printed them; unreliable frames (`? foo+…`)
//!    are dropped.
//! 2. The first crash header is found: `BUG:`, `WARNING:`, `INFO:`,
//!    `general protection fault`, `Unable to handle kernel`,
//!    `kernel BUG at`, `Internal error:`, `UBSAN:`, `Kernel panic - not
//!    syncing:`… A panic that only ends another report (`Fatal
//!    exception`, `panic_on_warn set`, `hung_task: blocked tasks`…) does
//!    not count.
//! 3. The report is that header's lines: the same task or CPU, up to the
//!    next report.
//! 4. The header's kind says where its guilty frame is (the RIP line, the
//!    first frame of the call trace, the access site after KASAN's own
//!    frames, the frame above where a stalled loop was entered, the lock a
//!    hung task waits for…) and the generic frames to skip on the way:
//!    panic, printk, dump_stack, the sanitizers, locking, allocation,
//!    string and list helpers.
//! 5. The title is the header's wording with the variable parts stripped
//!    ([`normalise`]) and `in <frame>` added, in syzkaller's words; the
//!    [signature](signature_of) is a hash of the title.
//!
//! When a log starts inside a report (a QR code carries only the newest
//! lines, and a long report loses its header), that report is the first
//! one, and its title comes from what it left ([`Evidence::Trace`]): the
//! panic it caused names its kind (`softlockup: hung tasks` → a soft
//! lockup, `Fatal exception` → an oops), KASAN's shadow-memory dump names
//! the bug type, and the top of its call trace names the frame.
//!
//! The rules follow syzkaller's Linux report parser (its crash titles are
//! what syzbot groups millions of reports by), written anew here.
#![cfg_attr(
    test,
    allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

mod extract;
mod frame;
mod line;
mod normalise;
mod remnant;
mod rules;

pub use normalise::normalise;

use line::{Context, Line};

/// What kind of crash a log shows.
///
/// ```
/// use panicqr_signature::{analyse, Kind};
///
/// let sig = analyse("[ 9.1] INFO: task kworker/0:1:12 blocked for more than 143 seconds.\n");
/// assert_eq!(sig.kind, Kind::HungTask);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// KASAN: use-after-free, out-of-bounds, invalid free.
    Kasan,
    /// KMSAN: use of uninitialised memory, info leaks.
    Kmsan,
    /// KCSAN: data races.
    Kcsan,
    /// KFENCE: sampled memory errors.
    Kfence,
    /// UBSAN: undefined behaviour.
    Ubsan,
    /// kmemleak: unreferenced memory.
    MemoryLeak,
    /// A bad memory access: page fault, NULL pointer, general protection
    /// fault, arm's `Internal error`/`Unhandled fault`, divide error.
    BadAccess,
    /// `kernel BUG at …`: a failed `BUG_ON`.
    KernelBug,
    /// Other `BUG:` reports (bad page state, sleeping in atomic context…).
    Bug,
    /// `WARNING:` (a failed `WARN_ON`, refcount or debugobjects warnings).
    Warning,
    /// lockdep and lock debugging: possible deadlocks, bad unlocks.
    Locking,
    /// A task blocked for too long (hung-task detector).
    HungTask,
    /// An RCU stall or a soft lockup.
    Stall,
    /// `Kernel panic - not syncing` as the report itself (not as the end
    /// of another one), a stack-protector or corrupted-stack panic.
    Panic,
    /// A crash report of another kind.
    Other,
    /// No crash report in the log: no header, no call trace.
    NoCrash,
}

/// Where a title came from.
///
/// ```
/// use panicqr_signature::{analyse, Evidence};
///
/// // The header of this report was cut off: only its stack is left.
/// let tail = "[ 70.4]  do_raw_spin_lock+0x1aa/0x1e0\n[ 70.4]  selinux_inode_free_security+0x12a/0x410\n";
/// let sig = analyse(tail);
/// assert_eq!(sig.evidence, Evidence::Trace);
/// assert_eq!(sig.title, "crash in selinux_inode_free_security");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// The first crash header in the log.
    Header,
    /// The log starts inside a report, or has no header: the title comes
    /// from what the report left (the panic it caused, KASAN's memory dump,
    /// its call trace). Less sure than a header: the kind may be unknown
    /// (`Oops in …`, `crash in …`).
    Trace,
    /// Nothing to go on: no header, no frames.
    Nothing,
}

/// A crash's identity. Equal `signature`s mean the same crash.
///
/// ```
/// use panicqr_signature::analyse;
///
/// // The same crash on another boot: other times, addresses, PIDs, CPUs.
/// let a = analyse("[ 55.9] WARNING: CPU: 1 PID: 8377 at x.c:7 kvm_run+0x1f7/0x5a00\n[ 56.1] RIP: 0010:kvm_run+0x1f7/0x5a00\n");
/// let b = analyse("[ 12.0] WARNING: CPU: 0 PID: 311 at x.c:7 kvm_run+0x1f7/0x5a00\n[ 12.1] RIP: 0010:kvm_run+0x1f7/0x5a00\n");
/// assert_eq!(a.signature, b.signature);
/// assert_eq!(a.title, "WARNING in kvm_run");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Readable, syzkaller-style: `KASAN: use-after-free Read in tcp_close`,
    /// `WARNING in xfrm_state_fini`, `INFO: task hung in rtnl_lock`. No
    /// addresses, offsets, PIDs, CPU numbers or timestamps.
    pub title: String,
    /// 16 lowercase hex digits: [`signature_of`] the title.
    pub signature: String,
    /// What kind of crash it is.
    pub kind: Kind,
    /// The call trace's top frames without offsets and without the generic
    /// ones (panic, printk, dump_stack, sanitizers, locking, allocators),
    /// top first, at most [`MAX_FRAMES`].
    pub frames: Vec<String>,
    /// The title names no frame because none was found where the crash
    /// kind keeps it (the title then ends in `corrupted`, as syzkaller's
    /// do).
    pub no_frame: bool,
    /// Where the title came from.
    pub evidence: Evidence,
}

/// The most frames a [`Signature`] lists.
///
/// ```
/// let sig = panicqr_signature::analyse("[ 1.0]  f1+0x1/0x2\n[ 1.0]  f2+0x1/0x2\n");
/// assert!(sig.frames.len() <= panicqr_signature::MAX_FRAMES);
/// ```
pub const MAX_FRAMES: usize = 8;

/// The title given to a log without any crash report.
///
/// ```
/// let sig = panicqr_signature::analyse("[ 1.0] Linux version 6.1.0\n");
/// assert_eq!(sig.title, panicqr_signature::NO_CRASH);
/// ```
pub const NO_CRASH: &str = "no crash report";

/// The id of a title: 64-bit FNV-1a over the title's UTF-8 bytes
/// (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`), written as
/// 16 lowercase hex digits, most significant first. The same on every
/// platform and in every run; anyone can recompute it from the title.
///
/// ```
/// assert_eq!(panicqr_signature::signature_of(""), "cbf29ce484222325");
/// assert_eq!(panicqr_signature::signature_of("a"), "af63dc4c8601ec8c");
/// ```
pub fn signature_of(title: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in title.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Analyses a crash log, whole or only its newest lines.
///
/// The title comes from the log's first crash header (BUG, Oops, WARNING,
/// KASAN, kernel panic, hung task, RCU stall…) and the guilty frame of its
/// report; when no header is left (a QR code carries only the newest
/// lines), from the call trace that is.
///
/// ```
/// use panicqr_signature::{analyse, Evidence, Kind};
///
/// let log = "\
/// [ 1.0] WARNING: CPU: 1 PID: 1 at net/xfrm/xfrm_state.c:2336 xfrm_state_fini+0x2a/0x30
/// [ 1.0] RIP: 0010:xfrm_state_fini+0x2a/0x30
/// [ 1.0] Call Trace:
/// [ 1.0]  xfrm_net_exit+0x1a/0x20
/// [ 1.0]  ops_exit_list+0xa5/0x110
/// ";
/// let sig = analyse(log);
/// assert_eq!(sig.title, "WARNING in xfrm_state_fini");
/// assert_eq!((sig.kind, sig.evidence), (Kind::Warning, Evidence::Header));
///
/// assert_eq!(analyse("hello\n").kind, Kind::NoCrash);
/// ```
pub fn analyse(log: &str) -> Signature {
    let lines = line::split(log);
    let reliable: Vec<&Line<'_>> = lines.iter().filter(|l| !l.questionable).collect();
    let texts: Vec<&str> = reliable.iter().map(|l| l.text).collect();
    let callers: Vec<Context> = reliable.iter().map(|l| l.context).collect();
    let header = first_header(&lines);
    // A log that starts inside a report lost that report's header: the
    // first header left belongs to a later report.
    let cut = lines
        .iter()
        .find(|l| !l.text.trim().is_empty())
        .is_some_and(|l| remnant::is_report_body(l.text));
    let remnant = if cut || header.is_none() {
        let end = header.map_or(texts.len(), |(at, _)| {
            let head = lines.get(at).map_or("", |l| l.text);
            texts
                .iter()
                .position(|t| std::ptr::eq(*t, head))
                .unwrap_or(texts.len())
        });
        remnant::describe(&texts, &callers, end)
    } else {
        None
    };
    let (d, evidence) = match (remnant, header) {
        (Some(d), _) => (d, Evidence::Trace),
        (None, Some((at, (h, col)))) => (describe_at(&lines, at, h, col), Evidence::Header),
        (None, None) => (
            rules::Described {
                title: NO_CRASH.to_string(),
                kind: Kind::NoCrash,
                frames: Vec::new(),
                no_frame: false,
            },
            Evidence::Nothing,
        ),
    };
    let title = normalise::title(&d.title);
    let mut frames = d.frames;
    frames.dedup();
    frames.truncate(MAX_FRAMES);
    Signature {
        signature: signature_of(&title),
        title,
        kind: d.kind,
        frames,
        no_frame: d.no_frame,
        evidence,
    }
}

/// The first crash header in the lines: its line, kind and column.
///
/// A panic that only ends another report (`Fatal exception`,
/// `panic_on_warn set`…) does not count: when it is the first header left,
/// the report's own header was cut off. In a log with printk timestamps,
/// headers on lines without one come last: they are other programs'
/// output quoting the kernel.
fn first_header(lines: &[Line<'_>]) -> Option<(usize, (rules::Header, usize))> {
    let stamped = lines.iter().any(|l| l.context != Context::None);
    let headers = || {
        lines.iter().enumerate().filter_map(|(i, l)| {
            let h = rules::header(l.text)?;
            remnant::follow_up(l.text).is_none().then_some((i, h))
        })
    };
    headers()
        .find(|&(i, _)| !stamped || lines.get(i).is_some_and(|l| l.context != Context::None))
        .or_else(|| headers().next())
}

/// The report whose header is at line `at`, column `col`.
fn describe_at(
    lines: &[Line<'_>],
    at: usize,
    header: rules::Header,
    col: usize,
) -> rules::Described {
    let head = lines.get(at).map_or("", |l| l.text);
    let report = report_lines(lines, at);
    rules::describe(header, head.get(col..).unwrap_or(head), &report)
}

/// The lines of the report that starts at `at`: those printed by the same
/// task or CPU, up to the next report, without unreliable frames.
fn report_lines<'a>(lines: &[Line<'a>], at: usize) -> Vec<&'a str> {
    let Some(head) = lines.get(at) else {
        return Vec::new();
    };
    let context = head.context;
    let per_caller = matches!(context, Context::Task(_) | Context::Cpu(_));
    // KMSAN reports are short: no registers, no `Call Trace:` line.
    let min_lines = if head.text.contains("BUG: KMSAN:") {
        16
    } else {
        22
    };
    let mut out = vec![head.text];
    let (mut count, mut rest_skipped, mut all_cpus) = (1, false, false);
    for l in lines.iter().skip(at + 1) {
        if !per_caller && (rules::starts_another(l.text) || stack_dumping_message(l.text)) {
            break;
        }
        if l.questionable && l.context != Context::None {
            continue;
        }
        let same = l.context == context || (all_cpus && matches!(l.context, Context::Cpu(_)));
        if !same {
            continue;
        }
        count += 1;
        let mut skip = rest_skipped;
        if l.text
            .contains("Disabling lock debugging due to kernel taint")
        {
            skip = true;
        } else if l.text.contains("Sending NMI from CPU") {
            // A backtrace of all CPUs follows, each in its own context.
            all_cpus = true;
        } else if (l.text.contains("Kernel panic - not syncing")
            || l.text
                .contains("WARNING: possible circular locking dependency detected"))
            && count > min_lines
        {
            // panic_on_warn's panic, or lockdep tripping over the oops's
            // own locking: the report proper is over.
            rest_skipped = true;
            skip = true;
        }
        if !skip {
            out.push(l.text);
        }
    }
    out
}

/// Messages that print a stack trace without being a crash: inside a
/// report they mean other output got mixed in.
fn stack_dumping_message(text: &str) -> bool {
    [
        "vmalloc: allocation failure:",
        "FAULT_INJECTION: forcing a failure",
        "FAULT_FLAG_ALLOW_RETRY missing",
    ]
    .iter()
    .any(|k| text.contains(k))
}

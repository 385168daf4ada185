//! Logs whose crash header was cut off: a QR code carries only the newest
//! lines, and a long report (a KASAN report with its allocation and free
//! stacks, a hung-task dump, an RCU stall with every CPU's backtrace) can
//! lose its first lines. What is left still says a lot: the panic that
//! followed names the kind of report (`softlockup: hung tasks`,
//! `hung_task: blocked tasks`, `Fatal exception`…), KASAN's and RCU's
//! leftovers are recognisable, and the tail of the call trace is there.

use crate::extract::{self, Pick, Recipe, Step, RIP_TRACE, TRACE};
use crate::frame;
use crate::line::Context;
use crate::rules::{self, Described};
use crate::Kind;

/// What a `Kernel panic - not syncing:` line that ends another report
/// says about that report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FollowUp {
    /// `Fatal exception`: an oops (fault, `BUG()`), kind unknown.
    Oops,
    /// `panic_on_warn set`: a WARNING or a sanitizer report.
    Warn,
    /// `hung_task: blocked tasks`.
    HungTask,
    /// `softlockup: hung tasks`.
    SoftLockup,
    /// `Machine halted.`: a double fault.
    DoubleFault,
    /// `scheduling while atomic`.
    SchedulingWhileAtomic,
}

/// The report a panic line follows, if it is such a panic.
pub(crate) fn follow_up(text: &str) -> Option<FollowUp> {
    let i = text.find("Kernel panic - not syncing: ")?;
    let msg = text.get(i + "Kernel panic - not syncing: ".len()..)?;
    let msg = msg.strip_prefix("Oops: ").unwrap_or(msg);
    if msg.starts_with("Fatal exception") || msg.starts_with("Aiee, killing interrupt handler") {
        Some(FollowUp::Oops)
    } else if msg.contains("panic_on_warn set") || msg.contains("panic_on_kmsan set") {
        Some(FollowUp::Warn)
    } else if msg.starts_with("hung_task: blocked tasks") {
        Some(FollowUp::HungTask)
    } else if msg.starts_with("softlockup: hung tasks") {
        Some(FollowUp::SoftLockup)
    } else if msg.starts_with("Machine halted.") {
        Some(FollowUp::DoubleFault)
    } else if msg.starts_with("scheduling while atomic") {
        Some(FollowUp::SchedulingWhileAtomic)
    } else {
        None
    }
}

/// Frames of KASAN's reporting code on the stack of the bad access.
const KASAN_REPORT: &[&str] = &[
    "kasan_report",
    "__asan_report_",
    "kasan_check_range",
    "check_memory_region",
    "kasan_end_report",
    "print_address_description",
];

/// Frames of the RCU stall detector.
const RCU_STALL: &[&str] = &[
    "rcu_dump_cpu_stacks",
    "print_cpu_stall",
    "print_other_cpu_stall",
    "rcu_check_callbacks",
    "rcu_sched_clock_irq",
    "rcu_pending",
];

/// Whether a line belongs to the body of a crash report (so a log that
/// starts with it was cut inside a report): a frame, a register dump, the
/// trace markers, the lines between a header and its trace.
pub(crate) fn is_report_body(text: &str) -> bool {
    let t = text.trim_start();
    if !frame::frame_names(t).is_empty() || frame::rip(t).is_some() || register_line(t) {
        return true;
    }
    let starts = [
        "? ",
        "Call Trace:",
        "Call trace:",
        "Backtrace:",
        "<TASK>",
        "</TASK>",
        "<IRQ>",
        "</IRQ>",
        "<NMI>",
        "</NMI>",
        "Exception stack(",
        "Code:",
        "Modules linked in:",
        "Hardware name:",
        "Not tainted",
        "Tainted:",
        "Read of size ",
        "Write of size ",
        "The buggy address ",
        "Memory state around the buggy address",
        "---[ end trace",
    ];
    starts.iter().any(|k| t.starts_with(k))
        || t.contains("hung_task_timeout_secs\" disables this message")
        || (t.starts_with("CPU: ") && t.contains(" PID: ") && t.contains(" Comm: "))
        || task_state(t)
}

/// The task line of a task dump: `task:syz state:D stack:27584 pid:20104 …`
/// or, before Linux 5.10, `syz-executor.3  D27584 20104  16534 0x00000004`.
fn task_state(t: &str) -> bool {
    if t.starts_with("task:") && t.contains(" state:") {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let number = |w: &&str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    match words.as_slice() {
        [_, state, pid, ppid, flags] => {
            let mut st = state.chars();
            st.next().is_some_and(|c| "RSDTtXZPI".contains(c))
                && st.as_str().bytes().all(|b| b.is_ascii_digit())
                && number(pid)
                && number(ppid)
                && flags.starts_with("0x")
        }
        _ => false,
    }
}

/// `RSP: 0018:ffff8801c5e37720`, `RAX: ffffffffffffffda`, `x29: ffff…`,
/// `r10:8538e974`: a register name, a colon, a long hex value.
fn register_line(t: &str) -> bool {
    let name = t.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if name == 0 || name > 6 || !t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let Some(rest) = t.get(name..).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let rest = rest.trim_start_matches(' ');
    rest.bytes().take_while(u8::is_ascii_hexdigit).count() >= 4
}

/// Stacks that tell the history of an object (who allocated and freed
/// it), not where the crash is.
fn is_history(line: &str) -> bool {
    [
        "Allocated by task ",
        "Freed by task ",
        "Allocated:",
        "Freed:",
        "potentially related work creation",
        "page last allocated",
        "page last free",
    ]
    .iter()
    .any(|k| line.contains(k))
}

/// A title for a report whose header was cut off, from what it left in
/// `lines[..end]` (`end` is where the next report starts, or the end).
/// `None` when nothing says what it was.
pub(crate) fn describe(lines: &[&str], callers: &[Context], end: usize) -> Option<Described> {
    let region = lines.get(..end).unwrap_or(lines);
    let frames_from = |from: usize, recipe: &Recipe| first_frame(region, callers, from, recipe);
    let panic = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| follow_up(l).map(|f| (i, f)));
    let names_at = |i: usize| frame::frame_names(region.get(i).copied().unwrap_or(""));
    let kasan_frame = (0..region.len()).find(|&i| {
        names_at(i)
            .iter()
            .any(|n| frame::matches_any(KASAN_REPORT, n))
    });
    let kasan_text = region.iter().any(|l| {
        l.contains("The buggy address ") || l.contains("Memory state around the buggy address")
    });
    if kasan_frame.is_some() || kasan_text {
        let from = kasan_frame.unwrap_or(0);
        let found = frames_from(from, &Recipe::new(&[Step::Frames]));
        return Some(Described::in_frame(
            &kasan_title(region),
            Kind::Kasan,
            found,
        ));
    }
    let hung_text = region
        .iter()
        .any(|l| l.contains("hung_task_timeout_secs\" disables this message"));
    let what = panic
        .map(|(_, f)| f)
        .or(hung_text.then_some(FollowUp::HungTask));
    if let Some(what) = what {
        // The panic prints its own stack, which runs through the report's
        // code, unless another report came in between.
        let after = panic
            .filter(|&(at, _)| at < end)
            .and_then(|(at, _)| region.get(at..))
            .unwrap_or(&[]);
        let before = panic
            .and_then(|(at, _)| region.get(..at.min(region.len())))
            .unwrap_or(region);
        return Some(match what {
            FollowUp::SoftLockup => rules::framed(
                "BUG: soft lockup",
                Kind::Stall,
                &Recipe::new(RIP_TRACE).pick(Pick::Stall),
                after,
            ),
            FollowUp::HungTask => Described::in_frame(
                "INFO: task hung",
                Kind::HungTask,
                frames_from(0, &Recipe::new(&[Step::Frames]).pick(Pick::Hang)),
            ),
            FollowUp::Warn => warning(after),
            FollowUp::SchedulingWhileAtomic => rules::framed(
                "BUG: scheduling while atomic",
                Kind::Bug,
                &Recipe::new(TRACE).skip(&["schedule"]),
                after,
            ),
            FollowUp::DoubleFault => {
                Described::in_frame("PANIC: double fault", Kind::BadAccess, last_rip(before))
            }
            FollowUp::Oops => {
                let found = last_rip(before);
                let found = if found.frame.is_some() {
                    found
                } else {
                    first_frame(before, callers, 0, &Recipe::new(&[Step::Frames]))
                };
                Described::in_frame("Oops", Kind::Other, found)
            }
        });
    }
    let rcu =
        (0..region.len()).any(|i| names_at(i).iter().any(|n| frame::matches_any(RCU_STALL, n)));
    if rcu {
        return Some(rules::framed(
            "INFO: rcu detected stall",
            Kind::Stall,
            &rules::RCU_STALL_STACK,
            region,
        ));
    }
    // Nothing tells what kind of report this was: its top frame names it.
    let found = frames_from(0, &Recipe::new(&[Step::Frames]));
    found
        .frame
        .is_some()
        .then(|| Described::in_frame("crash", Kind::Other, found))
}

/// A WARNING from the stack of the panic it caused: `__warn`, the trap
/// handler, then the instruction pointer of the warning site. The site's
/// function tells the special kinds (refcount, ODEBUG…).
fn warning(after: &[&str]) -> Described {
    let site = after.iter().find_map(|l| frame::rip(l).flatten());
    let class = site.and_then(|f| {
        rules::WARNING_CLASSES
            .iter()
            .find(|c| frame::matches_any(c.sites, f))
    });
    match class {
        Some(c) => rules::framed(c.title, c.kind, &rules::warning_stack(c.skip), after),
        None => rules::framed("WARNING", Kind::Warning, &rules::warning_stack(&[]), after),
    }
}

/// The most stacks [`first_frame`] reads. A report has a few (the bad
/// access, the allocation and free histories, an interrupt over a task);
/// each is read from its caller's lines among all those after it, so a log
/// of nothing but stack openings would otherwise cost the square of its
/// length (a 4 MiB one, minutes).
const MAX_STACKS: usize = 32;

/// The first stack from `from` on that has a non-generic frame, leaving
/// out allocation and free histories. A stack is read from the lines of
/// one caller: other CPUs' backtraces may be interleaved with it.
fn first_frame(
    lines: &[&str],
    callers: &[Context],
    from: usize,
    recipe: &Recipe,
) -> extract::Found {
    let mut at = from;
    let mut history = false;
    let mut stacks = 0;
    while let Some(rest) = lines.get(at..).filter(|r| !r.is_empty()) {
        stacks += 1;
        if stacks > MAX_STACKS {
            break;
        }
        if !history {
            let view = one_caller(rest, callers.get(at..).unwrap_or(&[]));
            let found = extract::run(recipe, &view);
            if found.frame.is_some() {
                return found;
            }
        }
        // The frames read stopped at a stack opening: go on after it.
        match rest.iter().position(|l| frame::is_stack_start(l)) {
            Some(i) => {
                history = rest.get(i).is_some_and(|l| is_history(l));
                at += i + 1;
            }
            None => break,
        }
    }
    extract::Found::default()
}

/// The lines printed by the caller that printed the first frame, when
/// callers are known.
fn one_caller<'a>(lines: &[&'a str], callers: &[Context]) -> Vec<&'a str> {
    let first = lines
        .iter()
        .zip(callers)
        .find(|(l, _)| !frame::frame_names(l).is_empty())
        .map(|(_, &c)| c);
    match first {
        Some(c @ (Context::Task(_) | Context::Cpu(_))) => lines
            .iter()
            .zip(callers)
            .filter(|&(_, &d)| d == c)
            .map(|(l, _)| *l)
            .collect(),
        _ => lines.to_vec(),
    }
}

/// The last kernel instruction pointer before the panic: where the oops
/// happened (old kernels repeat it at the end: `RIP: foo+0x1/0x2 RSP: …`).
fn last_rip(before: &[&str]) -> extract::Found {
    let frame = before
        .iter()
        .rev()
        .find_map(|l| frame::rip(l).flatten())
        .and_then(|f| {
            let generic = frame::matches_any(frame::GENERIC, f);
            (!generic).then(|| frame::canonical(f).to_string())
        });
    extract::Found {
        frames: frame.iter().cloned().collect(),
        frame,
    }
}

/// The bug type the shadow memory dump shows: KASAN marks the bad byte
/// with a `^` under the row starting with `>`; the first inaccessible
/// shadow byte from there says what the memory is. Values that changed
/// meaning between kernel versions (`fa`, `f8`, `fe`) say nothing.
fn shadow_bug_type(lines: &[&str]) -> Option<&'static str> {
    lines.windows(2).find_map(|w| {
        let row = w.first()?.trim_start();
        let caret = w.get(1)?;
        let bytes = row.strip_prefix('>')?;
        let colon = bytes.find(": ")?;
        let first = row.len() - bytes.len() + colon + 2;
        // Both lines had the same printk prefix: columns line up.
        let pad = w.first()?.len() - row.len();
        let col = caret.find('^')?.checked_sub(pad)?;
        let index = col.checked_sub(first)? / 3;
        let values: Vec<u8> = bytes
            .get(colon + 2..)?
            .split(' ')
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect();
        let bad = values.get(index..)?.iter().find(|&&v| v >= 8)?;
        match bad {
            0xf1..=0xf4 => Some("stack-out-of-bounds"),
            0xf9 => Some("global-out-of-bounds"),
            0xfc => Some("slab-out-of-bounds"),
            0xfb | 0xfd | 0xff => Some("use-after-free"),
            _ => None,
        }
    })
}

/// `KASAN: <bug type> <Read|Write>`, as far as the leftovers tell.
fn kasan_title(lines: &[&str]) -> String {
    let has = |k: &str| lines.iter().any(|l| l.contains(k));
    let freed = lines.iter().any(|l| {
        l.find("Freed by task ")
            .and_then(|i| l.get(i + 14..))
            .is_some_and(|r| {
                r.trim_start_matches(|c: char| c.is_ascii_digit())
                    .starts_with(':')
            })
    });
    // Since Linux 6.4 a freed slab object's region is called `freed` and
    // the bug `slab-use-after-free`.
    let freed_region = lines.windows(2).any(|w| {
        w.first().is_some_and(|a| a.contains(" bytes inside of"))
            && w.get(1).is_some_and(|b| b.contains(" freed "))
    });
    let what = if let Some(what) = shadow_bug_type(lines) {
        if what == "use-after-free" && freed_region {
            "slab-use-after-free"
        } else {
            what
        }
    } else if has("stack of task") || has("is located in stack") {
        "stack-out-of-bounds"
    } else if has("belongs to the variable") {
        "global-out-of-bounds"
    } else if freed_region {
        "slab-use-after-free"
    } else if has(" bytes to the right of") || has(" bytes to the left of") {
        "slab-out-of-bounds"
    } else if freed {
        "use-after-free"
    } else {
        "bad-access"
    };
    let names: Vec<&str> = lines.iter().flat_map(|l| frame::frame_names(l)).collect();
    let read = names
        .iter()
        .any(|n| n.contains("__asan_report_load") || n.ends_with("kasan_check_read"));
    let write = names
        .iter()
        .any(|n| n.contains("__asan_report_store") || n.ends_with("kasan_check_write"));
    match (read, write) {
        (true, false) => format!("KASAN: {what} Read"),
        (false, true) => format!("KASAN: {what} Write"),
        _ => format!("KASAN: {what}"),
    }
}

//! Finding the guilty frame in a report: a sequence of steps over the
//! report's lines (find the RIP line, find `Call Trace:`, read the frames…),
//! the generic frames dropped, then one frame picked.

use crate::frame::{self, GENERIC};

/// One step over the report's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Read frames up to the next stack trace opening; if the line matches
    /// the step after this one, take that step instead.
    Frames,
    /// The instruction-pointer line (`RIP:`, `pc :`, `PC is at`, `NIP`).
    Rip,
    /// The RIP line or powerpc's `--- interrupt: N at FUNC`.
    RipOrInterrupt,
    /// `Call Trace:`, `Call trace:` or `Backtrace:`.
    CallTrace,
    /// A line containing any of these.
    AnyOf(&'static [&'static str]),
    /// The function in `<key><words> in FUNC+…` (a sanitizer's header).
    InFunc(&'static str),
    /// `… at: FUNC+…` (lockdep's lock sites).
    AtFunc,
    /// `[<address>] FUNC+…` anywhere on a line.
    PcFunc,
    /// lockdep's `… which became …-unsafe at:`.
    WhichBecame,
}

/// How to pick the guilty frame from the non-generic frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pick {
    /// The top one.
    First,
    /// A stall or lockup interrupts whatever loops, at a random place: the
    /// frame just above where the looping code was entered (a syscall, a
    /// workqueue item, a timer…) names it better.
    Stall,
    /// A hung task shows where it sleeps, not who holds it up: group the
    /// sleepers on rtnl_lock and on RCU grace periods, skip waiting
    /// primitives otherwise.
    Hang,
}

/// How a report's guilty frame is found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recipe {
    pub(crate) steps: &'static [Step],
    /// Tried when `steps` find no frame.
    pub(crate) fallback: &'static [Step],
    /// Frames that are generic for this kind of report, besides [`GENERIC`].
    pub(crate) skip: &'static [&'static str],
    pub(crate) pick: Pick,
}

impl Recipe {
    pub(crate) const fn new(steps: &'static [Step]) -> Recipe {
        Recipe {
            steps,
            fallback: &[],
            skip: &[],
            pick: Pick::First,
        }
    }
    pub(crate) const fn skip(self, skip: &'static [&'static str]) -> Recipe {
        Recipe { skip, ..self }
    }
    pub(crate) const fn pick(self, pick: Pick) -> Recipe {
        Recipe { pick, ..self }
    }
    pub(crate) const fn or(self, fallback: &'static [Step]) -> Recipe {
        Recipe { fallback, ..self }
    }
}

/// What a recipe found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Found {
    /// The guilty frame, canonical (no syscall-wrapper prefix).
    pub(crate) frame: Option<String>,
    /// The non-generic frames it was picked from, top first, canonical.
    pub(crate) frames: Vec<String>,
}

/// `RIP:` then the call trace: the usual oops.
pub(crate) const RIP_TRACE: &[Step] = &[Step::Rip, Step::CallTrace, Step::Frames];
/// The call trace alone.
pub(crate) const TRACE: &[Step] = &[Step::CallTrace, Step::Frames];

/// Runs a recipe over the report lines (the first is the header line).
pub(crate) fn run(recipe: &Recipe, report: &[&str]) -> Found {
    let found = run_steps(recipe, recipe.steps, report);
    if found.frame.is_some() || recipe.fallback.is_empty() {
        return found;
    }
    run_steps(recipe, recipe.fallback, report)
}

fn run_steps(recipe: &Recipe, steps: &[Step], report: &[&str]) -> Found {
    let skipped =
        |name: &str| frame::matches_any(GENERIC, name) || frame::matches_any(recipe.skip, name);
    let mut raw: Vec<String> = Vec::new();
    let push = |raw: &mut Vec<String>, names: &[&str]| {
        for &n in names {
            if !skipped(n) {
                raw.push(frame::canonical(n).to_string());
            }
        }
    };
    let mut first: Option<Found> = None;
    let mut lines = report.iter();
    let mut stacks = 0;
    let mut i = 0;
    loop {
        let step = steps.get(i).copied();
        if step.is_none() || (step == Some(Step::Frames) && stacks > 0) {
            // A group of frames is complete: the report's title uses the
            // first group's frame.
            if first.is_none() {
                first = Some(Found {
                    frame: pick(recipe.pick, &raw),
                    frames: raw.clone(),
                });
            }
            raw.clear();
        }
        let Some(step) = step else { break };
        if step == Step::Frames {
            stacks += 1;
            for line in lines.by_ref() {
                if frame::is_fault_injection(line) || frame::is_stack_start(line) {
                    break;
                }
                if let Some(next) = steps.get(i + 1) {
                    if let Some(names) = matches(*next, line) {
                        push(&mut raw, &names);
                        i += 1;
                        break;
                    }
                }
                push(&mut raw, &frame::frame_names(line));
            }
        } else {
            for line in lines.by_ref() {
                if frame::is_fault_injection(line) {
                    break;
                }
                if let Some(names) = matches(step, line) {
                    push(&mut raw, &names);
                    break;
                }
            }
        }
        i += 1;
    }
    first.unwrap_or_default()
}

/// Whether a line satisfies a (non-`Frames`) step, and the names it gives.
fn matches(step: Step, line: &str) -> Option<Vec<&str>> {
    fn one(f: Option<&str>) -> Vec<&str> {
        f.into_iter().collect()
    }
    match step {
        Step::Frames => None,
        Step::Rip => frame::rip(line).map(one),
        Step::RipOrInterrupt => frame::rip(line)
            .map(one)
            .or_else(|| interrupt(line).map(|f| vec![f])),
        Step::CallTrace => (line.contains("Call Trace:")
            || line.contains("Call trace:")
            || line.contains("Backtrace:"))
        .then(Vec::new),
        Step::AnyOf(keys) => keys.iter().any(|k| line.contains(k)).then(Vec::new),
        Step::InFunc(key) => in_func(line, key).map(|f| vec![f]),
        Step::AtFunc => frame::at_func(line).map(|f| vec![f]),
        Step::PcFunc => frame::pc_func(line).map(|f| vec![f]),
        Step::WhichBecame => {
            let i = line.find("which became ")?;
            line.get(i..)?.contains(" at:").then(Vec::new)
        }
    }
}

/// powerpc: `--- interrupt: 700 at foo+0x1/0x2`.
fn interrupt(line: &str) -> Option<&str> {
    let i = line.find("--- interrupt: ")?;
    let rest = line.get(i + "--- interrupt: ".len()..)?;
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    let rest = rest.get(n..)?.strip_prefix(" at ")?;
    frame::func_at(rest).map(|(f, _)| f)
}

/// `<key>use-after-free in FUNC+…`: words of `[a-z -]` between key and ` in `.
pub(crate) fn in_func<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let i = line.find(key)?;
    let rest = line.get(i + key.len()..)?;
    let mut from = 0;
    while let Some(j) = rest.get(from..)?.find(" in ") {
        let words = rest.get(..from + j)?;
        if words.is_empty()
            || !words
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b' ')
        {
            return None;
        }
        if let Some((f, _)) = rest.get(from + j + 4..).and_then(frame::func_at) {
            return Some(f);
        }
        from += j + 1;
    }
    None
}

fn pick(how: Pick, frames: &[String]) -> Option<String> {
    match how {
        Pick::First => frames.first().cloned(),
        Pick::Stall => stall(frames),
        Pick::Hang => hang(frames),
    }
}

/// Where looping code is entered from: syscalls, workqueues, timers,
/// softirqs, the file and socket operations that name a driver…
const STALL_ANCHORS: &[&str] = &[
    "process_one_work",
    "do_syscall_",
    "do_fast_syscall_",
    "sysenter_dispatch",
    "tracesys_phase2",
    "el0_svc_handler",
    "invoke_syscall",
    "ret_fast_syscall",
    "netif_receive_skb",
    "do_softirq",
    "call_timer_fn",
    "_run_timers",
    "run_timer_softirq",
    "hrtimer_run",
    "run_ksoftirqd",
    "smpboot_thread_fn",
    "^kthread$",
    "start_secondary",
    "cpu_startup_entry",
    "ret_from_fork",
    "vfs_write",
    "vfs_read",
    "vfs_iter_read",
    "vfs_iter_write",
    "do_iter_read",
    "do_iter_write",
    "call_read_iter",
    "call_write_iter",
    "new_sync_read",
    "new_sync_write",
    "vfs_ioctl",
    "ksys_ioctl",
    "compat_ioctl",
    "compat_sys_ioctl",
    "blkdev_driver_ioctl",
    "blkdev_ioctl",
    "do_iter_readv_writev",
    "^call_mmap",
    "mmap_region",
    "do_mmap",
    "do_dentry_open",
    "vfs_open",
    "^sock_sendmsg",
    "^sock_recvmsg",
    "^sock_release",
    "^__sock_release",
    "^setsockopt$",
    "kernel_setsockopt",
    "sock_common_setsockopt",
    "^listen$",
    "kernel_listen",
    "sk_common_release",
    "^sock_mmap",
    "^accept$",
    "kernel_accept",
    "^sock_do_ioctl",
    "^sock_ioctl",
    "^compat_sock_ioctl",
    "^nfnetlink_rcv_msg",
    "^rtnetlink_rcv_msg",
    "^netlink_dump",
    "^socketpair",
    "^connect",
    "^ioctl",
    "^sys_socketpair",
    "^sys_connect",
    "^sys_ioctl",
    "__do_fault",
    "do_page_fault",
    "^page_fault$",
    "__fput",
    "task_work_run",
    "exit_to_usermode",
    "smp_call_function",
    "tasklet_action",
    "tasklet_hi_action",
];

fn stall(frames: &[String]) -> Option<String> {
    let mut prev = frames.first()?;
    for f in frames {
        if frame::matches_any(STALL_ANCHORS, f) {
            if f.contains("smp_call_function") {
                // Its callers vary; the IPI itself is the better name.
                return Some("smp_call_function".to_string());
            }
            return Some(prev.clone());
        }
        prev = f;
    }
    None
}

/// Sleeping and waiting primitives a hung task is found in.
const HANG_GENERIC: &[&str] = &[
    "sched",
    "_lock",
    "_slowlock",
    "down",
    "rwsem",
    "completion",
    "kthread",
    "wait",
    "synchronize",
    "context_switch",
    "__switch_to",
    "cancel_delayed_work",
    "rcu_barrier",
];

fn hang(frames: &[String]) -> Option<String> {
    for f in frames {
        if f.contains("rtnl_lock") {
            return Some(f.clone());
        }
        if [
            "synchronize_rcu",
            "synchronize_srcu",
            "synchronize_net",
            "synchronize_sched",
        ]
        .iter()
        .any(|a| f.contains(a))
        {
            return Some("synchronize_rcu".to_string());
        }
    }
    frames
        .iter()
        .find(|f| !HANG_GENERIC.iter().any(|g| f.contains(g)))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(recipe: &Recipe, text: &str) -> Found {
        let lines: Vec<&str> = text.lines().collect();
        run(recipe, &lines)
    }

    #[test]
    fn rip_then_trace_skips_generic_frames() {
        let r = Recipe::new(RIP_TRACE);
        let f = found(
            &r,
            "general protection fault: 0000\nRIP: 0010:memcpy+0x1/0x2\nCall Trace:\n \
             kasan_report+0x1/0x2\n tcp_close+0x1/0x2\n inet_release+0x1/0x2\n \
             __x64_sys_close+0x1/0x2",
        );
        assert_eq!(f.frame.as_deref(), Some("tcp_close"));
        assert_eq!(f.frames, ["tcp_close", "inet_release", "sys_close"]);
    }

    #[test]
    fn a_trace_ends_at_the_next_one() {
        let r = Recipe::new(TRACE);
        let f = found(
            &r,
            "x\nCall Trace:\n dump_stack+0x1/0x2\nFreed by task 3:\n foo+0x1/0x2",
        );
        assert_eq!(f.frame, None);
    }

    #[test]
    fn stall_picks_the_entry() {
        // The looping code is entered from the ioctl syscall: the frame above
        // it names the device.
        let frames: Vec<String> = ["loop_fn", "kvm_vcpu_ioctl", "ioctl", "do_syscall_64"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(stall(&frames).as_deref(), Some("kvm_vcpu_ioctl"));
        let frames: Vec<String> = ["a", "smp_call_function_many", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(stall(&frames).as_deref(), Some("smp_call_function"));
    }

    #[test]
    fn hang_groups_sleepers() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            hang(&v(&["__schedule", "schedule", "synchronize_srcu", "x"])).as_deref(),
            Some("synchronize_rcu")
        );
        assert_eq!(
            hang(&v(&["__schedule", "rwsem_down_read", "mount_bdev"])).as_deref(),
            Some("mount_bdev")
        );
    }

    #[test]
    fn sanitizer_header_function() {
        assert_eq!(
            in_func(
                "BUG: KASAN: use-after-free in tcp_close+0x1/0x2",
                "BUG: KASAN: "
            ),
            Some("tcp_close")
        );
        assert_eq!(
            in_func(
                "BUG: KASAN: double-free or invalid-free in kfree+0x1/0x2",
                "BUG: KASAN: "
            ),
            Some("kfree")
        );
        assert_eq!(in_func("BUG: KASAN: x y in 1", "BUG: KASAN: "), None);
    }
}

//! Stack frames: reading function names out of trace lines, and telling the
//! generic machinery (panic, printk, sanitizers, locking, allocators…) from
//! the code that crashed.

/// `[<ffffffff81000000>]`, `[ffffffff81000000]` or `[<0x…>]`: a printed
/// address. Returns the text after it.
pub(crate) fn skip_pc(s: &str) -> Option<&str> {
    let s = s.strip_prefix('[')?;
    let s = s.strip_prefix('<').unwrap_or(s);
    let s = s.strip_prefix("0x").unwrap_or(s);
    let n = s.bytes().take_while(is_lower_hex).count();
    if n == 0 {
        return None;
    }
    let s = s.get(n..)?;
    let s = s.strip_prefix('>').unwrap_or(s);
    s.strip_prefix(']')
}

fn is_lower_hex(b: &u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(b)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A function name as traces print it: `name+0x1a/0x2b` or `name.isra.0+…`.
/// Returns the name and the text after it. The `+` or `.` must follow: a bare
/// word is prose, not a frame.
pub(crate) fn func_at(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(|&b| is_word(b)).count();
    if n == 0 {
        return None;
    }
    let rest = s.get(n..)?;
    if rest.starts_with(['+', '.']) {
        Some((s.get(..n)?, rest))
    } else {
        None
    }
}

/// The function names a trace line shows: one for x86/arm64/powerpc style
/// (`  [<…>] foo+0x1/0x2`), two for the old arm style
/// (`[<…>] (foo) from [<…>] (bar+0x1/0x2)`), none for other lines.
pub(crate) fn frame_names(line: &str) -> Vec<&str> {
    let s = line.trim_start_matches(' ');
    let mut t = s;
    for _ in 0..2 {
        match skip_pc(t).and_then(|r| r.strip_prefix(' ')) {
            Some(rest) => t = rest,
            None => break,
        }
    }
    if let Some((name, _)) = func_at(t) {
        return vec![name];
    }
    arm_frames(s).unwrap_or_default()
}

fn arm_frames(s: &str) -> Option<Vec<&str>> {
    let s = skip_pc(s)?.strip_prefix(" (")?;
    let n = s.bytes().take_while(|&b| is_word(b) || b == b'.').count();
    if n == 0 {
        return None;
    }
    let first = s.get(..n)?;
    let s = s.get(n..)?.strip_prefix(") from ")?;
    let s = skip_pc(s)?.strip_prefix(" (")?;
    let (second, _) = func_at(s)?;
    Some(vec![first, second])
}

/// What the instruction-pointer line says: `RIP: 0010:foo+0x1/0x2`,
/// `pc : foo+…`, `PC is at foo+…`, `NIP [c0…] foo+…`. `Some(None)` when the
/// line is such a line but points outside the kernel (`RIP: 0033:0x4570a9`).
pub(crate) fn rip(line: &str) -> Option<Option<&str>> {
    for key in ["IP", "pc ", "PC is at"] {
        let mut from = 0;
        while let Some(i) = line.get(from..).and_then(|s| s.find(key)) {
            let at = from + i + key.len();
            from = at;
            let Some(s) = line.get(at..) else { break };
            let s = s.strip_prefix(':').unwrap_or(s);
            let Some(s) = s.strip_prefix(' ') else {
                continue;
            };
            if let Some(found) = rip_target(s) {
                return Some(found);
            }
        }
    }
    None
}

fn rip_target(s: &str) -> Option<Option<&str>> {
    // An optional `0010:` code segment.
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let after_seg = if digits > 0 {
        s.get(digits..).and_then(|r| r.strip_prefix(':'))
    } else {
        None
    };
    for start in [after_seg, Some(s)].into_iter().flatten() {
        let mut t = start;
        for _ in 0..2 {
            match skip_pc(t) {
                Some(rest) if rest.starts_with(' ') => t = rest.trim_start_matches(' '),
                _ => break,
            }
        }
        if let Some((name, _)) = func_at(t) {
            return Some(Some(name));
        }
        let hex = start
            .strip_prefix("0x")
            .map(|r| r.bytes().take_while(is_lower_hex).count());
        if hex.is_some_and(|n| n > 0) || null_pc(start) {
            return Some(None);
        }
        if start.len() < s.len() && start.trim_start_matches(' ').starts_with("(null)") {
            return Some(None);
        }
    }
    None
}

/// `[<0000000000000000>]  [<          (null)>]           (null)`: a NULL
/// instruction pointer.
fn null_pc(s: &str) -> bool {
    let Some(s) = skip_pc(s).map(|r| r.trim_start_matches(' ')) else {
        return false;
    };
    s.strip_prefix("[<")
        .map(|r| r.trim_start_matches(' '))
        .and_then(|r| r.strip_prefix("(null)>]"))
        .is_some_and(|r| r.starts_with(' ') && r.trim_start_matches(' ').starts_with("(null)"))
}

/// `{{PC}} +{{FUNC}}` anywhere in the line: `[<ffffffff8100>] foo+0x1/0x2`.
pub(crate) fn pc_func(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = line.get(from..).and_then(|s| s.find('[')) {
        let at = from + i;
        from = at + 1;
        let Some(rest) = line.get(at..).and_then(skip_pc) else {
            continue;
        };
        let t = rest.trim_start_matches(' ');
        if t.len() == rest.len() {
            continue;
        }
        if let Some((name, _)) = func_at(t) {
            return Some(name);
        }
    }
    None
}

/// `… at: [<ffffffff8100>] foo+0x1/0x2` (lockdep's lock sites), the address
/// optional.
pub(crate) fn at_func(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = line.get(from..).and_then(|s| s.find("at: ")) {
        let at = from + i + "at: ".len();
        from = at;
        let Some(mut t) = line.get(at..) else { break };
        if let Some(rest) = skip_pc(t) {
            if rest.starts_with(' ') {
                t = rest.trim_start_matches(' ');
            }
        }
        if let Some((name, _)) = func_at(t) {
            return Some(name);
        }
    }
    None
}

/// A line that opens a stack trace: frames after it belong to that trace,
/// and a trace ends where the next one opens.
pub(crate) fn is_stack_start(line: &str) -> bool {
    line.contains("Call Trace")
        || line.contains("Call trace")
        || line.contains("Allocated:")
        || line.contains("Freed:")
        || by_task(line, "Allocated by task ")
        || by_task(line, "Freed by task ")
        || is_backtrace(line)
        || line.contains("Backtrace:")
        || line.contains("Uninit was stored to memory at")
        || (line.contains("status: ") && line.contains(" badaddr: ") && line.contains(" cause: "))
}

fn by_task(line: &str, key: &str) -> bool {
    line.match_indices(key).any(|(i, _)| {
        let rest = line.get(i + key.len()..).unwrap_or("");
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        n > 0 && rest.get(n..).is_some_and(|r| r.starts_with(':'))
    })
}

/// kmemleak's `backtrace:` or `backtrace (crc 1a2b):`, but not lockdep's
/// `stack backtrace:`.
pub(crate) fn is_backtrace(line: &str) -> bool {
    line.match_indices(" backtrace").any(|(i, _)| {
        if i == 0 || line.as_bytes().get(i - 1) == Some(&b'k') {
            return false;
        }
        let rest = line.get(i + " backtrace".len()..).unwrap_or("");
        if rest.starts_with(':') {
            return true;
        }
        rest.strip_prefix(" (crc ")
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_hexdigit()))
            .is_some_and(|r| r.starts_with("):"))
    })
}

/// A fault-injection frame: its stack is mixed into the report, which then
/// cannot be trusted.
pub(crate) fn is_fault_injection(line: &str) -> bool {
    frame_names(line)
        .first()
        .is_some_and(|&f| f == "should_fail" || f == "should_failslab")
}

/// Frames that are never where the bug is: the reporting machinery (panic,
/// printk, dump_stack, the sanitizers), locking, allocation, string and
/// list helpers, and other code every crash passes through.
///
/// The patterns use a small notation: a pattern matches anywhere in the
/// name, `^` and `$` anchor it, `*` matches any run and `#` one digit.
/// The list follows the generic frames syzkaller's Linux report parser
/// skips, so that titles agree with its crash titles.
pub(crate) const GENERIC: &[&str] = &[
    "__sanitizer",
    "__asan",
    "kasan",
    "hwasan",
    "__msan",
    "kmsan",
    "kcsan_setup_watchpoint",
    "check_memory_region",
    "check_heap_object",
    "check_object",
    "read_word_at_a_time",
    "read_once_*nocheck",
    "write_once_*nocheck",
    "print_address_description",
    "panic",
    "invalid_op",
    "report_bug",
    "fixup_bug",
    "print_report",
    "print_usage_bug",
    "do_error",
    "_trap$",
    "do_trap",
    "show_stack",
    "dump_stack",
    "walk_stack",
    "dump_backtrace",
    "warn_slowpath",
    "warn_alloc",
    "warn_bogus",
    "__warn",
    "alloc_page",
    "malloc",
    "zalloc",
    "calloc",
    "krealloc",
    "kmem_cache",
    "allocate_slab",
    "__alloc_frozen_pages_noprof",
    "folio_alloc",
    "folio_unlock",
    "filemap_alloc_folio",
    "__filemap_get_folio",
    "find_or_create_page",
    "do_read_cache_folio",
    "read_cache_page",
    "pagecache_get_page",
    "grab_cache_page_write_begin",
    "slab_",
    "debug_object",
    "timer_is_static_object",
    "work_is_static_object",
    "__might_fault",
    "print_unlock",
    "imbalance_bug",
    "lockdep",
    "bh_enable",
    "bh_disable",
    "perf_trace",
    "lock_acquire",
    "lock_release",
    "lock_class",
    "mark_lock",
    "reacquire_held_locks",
    "mark_held_locks",
    "raw_spin_rq",
    "spin_lock",
    "spin_trylock",
    "spin_unlock",
    "read_lock",
    "read_trylock",
    "write_lock",
    "write_trylock",
    "read_unlock",
    "write_unlock",
    "^down$",
    "down_read",
    "down_write",
    "down_trylock",
    "up_read",
    "up_write",
    "^mutex_",
    "^__mutex_",
    "^rt_mutex_",
    "owner_on_cpu",
    "osq_lock",
    "osq_unlock",
    "atomic_dec",
    "atomic_inc",
    "atomic_read",
    "atomic_set",
    "atomic_or",
    "atomic_xor",
    "atomic_and",
    "atomic_add",
    "atomic_sub",
    "atomic_fetch",
    "atomic_xchg",
    "atomic_cmpxchg",
    "atomic_try",
    "atomic64_dec",
    "atomic64_inc",
    "atomic64_read",
    "atomic64_set",
    "atomic64_or",
    "atomic64_xor",
    "atomic64_and",
    "atomic64_add",
    "atomic64_sub",
    "atomic64_fetch",
    "atomic64_xchg",
    "atomic64_cmpxchg",
    "atomic64_try",
    "set_bit",
    "clear_bit",
    "change_bit",
    "test_bit",
    "__wake_up",
    "^refcount_",
    "^kref_",
    "ref_tracker",
    "seqprop_assert",
    "memcpy",
    "memcmp",
    "memset",
    "memchr",
    "memmove",
    "memdup",
    "strcmp",
    "strncmp",
    "strcpy",
    "strlcpy",
    "strncpy",
    "strscpy",
    "strlen",
    "strstr",
    "strnstr",
    "strnlen",
    "strchr",
    "strdup",
    "strndup",
    "copy_to_user",
    "copy_from_user",
    "copy_to_iter",
    "copy_from_iter",
    "copy_page_to_iter",
    "copy_page_from_iter",
    "copy_folio_to_iter",
    "^copyin$",
    "^copyout$",
    "put_user",
    "get_user",
    "might_fault",
    "might_sleep",
    "list_add",
    "list_del",
    "list_replace",
    "list_move",
    "list_splice",
    "^rb_",
    "^__rb_",
    "_indirect_thunk_",
    "string",
    "pointer",
    "snprintf",
    "scnprintf",
    "kasprintf",
    "kvasprintf",
    "printk",
    "va_format",
    "dev_info",
    "dev_notice",
    "dev_warn",
    "dev_err",
    "dev_alert",
    "dev_crit",
    "dev_emerg",
    "program_check_exception",
    "program_check_common",
    "del_timer",
    "flush_work",
    "__cancel_work_timer",
    "cancel_work_sync",
    "try_to_grab_pending",
    "flush_workqueue",
    "drain_workqueue",
    "destroy_workqueue",
    "queue_work",
    "finish_wait",
    "kthread_stop",
    "kobject_",
    "add_uevent_var",
    "get_device_parent",
    "device_add",
    "device_del",
    "device_unregister",
    "device_destroy",
    "device_release",
    "devres_release_all",
    "hwrng_unregister",
    "i2c_del_adapter",
    "__unregister_client",
    "device_for_each_child",
    "rollback_registered",
    "unregister_netdev",
    "sysfs_remove",
    "device_remove_file",
    "tty_unregister_device",
    "dummy_urb_enqueue",
    "usb_kill_urb",
    "usb_kill_anchored_urbs",
    "usb_control_msg",
    "usb_hcd_submit_urb",
    "usb_submit_urb",
    "^complete$",
    "wait_for_completion",
    "^kfree$",
    "^kvfree$",
    "kfree_skb",
    "readb$",
    "readw$",
    "readl$",
    "readq$",
    "writeb$",
    "writew$",
    "writel$",
    "writeq$",
    "logic_in",
    "logic_out",
    "^crc#",
    "crc_itu_t",
    "__might_resched",
    "assertfail",
    "^iput$",
    "^iput_final$",
    "^ihold$",
    "hex_dump_to_buffer",
    "print_hex_dump",
    "^klist_",
    "trace_hardirq",
    "trace_softirq",
    "lockdep_hardirq",
    "lockdep_softirq",
    "^lock_page",
    "^unlock_page",
    "stack_trace_consume_entry",
    "arch_stack_walk",
    "stack_trace_save",
    "insert_work",
    "__queue_delayed_work",
    "queue_delayed_work_on",
    "ida_free",
    "do_kernel_fault",
    "do_translation_fault",
    "do_mem_abort",
    "el1_abort",
    "el1h_64_sync",
    "print_tainted",
    "xas_start",
    "xas_load",
    "xas_find",
    "find_lock_entries",
    "truncate_inode_pages_range",
    "__phys_addr",
    "__fortify_report",
    "cleanup_srcu_struct",
    "rhashtable_lookup",
    "extract_user_to_sg",
    "extract_iter_to_sg",
    "drop_nlink",
    "^get_taint$",
    "^put_device$",
    "lock_timer_base",
    "__timer_delete_sync",
    "sk_stop_timer_sync",
    "__mod_timer",
    "fast_dput",
    "dput",
    "mark_buffer_dirty",
];

/// Syscall wrappers differ by architecture and kernel version
/// (`__x64_sys_ioctl`, `__arm64_sys_ioctl`, `SyS_ioctl`); the shortest
/// name left after removing one of these is the canonical one.
const SYSCALL_PREFIXES: &[&str] = &[
    "SYSC_",
    "SyS_",
    "sys_",
    "__x64_",
    "__ia32_",
    "__arm64_",
    "____sys_",
    "___sys_",
    "__sys_",
    "__se_",
    "__se_sys_",
    "__do_sys_",
    "compat_SYSC_",
    "compat_SyS_",
    "ksys_",
];

/// The canonical name of a frame: without its syscall-wrapper prefix.
pub(crate) fn canonical(frame: &str) -> &str {
    SYSCALL_PREFIXES
        .iter()
        .filter_map(|p| frame.strip_prefix(p))
        .min_by_key(|s| s.len())
        .unwrap_or(frame)
}

/// Whether any pattern (see [`GENERIC`] for the notation) matches `name`.
pub(crate) fn matches_any(patterns: &[&str], name: &str) -> bool {
    patterns.iter().any(|p| matches(p, name))
}

/// One pattern against a name (see [`GENERIC`] for the notation).
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    let (anchored, p) = match pattern.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    let (p, s) = (p.as_bytes(), name.as_bytes());
    if anchored {
        return here(p, s, end);
    }
    (0..=s.len()).any(|i| here(p, s.get(i..).unwrap_or(&[]), end))
}

fn here(p: &[u8], s: &[u8], end: bool) -> bool {
    match p.split_first() {
        None => !end || s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| here(rest, s.get(i..).unwrap_or(&[]), end)),
        Some((b'#', rest)) => match s.split_first() {
            Some((c, tail)) if c.is_ascii_digit() => here(rest, tail, end),
            _ => false,
        },
        Some((c, rest)) => match s.split_first() {
            Some((d, tail)) if d == c => here(rest, tail, end),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lines() {
        assert_eq!(frame_names("  dump_stack+0x194/0x257"), ["dump_stack"]);
        assert_eq!(
            frame_names(" [<ffffffff81a0c9c4>] tcp_close+0x24/0x90 net/ipv4/tcp.c:1"),
            ["tcp_close"]
        );
        assert_eq!(
            frame_names(" [<ffffffff81a0c9c4>] [<ffffffff81a0c9c4>] foo.isra.3+0x24/0x90"),
            ["foo"]
        );
        assert_eq!(
            frame_names("[<c0312f2c>] (dump_backtrace) from [<c031330c>] (show_stack+0x18/0x1c)"),
            ["dump_backtrace", "show_stack"]
        );
        assert!(frame_names(" __dump_stack lib/dump_stack.c:77 [inline]").is_empty());
        assert!(frame_names("RIP: 0010:foo+0x1/0x2").is_empty());
        assert!(frame_names("The buggy address belongs to").is_empty());
    }

    #[test]
    fn rip_lines() {
        assert_eq!(rip("RIP: 0010:kvm_run+0x1f7/0x5a00"), Some(Some("kvm_run")));
        assert_eq!(rip("RIP: 0033:0x457099"), Some(None));
        assert_eq!(
            rip("pc : __list_del_entry+0x1/0x2"),
            Some(Some("__list_del_entry"))
        );
        assert_eq!(rip("PC is at foo+0x1/0x2"), Some(Some("foo")));
        assert_eq!(rip("NIP [c00000000012] bar+0x1/0x2"), Some(Some("bar")));
        assert_eq!(
            rip("RIP: 0010:[<ffffffff8100>]  [<ffffffff8100>] baz+0x1/0x2"),
            Some(Some("baz"))
        );
        assert_eq!(rip("RSP: 0018:ffff8801c5e37720 EFLAGS: 00010212"), None);
        assert_eq!(
            rip("RIP: 0010:[<0000000000000000>]  [<          (null)>]           (null)"),
            Some(None)
        );
        assert_eq!(rip("IP: [<          (null)>]           (null)"), None);
    }

    #[test]
    fn lock_sites() {
        assert_eq!(
            at_func(" (rtnl_mutex){+.+.}, at: [<ffffffff8100>] rtnl_lock+0x17/0x20"),
            Some("rtnl_lock")
        );
        assert_eq!(at_func("ffff8880 (&x), at: foo+0x1/0x2"), Some("foo"));
        assert_eq!(pc_func("#0:  [<ffffffff8100>] bar+0x1/0x2"), Some("bar"));
    }

    #[test]
    fn stack_starts() {
        assert!(is_stack_start("Call Trace:"));
        assert!(is_stack_start("Allocated by task 123:"));
        assert!(is_stack_start("  backtrace (crc 1a2b3c):"));
        assert!(!is_stack_start("stack backtrace:"));
        assert!(!is_stack_start("Allocated by task x:"));
    }

    #[test]
    fn patterns() {
        assert!(matches("kasan", "__kasan_report"));
        assert!(matches("^mutex_", "mutex_lock"));
        assert!(!matches("^mutex_", "__x_mutex_lock"));
        assert!(matches("readl$", "ioread_readl"));
        assert!(!matches("readl$", "readlink"));
        assert!(matches("^crc#", "crc32_le"));
        assert!(!matches("^crc#", "crc_t10dif"));
        assert!(matches("read_once_*nocheck", "__read_once_word_nocheck"));
        assert_eq!(canonical("__x64_sys_ioctl"), "sys_ioctl");
        assert_eq!(canonical("__se_sys_ioctl"), "ioctl");
        assert_eq!(canonical("SyS_ioctl"), "ioctl");
        assert_eq!(canonical("tcp_close"), "tcp_close");
    }
}

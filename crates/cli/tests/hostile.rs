//! Issue 13: the CLI against hostile input and hostile surroundings — closed
//! pipes, slow or huge HTTP clients, huge or endless files, decompression
//! bombs, endless standard input, terminal escapes in decoded text.
//!
//! Every child runs under an address-space limit so that a regression grows
//! into an error here, not into the build machine's memory.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished child left: exit code (None when killed by a signal),
/// its output, its peak resident memory and how long it took.
struct Ran {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    max_rss_kib: i64,
    took: Duration,
}

impl Ran {
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

const ADDRESS_SPACE: u64 = 3 << 30;

/// The binary under test; `PANICQR_BIN` runs these tests against another
/// build (to show that they fail on an older one).
fn command(args: &[&str]) -> Command {
    command_within(args, ADDRESS_SPACE)
}

/// [`command`] with `bytes` of address space.
fn command_within(args: &[&str], bytes: u64) -> Command {
    let bin = std::env::var_os("PANICQR_BIN").unwrap_or(env!("CARGO_BIN_EXE_panicqr").into());
    let mut c = Command::new(bin);
    c.args(args);
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    c
}

/// Waits for `child` with `wait4` (for its own peak memory), killing it after
/// `limit`; stdout and stderr are read on threads if piped.
fn finish(mut child: Child, limit: Duration, start: Instant) -> Ran {
    let out = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = s.read_to_end(&mut v);
            v
        })
    });
    let err = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = s.read_to_end(&mut v);
            v
        })
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own unreaped child; status and usage are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4: {}", std::io::Error::last_os_error());
        if start.elapsed() > limit {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    Ran {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout: out.map(|t| t.join().unwrap()).unwrap_or_default(),
        stderr: err.map(|t| t.join().unwrap()).unwrap_or_default(),
        max_rss_kib: usage.ru_maxrss,
        took,
    }
}

/// Runs with `stdin` written from a thread (a writer that is cut off when
/// the child stops reading is fine).
fn run(args: &[&str], stdin: Vec<u8>, limit: Duration) -> Ran {
    let start = Instant::now();
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut w = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = w.write_all(&stdin);
    });
    finish(child, limit, start)
}

/// Runs with `n` bytes of standard input made by `fill` in chunks, so that
/// the test itself never holds them.
fn run_streamed(args: &[&str], n: usize, fill: fn(usize) -> u8, limit: Duration) -> Ran {
    let start = Instant::now();
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut w = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let mut chunk = vec![0u8; 1 << 16];
        let mut sent = 0;
        while sent < n {
            let len = chunk.len().min(n - sent);
            for (i, b) in chunk[..len].iter_mut().enumerate() {
                *b = fill(sent + i);
            }
            if w.write_all(&chunk[..len]).is_err() {
                return;
            }
            sent += len;
        }
    });
    finish(child, limit, start)
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: fds is valid for two ints.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here alone.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(r);
    w
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicqr-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn corpus_log() -> Vec<u8> {
    std::fs::read(
        panicqr_testkit::testdata()
            .join("corpus")
            .join("syzkaller-0004.log"),
    )
    .unwrap()
}

fn encode_url(log: &[u8], arch: &str, release: &str) -> String {
    let r = run(
        &["encode", "--arch", arch, "--release", release],
        log.to_vec(),
        Duration::from_secs(60),
    );
    assert_eq!(r.code, Some(0), "{}", r.err());
    String::from_utf8(r.stdout).unwrap().trim().to_string()
}

const SECOND: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------- item 1

#[test]
fn a_closed_stderr_never_makes_a_command_panic() {
    let dir = temp_dir("stderr");
    let url = encode_url(b"BUG: something\n", "x86_64", "6.1");
    let png = dir.join("hello.png");
    let r = run(
        &[
            "qr",
            "--format",
            "png",
            "-o",
            png.to_str().unwrap(),
            "hello",
        ],
        vec![],
        30 * SECOND,
    );
    assert_eq!(r.code, Some(0));
    let cases: Vec<(Vec<&str>, &[u8], i32)> = vec![
        (vec!["qr", "hello"], b"", 0),
        (vec!["qr", "-"], b"hello", 0),
        (
            vec!["encode", "--arch", "a", "--release", "r"],
            b"BUG: x\n",
            0,
        ),
        (vec!["decode", &url], b"", 0),
        (vec!["decode", "hello"], b"", 2),
        (
            vec!["screen", "--size", "64x64", "-o", "-"],
            b"Kernel panic\n",
            0,
        ),
        (vec!["scan", png.to_str().unwrap()], b"", 0),
        (vec!["scan", "/nonexistent/x.png"], b"", 2),
        (vec!["qr", "--mask", "9", "x"], b"", 2),
    ];
    for (args, stdin, want) in cases {
        let start = Instant::now();
        let mut child = command(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(closed_pipe())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin);
        let r = finish(child, 60 * SECOND, start);
        assert_eq!(r.code, Some(want), "{args:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_closed_stdout_ends_quietly_and_a_full_disk_is_one_line_with_exit_1() {
    for args in [
        &["qr", "hello"][..],
        &["qr", "--format", "png", "hello"],
        &["encode", "--arch", "a", "--release", "r"],
    ] {
        let start = Instant::now();
        let mut child = command(args)
            .stdin(Stdio::piped())
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The child may be gone before it reads.
        let _ = child.stdin.take().unwrap().write_all(b"BUG: x\n");
        let r = finish(child, 60 * SECOND, start);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.err());
        assert!(!r.err().contains("error"), "{args:?}: {}", r.err());
    }
    let start = Instant::now();
    let child = command(&["qr", "hello"])
        .stdout(File::options().write(true).open("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let r = finish(child, 60 * SECOND, start);
    assert_eq!(r.code, Some(1), "{}", r.err());
    let err = r.err();
    assert_eq!(
        err.lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("standard output"), "{err}");
}

// ---------------------------------------------------------------- item 2

/// A running `panicqr serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(stderr: Stdio) -> Server {
        let mut child = command(&["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        assert!(!addr.is_empty(), "serve printed no address");
        Server { child, addr }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(20 * SECOND)).unwrap();
        s
    }

    /// Sends `request` and returns the whole answer.
    fn ask(&self, request: &[u8]) -> String {
        let mut s = self.connect();
        s.write_all(request).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_survives_a_closed_stderr_and_clients_that_go_away() {
    let mut server = Server::start(Stdio::from(closed_pipe()));
    // A client that asks and leaves without reading; one that connects and
    // closes at once; one that sends half a request line.
    for junk in [&b"GET / HTTP/1.1\r\n\r\n"[..], b"", b"GET /ind"] {
        let mut s = server.connect();
        s.write_all(junk).unwrap();
        drop(s);
    }
    let answer = server.ask(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(server.alive());
}

#[test]
fn serve_a_silent_client_does_not_block_another() {
    let server = Server::start(Stdio::null());
    let _silent = server.connect();
    // One byte now and then.
    let mut dripping = server.connect();
    dripping.write_all(b"G").unwrap();
    let start = Instant::now();
    let answer = server.ask(b"GET /app.js HTTP/1.1\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(start.elapsed() < 3 * SECOND, "{:?}", start.elapsed());
}

#[test]
fn serve_bounds_the_request_head_in_time_and_memory() {
    let server = Server::start(Stdio::null());
    let before = server.peak_rss_kib();
    let mut s = server.connect();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'A'; 1 << 16];
        let mut sent = 0usize;
        // 64 MiB of request line, until the server hangs up.
        while sent < 64 << 20 && w.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(
        answer.starts_with("HTTP/1.1 431 ") || answer.starts_with("HTTP/1.1 400 "),
        "{answer:?}"
    );
    assert!(start.elapsed() < 5 * SECOND, "{:?}", start.elapsed());
    let sent = writer.join().unwrap();
    assert!(sent < 64 << 20, "the server read all {sent} bytes");
    let grown = server.peak_rss_kib().saturating_sub(before);
    assert!(grown < 8 * 1024, "serve grew by {grown} KiB");
    // Headers alone too long, each line short.
    let many = format!(
        "GET / HTTP/1.1\r\n{}\r\n",
        "X-Filler: 0123456789abcdef\r\n".repeat(1000)
    );
    let answer = server.ask(many.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
}

#[test]
fn serve_gives_a_dripping_client_one_deadline_not_one_per_byte() {
    let server = Server::start(Stdio::null());
    let mut s = server.connect();
    s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let start = Instant::now();
    let mut w = s.try_clone().unwrap();
    // A header one byte every half second, forever (until the test ends).
    std::thread::spawn(move || {
        for b in b"X-Slow: ".iter().chain([b'a'; 100].iter()) {
            std::thread::sleep(Duration::from_millis(500));
            if w.write_all(&[*b]).is_err() {
                return;
            }
        }
    });
    s.set_read_timeout(Some(16 * SECOND)).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    let took = start.elapsed();
    assert!(took > 9 * SECOND && took < 13 * SECOND, "{took:?}");
}

#[test]
fn serve_answers_405_with_allow_and_400_to_malformed_requests() {
    let server = Server::start(Stdio::null());
    let answer = server.ask(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    assert!(answer.contains("\r\nAllow: GET, HEAD\r\n"), "{answer}");
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET index.html HTTP/1.1\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /\xff HTTP/1.1\r\n\r\n",
    ] {
        let answer = server.ask(bad);
        assert!(
            answer.starts_with("HTTP/1.1 400 "),
            "{:?}: {answer}",
            String::from_utf8_lossy(bad)
        );
    }
    let answer = server.ask(b"HEAD /style.css HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.ends_with("\r\n\r\n"), "HEAD has no body: {answer}");
}

#[test]
fn serve_bounds_concurrent_connections_and_recovers() {
    let server = Server::start(Stdio::null());
    // Far more silent clients than the bound: the extra ones are turned
    // away at once instead of queueing or each costing a thread.
    let mut silent = Vec::new();
    for _ in 0..100 {
        silent.push(server.connect());
    }
    let start = Instant::now();
    let answer = server.ask(b"GET / HTTP/1.1\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(start.elapsed() < 3 * SECOND);
    drop(silent);
    // Freed slots are taken again (the server sees the hang-ups quickly).
    let deadline = Instant::now() + 5 * SECOND;
    loop {
        let answer = server.ask(b"GET / HTTP/1.1\r\n\r\n");
        if answer.starts_with("HTTP/1.1 200 ") {
            break;
        }
        assert!(Instant::now() < deadline, "{answer}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------- item 3

#[test]
fn scan_refuses_a_huge_file_and_an_endless_one_quickly() {
    let dir = temp_dir("scanbig");
    let huge = dir.join("huge.jpg");
    File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    let endless = dir.join("endless.jpg");
    std::os::unix::fs::symlink("/dev/urandom", &endless).unwrap();
    for f in [&huge, &endless] {
        let r = run(&["scan", f.to_str().unwrap()], vec![], 20 * SECOND);
        assert_eq!(r.code, Some(2), "{}: {}", f.display(), r.err());
        assert_eq!(r.err().lines().count(), 1, "{}", r.err());
        assert!(r.err().contains("64 MiB"), "{}", r.err());
        assert!(r.took < 10 * SECOND, "{:?}", r.took);
        assert!(r.max_rss_kib < 200 * 1024, "{} KiB", r.max_rss_kib);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A valid PNG of `w`×`h` black pixels: a few hundred KB that decode to
/// `w * h` bytes (grey) or four times that (RGBA).
fn png_bomb(path: &Path, w: u32, h: u32, color: png::ColorType) {
    let f = std::io::BufWriter::new(File::create(path).unwrap());
    let mut enc = png::Encoder::new(f, w, h);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0u8; w as usize * color.samples()];
    for _ in 0..h {
        stream.write_all(&row).unwrap();
    }
    stream.finish().unwrap();
}

#[test]
fn scan_refuses_too_many_pixels_before_decoding_them() {
    let dir = temp_dir("bomb");
    let bomb = dir.join("bomb.png");
    png_bomb(&bomb, 12_000, 12_000, png::ColorType::Grayscale);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 << 20);
    let r = run(&["scan", bomb.to_str().unwrap()], vec![], 60 * SECOND);
    assert_eq!(r.code, Some(2), "{}", r.err());
    assert_eq!(r.err().lines().count(), 1, "{}", r.err());
    assert!(r.err().contains("12000x12000"), "{}", r.err());
    assert!(r.err().contains("megapixel"), "{}", r.err());
    assert!(r.max_rss_kib < 64 * 1024, "{} KiB", r.max_rss_kib);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scan_reads_the_largest_allowed_image_in_bounded_memory() {
    let dir = temp_dir("largest");
    let big = dir.join("big.png");
    // 49 megapixels of RGBA: 196 MB decoded.
    png_bomb(&big, 7000, 7000, png::ColorType::Rgba);
    let start = Instant::now();
    let child = command_within(&["scan", big.to_str().unwrap()], 400 << 20)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let r = finish(child, 60 * SECOND, start);
    assert_eq!((r.code, r.signal), (Some(2), None), "{}", r.err());
    assert!(r.err().contains("no QR code found"), "{}", r.err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scan_returns_the_codes_bytes_exactly() {
    let dir = temp_dir("rawbytes");
    let png = dir.join("binary.png");
    // Not UTF-8, and a guessed charset would re-encode it.
    let payload: Vec<u8> = (0x80..=0xffu8).chain(*b"\nend").collect();
    let r = run(
        &["qr", "--format", "png", "-o", png.to_str().unwrap(), "-"],
        payload.clone(),
        30 * SECOND,
    );
    assert_eq!(r.code, Some(0), "{}", r.err());
    let r = run(&["scan", png.to_str().unwrap()], vec![], 60 * SECOND);
    assert_eq!(r.code, Some(0), "{}", r.err());
    let mut want = payload.clone();
    want.push(b'\n');
    assert_eq!(r.stdout, want);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scan_does_not_take_any_z_equals_for_a_report() {
    let dir = temp_dir("tz");
    for (i, text) in [
        "https://example.com/clock?tz=UTC",
        "https://example.com/?a=1&xz=5&zlib=1",
        "WIFI:S:z=3;;",
    ]
    .iter()
    .enumerate()
    {
        let png = dir.join(format!("{i}.png"));
        let r = run(
            &["qr", "--format", "png", "-o", png.to_str().unwrap(), text],
            vec![],
            30 * SECOND,
        );
        assert_eq!(r.code, Some(0));
        let r = run(&["scan", png.to_str().unwrap()], vec![], 60 * SECOND);
        assert_eq!(r.code, Some(0), "{text}: {}", r.err());
        assert_eq!(r.stdout, format!("{text}\n").into_bytes());
        assert!(r.err().contains("not a panic report"), "{}", r.err());
    }
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- item 4

#[test]
fn decode_qr_and_screen_refuse_endless_standard_input() {
    for args in [
        &["decode"][..],
        &["decode", "-"],
        &["decode", "--json"],
        &["qr"],
        &["qr", "-"],
        &["screen", "--size", "64x64", "-o", "/dev/null"],
    ] {
        let start = Instant::now();
        let child = command(args)
            .stdin(File::open("/dev/zero").unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let r = finish(child, 30 * SECOND, start);
        assert_eq!(r.code, Some(2), "{args:?}: {:?} {}", r.signal, r.err());
        assert_eq!(r.err().lines().count(), 1, "{}", r.err());
        assert!(r.err().contains("standard input"), "{}", r.err());
        assert!(r.err().contains("limit"), "{}", r.err());
        assert!(
            r.max_rss_kib < 200 * 1024,
            "{args:?}: {} KiB",
            r.max_rss_kib
        );
    }
}

#[test]
fn encode_keeps_only_the_tail_of_a_huge_standard_input() {
    let log = corpus_log();
    // 256 MiB of old lines, then the real log: the same report, in little memory.
    const OLD: usize = 256 << 20;
    static LOG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    LOG.set(log.clone()).unwrap();
    fn fill(i: usize) -> u8 {
        if i < OLD {
            if i % 64 == 63 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        } else {
            LOG.get().unwrap()[i - OLD]
        }
    }
    // The report only ever holds the newest 64 KiB: the last MiB gives the same one.
    let tail: Vec<u8> = (OLD + log.len() - (1 << 20)..OLD + log.len())
        .map(fill)
        .collect();
    let want = encode_url(&tail, "x86_64", "6.1");
    let r = run_streamed(
        &["encode", "--arch", "x86_64", "--release", "6.1"],
        OLD + log.len(),
        fill,
        120 * SECOND,
    );
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), want);
    assert!(r.max_rss_kib < 64 * 1024, "{} KiB", r.max_rss_kib);
    // It still tells how much it was given.
    assert!(
        r.err().contains(&format!("of {} bytes", OLD + log.len())),
        "{}",
        r.err()
    );
}

// ---------------------------------------------------------------- item 7

/// Runs with standard output on a pseudo-terminal; returns what the terminal got.
fn run_on_tty(args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: master and slave are valid for writes; the other pointers may be null.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0);
    // SAFETY: openpty just created both descriptors, owned here alone.
    let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // SAFETY: a zeroed termios is valid to be filled by tcgetattr.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: slave is an open terminal; t is valid for reads and writes.
    unsafe {
        assert_eq!(libc::tcgetattr(slave.as_raw_fd(), &mut t), 0);
        libc::cfmakeraw(&mut t);
        assert_eq!(libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &t), 0);
    }
    let start = Instant::now();
    let child = command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(slave))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let mut m = master;
        // Ends with EIO once the child, the last holder of the slave, exits.
        let _ = m.read_to_end(&mut v);
        v
    });
    let r = finish(child, 60 * SECOND, start);
    (r.code, reader.join().unwrap(), r.err())
}

const NASTY_LOG: &[u8] =
    b"BUG: hello\n\x1b]0;owned\x07\x1b[2J\rcleared\x9b\xff\xfe tail \xe2\x80\xae rtl\n";

fn nasty_url() -> String {
    let url = encode_url(NASTY_LOG, "x86_64", "6.1");
    // Identity fields the decoder percent-decodes into control characters.
    url.replacen(
        "a=x86_64&v=6.1",
        "a=%1B%5D0%3Bpwned%07&v=%1B%5B2J&d=%C2%9B31m",
        1,
    )
}

#[test]
fn decode_diagnostics_carry_no_control_characters() {
    let url = nasty_url();
    assert!(url.contains("%1B"), "{url}");
    let r = run(&["decode", &url], vec![], 30 * SECOND);
    assert_eq!(r.code, Some(0), "{}", r.err());
    assert_eq!(r.stdout, NASTY_LOG, "a pipe gets the log exactly");
    let err = r.err();
    assert!(
        !err.chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{80}'..'\u{a0}').contains(&c)),
        "{err:?}"
    );
    assert!(err.contains("\\x1b]0;pwned\\x07"), "{err}");
    // A file name is shown escaped too.
    let r = run(&["scan", "/nonexistent/\x1b[2Jx.png"], vec![], 30 * SECOND);
    assert_eq!(r.code, Some(2));
    assert!(
        !r.err().contains('\x1b') && r.err().contains("\\x1b[2Jx.png"),
        "{}",
        r.err()
    );
}

#[test]
fn a_bad_option_value_is_repeated_escaped() {
    // clap repeats it in its error.
    let r = run(
        &["qr", "--mask", "a\rb\u{9b}31m", "hi"],
        vec![],
        30 * SECOND,
    );
    assert_eq!(r.code, Some(2));
    let err = r.err();
    assert!(!err.contains(['\r', '\u{9b}']), "{err:?}");
    assert!(err.contains("a\\x0db\\u{9b}31m"), "{err:?}");
}

#[test]
fn the_log_is_escaped_on_a_terminal_and_exact_elsewhere() {
    let url = nasty_url();
    let (code, tty, err) = run_on_tty(&["decode", &url]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !tty.contains(&0x1b) && !tty.contains(&0x07) && !tty.contains(&b'\r'),
        "{tty:?}"
    );
    let shown = String::from_utf8(tty).unwrap();
    assert!(
        shown.starts_with("BUG: hello\n\\x1b]0;owned\\x07"),
        "{shown}"
    );
    assert!(shown.contains("\\xff\\xfe tail \\u{202e} rtl\n"), "{shown}");
    // -o writes it exactly, terminal or not.
    let dir = temp_dir("exact");
    let out = dir.join("log.txt");
    let (code, tty, err) = run_on_tty(&["decode", "-o", out.to_str().unwrap(), &url]);
    assert_eq!(code, Some(0), "{err}");
    assert!(tty.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), NASTY_LOG);
    // --json on a terminal: JSON (escaped by its own rules), with the raw bytes.
    let (code, tty, err) = run_on_tty(&["decode", "--json", &url]);
    assert_eq!(code, Some(0), "{err}");
    let shown = String::from_utf8(tty).unwrap();
    assert!(
        !shown
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "{shown:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["distribution"], "\u{9b}31m");
    let raw = base64_decode(v["log_base64"].as_str().unwrap());
    assert_eq!(raw, NASTY_LOG);
    assert_eq!(v["arch"], "\x1b]0;pwned\x07");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn json_has_base64_only_when_the_log_is_not_utf8() {
    let url = encode_url(b"BUG: plain text\n", "x86_64", "6.1");
    let r = run(&["decode", "--json", &url], vec![], 30 * SECOND);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["log"], "BUG: plain text\n");
    assert!(v.get("log_base64").is_none(), "{v}");
    let r = run(&["decode", "--json", &nasty_url()], vec![], 30 * SECOND);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(base64_decode(v["log_base64"].as_str().unwrap()), NASTY_LOG);
    assert_eq!(v["distribution"], "\u{9b}31m");
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        acc = acc << 6 | A.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn scan_escapes_a_codes_text_on_a_terminal_only() {
    let dir = temp_dir("scantext");
    let png = dir.join("title.png");
    let text = b"\x1b]0;owned\x07 hi";
    let r = run(
        &["qr", "--format", "png", "-o", png.to_str().unwrap(), "-"],
        text.to_vec(),
        30 * SECOND,
    );
    assert_eq!(r.code, Some(0));
    let r = run(&["scan", png.to_str().unwrap()], vec![], 60 * SECOND);
    assert_eq!(r.stdout, b"\x1b]0;owned\x07 hi\n");
    let (code, tty, err) = run_on_tty(&["scan", png.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(String::from_utf8(tty).unwrap(), "\\x1b]0;owned\\x07 hi\n");
    // JSON: valid, exact.
    let r = run(
        &["scan", "--json", png.to_str().unwrap()],
        vec![],
        60 * SECOND,
    );
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["text"], "\x1b]0;owned\x07 hi");
    assert_eq!(v["report"], false);
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- item 8

#[test]
fn scan_globs_follow_the_usual_rules() {
    let dir = temp_dir("glob");
    std::fs::create_dir_all(dir.join("day1")).unwrap();
    std::fs::create_dir_all(dir.join("day2")).unwrap();
    for (sub, name, text) in [
        ("day1", "a.png", "first"),
        ("day2", "b.png", "second"),
        ("day2", "c.png", "third"),
    ] {
        let p = dir.join(sub).join(name);
        let r = run(
            &["qr", "--format", "png", "-o", p.to_str().unwrap(), text],
            vec![],
            30 * SECOND,
        );
        assert_eq!(r.code, Some(0));
    }
    // A wildcard in a directory, and a character class.
    let pattern = dir.join("day*").join("[ab].png");
    let r = run(
        &["scan", "--json", pattern.to_str().unwrap()],
        vec![],
        60 * SECOND,
    );
    assert_eq!(r.code, Some(0), "{}", r.err());
    let texts: Vec<String> = String::from_utf8(r.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(texts, ["first", "second"]);
    // A pattern that matches nothing is bad input.
    let none = dir.join("day*").join("*.jpg");
    let r = run(&["scan", none.to_str().unwrap()], vec![], 30 * SECOND);
    assert_eq!(r.code, Some(2));
    assert!(r.err().contains("no image matches"), "{}", r.err());
    std::fs::remove_dir_all(&dir).ok();
}

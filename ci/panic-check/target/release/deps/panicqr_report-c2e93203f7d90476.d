/work/wt-hard/ci/panic-check/target/release/deps/panicqr_report-c2e93203f7d90476.d: /work/wt-hard/crates/report/src/lib.rs /work/wt-hard/crates/report/src/build.rs /work/wt-hard/crates/report/src/deflate.rs /work/wt-hard/crates/report/src/digits.rs /work/wt-hard/crates/report/src/fit.rs /work/wt-hard/crates/report/src/url.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_report-c2e93203f7d90476.rmeta: /work/wt-hard/crates/report/src/lib.rs /work/wt-hard/crates/report/src/build.rs /work/wt-hard/crates/report/src/deflate.rs /work/wt-hard/crates/report/src/digits.rs /work/wt-hard/crates/report/src/fit.rs /work/wt-hard/crates/report/src/url.rs

/work/wt-hard/crates/report/src/lib.rs:
/work/wt-hard/crates/report/src/build.rs:
/work/wt-hard/crates/report/src/deflate.rs:
/work/wt-hard/crates/report/src/digits.rs:
/work/wt-hard/crates/report/src/fit.rs:
/work/wt-hard/crates/report/src/url.rs:

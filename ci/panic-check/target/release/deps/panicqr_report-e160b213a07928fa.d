/work/wt-hard/ci/panic-check/target/release/deps/panicqr_report-e160b213a07928fa.d: /work/wt-hard/crates/report/src/lib.rs /work/wt-hard/crates/report/src/build.rs /work/wt-hard/crates/report/src/deflate.rs /work/wt-hard/crates/report/src/digits.rs /work/wt-hard/crates/report/src/fit.rs /work/wt-hard/crates/report/src/url.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_report-e160b213a07928fa.rlib: /work/wt-hard/crates/report/src/lib.rs /work/wt-hard/crates/report/src/build.rs /work/wt-hard/crates/report/src/deflate.rs /work/wt-hard/crates/report/src/digits.rs /work/wt-hard/crates/report/src/fit.rs /work/wt-hard/crates/report/src/url.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_report-e160b213a07928fa.rmeta: /work/wt-hard/crates/report/src/lib.rs /work/wt-hard/crates/report/src/build.rs /work/wt-hard/crates/report/src/deflate.rs /work/wt-hard/crates/report/src/digits.rs /work/wt-hard/crates/report/src/fit.rs /work/wt-hard/crates/report/src/url.rs

/work/wt-hard/crates/report/src/lib.rs:
/work/wt-hard/crates/report/src/build.rs:
/work/wt-hard/crates/report/src/deflate.rs:
/work/wt-hard/crates/report/src/digits.rs:
/work/wt-hard/crates/report/src/fit.rs:
/work/wt-hard/crates/report/src/url.rs:

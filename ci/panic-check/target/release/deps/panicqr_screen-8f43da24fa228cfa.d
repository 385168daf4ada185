/work/wt-hard/ci/panic-check/target/release/deps/panicqr_screen-8f43da24fa228cfa.d: /work/wt-hard/crates/screen/src/lib.rs /work/wt-hard/crates/screen/src/font.rs /work/wt-hard/crates/screen/src/font_data.rs /work/wt-hard/crates/screen/src/format.rs /work/wt-hard/crates/screen/src/framebuffer.rs /work/wt-hard/crates/screen/src/layout.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_screen-8f43da24fa228cfa.rmeta: /work/wt-hard/crates/screen/src/lib.rs /work/wt-hard/crates/screen/src/font.rs /work/wt-hard/crates/screen/src/font_data.rs /work/wt-hard/crates/screen/src/format.rs /work/wt-hard/crates/screen/src/framebuffer.rs /work/wt-hard/crates/screen/src/layout.rs

/work/wt-hard/crates/screen/src/lib.rs:
/work/wt-hard/crates/screen/src/font.rs:
/work/wt-hard/crates/screen/src/font_data.rs:
/work/wt-hard/crates/screen/src/format.rs:
/work/wt-hard/crates/screen/src/framebuffer.rs:
/work/wt-hard/crates/screen/src/layout.rs:

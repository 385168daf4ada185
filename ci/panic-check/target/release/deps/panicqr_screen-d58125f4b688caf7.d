/work/wt-hard/ci/panic-check/target/release/deps/panicqr_screen-d58125f4b688caf7.d: /work/wt-hard/crates/screen/src/lib.rs /work/wt-hard/crates/screen/src/font.rs /work/wt-hard/crates/screen/src/font_data.rs /work/wt-hard/crates/screen/src/format.rs /work/wt-hard/crates/screen/src/framebuffer.rs /work/wt-hard/crates/screen/src/layout.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_screen-d58125f4b688caf7.rlib: /work/wt-hard/crates/screen/src/lib.rs /work/wt-hard/crates/screen/src/font.rs /work/wt-hard/crates/screen/src/font_data.rs /work/wt-hard/crates/screen/src/format.rs /work/wt-hard/crates/screen/src/framebuffer.rs /work/wt-hard/crates/screen/src/layout.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_screen-d58125f4b688caf7.rmeta: /work/wt-hard/crates/screen/src/lib.rs /work/wt-hard/crates/screen/src/font.rs /work/wt-hard/crates/screen/src/font_data.rs /work/wt-hard/crates/screen/src/format.rs /work/wt-hard/crates/screen/src/framebuffer.rs /work/wt-hard/crates/screen/src/layout.rs

/work/wt-hard/crates/screen/src/lib.rs:
/work/wt-hard/crates/screen/src/font.rs:
/work/wt-hard/crates/screen/src/font_data.rs:
/work/wt-hard/crates/screen/src/format.rs:
/work/wt-hard/crates/screen/src/framebuffer.rs:
/work/wt-hard/crates/screen/src/layout.rs:

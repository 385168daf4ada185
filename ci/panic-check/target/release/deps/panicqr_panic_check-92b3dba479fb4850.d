/work/wt-hard/ci/panic-check/target/release/deps/panicqr_panic_check-92b3dba479fb4850.d: src/lib.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_panic_check-92b3dba479fb4850.a: src/lib.rs

src/lib.rs:

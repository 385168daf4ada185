/work/wt-hard/ci/panic-check/target/release/deps/panicqr_panic_check-0f75a9f39a79c8d1.d: src/lib.rs Cargo.toml

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_panic_check-0f75a9f39a79c8d1.rmeta: src/lib.rs Cargo.toml

src/lib.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# env-dep:CLIPPY_CONF_DIR

/work/wt-hard/ci/panic-check/target/release/deps/panicqr_qr-d141f44946b4beec.d: /work/wt-hard/crates/qr/src/lib.rs /work/wt-hard/crates/qr/src/bits.rs /work/wt-hard/crates/qr/src/encode.rs /work/wt-hard/crates/qr/src/error.rs /work/wt-hard/crates/qr/src/gf256.rs /work/wt-hard/crates/qr/src/mask.rs /work/wt-hard/crates/qr/src/matrix.rs /work/wt-hard/crates/qr/src/reed_solomon.rs /work/wt-hard/crates/qr/src/row.rs /work/wt-hard/crates/qr/src/segment.rs /work/wt-hard/crates/qr/src/symbol.rs /work/wt-hard/crates/qr/src/version.rs

/work/wt-hard/ci/panic-check/target/release/deps/libpanicqr_qr-d141f44946b4beec.rmeta: /work/wt-hard/crates/qr/src/lib.rs /work/wt-hard/crates/qr/src/bits.rs /work/wt-hard/crates/qr/src/encode.rs /work/wt-hard/crates/qr/src/error.rs /work/wt-hard/crates/qr/src/gf256.rs /work/wt-hard/crates/qr/src/mask.rs /work/wt-hard/crates/qr/src/matrix.rs /work/wt-hard/crates/qr/src/reed_solomon.rs /work/wt-hard/crates/qr/src/row.rs /work/wt-hard/crates/qr/src/segment.rs /work/wt-hard/crates/qr/src/symbol.rs /work/wt-hard/crates/qr/src/version.rs

/work/wt-hard/crates/qr/src/lib.rs:
/work/wt-hard/crates/qr/src/bits.rs:
/work/wt-hard/crates/qr/src/encode.rs:
/work/wt-hard/crates/qr/src/error.rs:
/work/wt-hard/crates/qr/src/gf256.rs:
/work/wt-hard/crates/qr/src/mask.rs:
/work/wt-hard/crates/qr/src/matrix.rs:
/work/wt-hard/crates/qr/src/reed_solomon.rs:
/work/wt-hard/crates/qr/src/row.rs:
/work/wt-hard/crates/qr/src/segment.rs:
/work/wt-hard/crates/qr/src/symbol.rs:
/work/wt-hard/crates/qr/src/version.rs:

//! One module per subcommand.

pub mod decode;
pub mod encode;
pub mod intake;
pub mod qr;
pub mod scan;
pub mod screen;
pub mod serve;
pub mod submit;

//! One module per subcommand.

pub mod qr;

//! Empty: this crate only exists for its Cargo.lock (see Cargo.toml).

//! The first mistakes users make, and what the compiler tells them: one
//! error each, in words that say what to write instead (the portability
//! bound's and the core traits' `#[diagnostic::on_unimplemented]`).
//!
//! The `.stderr` files hold the compiler's exact output, which changes from
//! one Rust release to the next: they were made with the compiler named in
//! `ui/RUSTC_VERSION`, and the test compares them only under that compiler
//! (under another it says so and checks nothing). To refresh them with a new
//! compiler: `TRYBUILD=overwrite cargo test -p anyfn-auto --test ui`, read
//! the diff, and write the new `rustc --version` into `ui/RUSTC_VERSION`.

#[test]
fn the_first_mistakes_get_one_clear_error_each() {
    let pinned = include_str!("ui/RUSTC_VERSION").trim();
    let rustc =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("--version")
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
            .unwrap_or_default();
    if rustc != pinned {
        eprintln!(
            "skipped: the .stderr files were made with `{pinned}`, this is `{rustc}` \
             (see this file's docs to refresh them)"
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}

//! `include/ev.h` is generated (build.rs: header/ev.h.in + cbindgen over
//! src/abi.rs and src/ffi/) but committed, so that C users need no Rust
//! toolchain. This test fails when the file in the tree differs from what the
//! generator produces from the current sources.
//!
//! build.rs writes the generated header to `$OUT_DIR/ev.h` and normally also
//! refreshes `include/ev.h`; with `EV_HEADER_CHECK=1` in the environment it
//! leaves `include/ev.h` alone, so that
//!
//! ```sh
//! EV_HEADER_CHECK=1 cargo test --test header_fresh
//! ```
//!
//! checks the committed header itself (e.g. in CI, on a clean checkout).

use std::path::Path;

#[test]
fn committed_header_matches_generated() {
    let generated_path = Path::new(env!("OUT_DIR")).join("ev.h");
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/ev.h");
    let generated = std::fs::read_to_string(&generated_path)
        .unwrap_or_else(|e| panic!("{}: {e} (build.rs did not run?)", generated_path.display()));
    let committed =
        std::fs::read_to_string(&committed_path).unwrap_or_else(|e| panic!("{}: {e}", committed_path.display()));
    if generated != committed {
        let (g, c): (Vec<&str>, Vec<&str>) = (generated.lines().collect(), committed.lines().collect());
        let at = g
            .iter()
            .zip(&c)
            .position(|(a, b)| a != b)
            .unwrap_or(g.len().min(c.len()));
        panic!(
            "include/ev.h is stale: it differs from the generated header from line {} on\n\
             generated: {:?}\ncommitted: {:?}\n\
             Regenerate it with `touch build.rs && cargo build` (without EV_HEADER_CHECK) and commit it; \
             edit header/ev.h.in, src/abi.rs or src/ffi/, never include/ev.h itself.",
            at + 1,
            g.get(at),
            c.get(at),
        );
    }
}

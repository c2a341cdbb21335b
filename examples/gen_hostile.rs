//! Writes the amplification cases of `tests/hostile_budgets.rs` at full size, for the
//! measurements in docs/limits.md ("Hostile input"): `bench/hostile.sh` runs it and times each case.
//!
//! ```sh
//! cargo run --release --example gen_hostile -- DIR
//! ```

#[allow(dead_code)]
#[path = "../tests/common/amplify.rs"]
mod amplify;

use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_hostile DIR");
        std::process::exit(2);
    };
    let case = |name: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        d
    };
    amplify::kubernetes_companions(&case("kubernetes"), 1_000);
    amplify::kubernetes_companions(&case("kubernetes-5k"), 5_000);
    amplify::compose_extends(&case("compose"), 20_000, 200);
    amplify::sol006_flavours(&case("sol006"), 1_000, 1_000);
    amplify::yaml_merge_keys(&case("merge-keys"), 50_000);
    amplify::rules_file(&case("rules"), 8_000);
    amplify::rvtools_same_names(&case("rvtools-names"), 3_000);
    amplify::rvtools_big_cell(&case("rvtools-cell"), 900 * 1024 * 1024);
    println!("{}", dir.display());
}

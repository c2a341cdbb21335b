//! Writes synthetic estates for the benchmarks in docs/benchmarks.md: the same files
//! on every run, in the shapes real repositories and exports have.
//!
//! ```sh
//! cargo run --release --example gen_estate -- mixed DIR 10000       # a third each: Dockerfiles, manifests, VM specs
//! cargo run --release --example gen_estate -- dockerfiles DIR 1000
//! cargo run --release --example gen_estate -- kubernetes DIR 10000
//! cargo run --release --example gen_estate -- vms DIR 1000
//! cargo run --release --example gen_estate -- compose DIR 1000      # projects: base, override, .env, extends, include
//! cargo run --release --example gen_estate -- rvtools FILE.csv 50000  # or FILE.xlsx
//! ```

mod compose;
mod dockerfiles;
mod kubernetes;
mod rng;
mod rvtools;
mod vmspecs;

use std::path::Path;

const USAGE: &str = "usage: gen_estate mixed|dockerfiles|kubernetes|vms|compose DIR FILES\n       gen_estate rvtools FILE.csv|FILE.xlsx ROWS";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(path), Some(count)) = (
        args.first(),
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let path = Path::new(path);
    let result = match what.as_str() {
        "mixed" => mixed(path, count),
        "dockerfiles" => dockerfiles(&path.join("dockerfiles"), count),
        "kubernetes" => kubernetes(&path.join("kubernetes"), count),
        "vms" => vms(&path.join("vms"), count),
        "compose" => compose(&path.join("compose"), count),
        "rvtools" => rvtools::write(path, count as u64).map(|bytes| {
            println!(
                "wrote {count} VMs ({} KiB) to {}",
                bytes / 1024,
                path.display()
            );
        }),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("gen_estate: {e}");
        std::process::exit(1);
    }
}

fn mixed(dir: &Path, files: usize) -> std::io::Result<()> {
    let third = files / 3;
    dockerfiles(&dir.join("dockerfiles"), third)?;
    kubernetes(&dir.join("kubernetes"), third)?;
    vms(&dir.join("vms"), files - 2 * third)
}

fn dockerfiles(dir: &Path, files: usize) -> std::io::Result<()> {
    let bytes = dockerfiles::write(dir, files)?;
    println!(
        "wrote {files} Dockerfiles ({} KiB) under {}",
        bytes / 1024,
        dir.display()
    );
    Ok(())
}

fn kubernetes(dir: &Path, files: usize) -> std::io::Result<()> {
    let w = kubernetes::write(dir, files)?;
    println!(
        "wrote {} manifest files ({} objects, {} applications, {} KiB) under {}",
        w.files,
        w.objects,
        w.applications,
        w.bytes / 1024,
        dir.display()
    );
    Ok(())
}

fn vms(dir: &Path, files: usize) -> std::io::Result<()> {
    let (count, bytes) = vmspecs::write(dir, files)?;
    println!(
        "wrote {files} VM spec files ({count} VMs, {} KiB) under {}",
        bytes / 1024,
        dir.display()
    );
    Ok(())
}

fn compose(dir: &Path, projects: usize) -> std::io::Result<()> {
    let w = compose::write(dir, projects)?;
    println!(
        "wrote {} Compose projects ({} files, {} services, {} KiB) under {}",
        w.projects,
        w.files,
        w.services,
        w.bytes / 1024,
        dir.display()
    );
    Ok(())
}

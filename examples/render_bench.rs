//! Times the consultant-facing report formats on an estate (README, "Report benchmark"):
//! scans the folder once, then renders each format a few times and prints the best time and
//! the size of the output. Rendering only: the scan is timed separately.
//!
//! ```sh
//! cargo run --release --example gen_estate -- rvtools /tmp/mixed-5k/RVTools_tabvInfo.csv 2500
//! cargo run --release --example gen_estate -- kubernetes /tmp/mixed-5k 4800
//! cargo run --release --example render_bench -- /tmp/mixed-5k
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fitscan::report::{Format, RenderOptions};
use fitscan::{ScanOptions, scan};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: render_bench FOLDER [RUNS]");
        std::process::exit(2);
    };
    let runs: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3).max(1);
    let started = Instant::now();
    let report = match scan(
        &[PathBuf::from(&path)],
        &ScanOptions {
            max_file_size: u64::MAX,
            ..ScanOptions::default()
        },
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let findings: usize = report.workloads.iter().map(|w| w.findings.len()).sum();
    println!(
        "scanned {} workloads, {} findings in {:.2} s\n",
        report.workloads.len(),
        findings,
        started.elapsed().as_secs_f64()
    );
    let opts = RenderOptions {
        scan_date: Some("2024-05-01T10:05:00Z".into()),
        ..RenderOptions::default()
    };
    let summary = RenderOptions {
        summary_only: true,
        ..opts.clone()
    };
    println!("{:<22} {:>10} {:>12}", "format", "best", "size");
    for (name, format, opts) in [
        ("html", Format::Html, &opts),
        ("html --summary-only", Format::Html, &summary),
        ("markdown", Format::Markdown, &opts),
        ("csv", Format::Csv, &opts),
        ("csv-workloads", Format::CsvWorkloads, &opts),
        ("xlsx", Format::Xlsx, &opts),
        ("json (for comparison)", Format::Json, &opts),
    ] {
        let mut best = Duration::MAX;
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            match format.render_bytes(&report, opts) {
                Ok(bytes) => size = bytes.len(),
                Err(e) => {
                    eprintln!("{name}: {e}");
                    std::process::exit(1);
                }
            }
            best = best.min(t.elapsed());
        }
        println!(
            "{name:<22} {:>8.0} ms {:>9.1} MB",
            best.as_secs_f64() * 1000.0,
            size as f64 / 1_048_576.0
        );
    }
}

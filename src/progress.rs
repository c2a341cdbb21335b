//! The progress bar on standard error (indicatif), for scans that take more than a moment.
//! It draws nothing until half a second has passed, so quick scans stay quiet, and the CLI
//! does not create it when standard error is not a terminal or with `--quiet`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan runs before the bar appears.
const DELAY: Duration = Duration::from_millis(500);

pub struct TerminalProgress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    stage: Mutex<&'static str>,
}

impl Default for TerminalProgress {
    fn default() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        TerminalProgress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            stage: Mutex::new(""),
        }
    }
}

impl crate::Progress for TerminalProgress {
    fn stage(&self, name: &'static str, total: u64) {
        if let Ok(mut s) = self.stage.lock() {
            *s = name;
        }
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(name);
    }

    fn advance(&self, steps: u64) {
        self.bar.inc(steps);
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() >= DELAY {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

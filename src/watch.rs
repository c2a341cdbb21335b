//! `scan --watch`: which changes to the inputs call for a new scan. Folders are watched
//! recursively; a file through its folder (an editor that saves by writing a new file and
//! renaming it over the old one would otherwise end the watch), and only its own events
//! count. Bursts of events (a save, a `git checkout`) are debounced into one change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

/// How long the inputs must be quiet before a change is acted on.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{path}: cannot watch: {message}")]
    Watch { path: String, message: String },
    #[error("cannot watch for changes: {0}")]
    Start(String),
    #[error("the watch stopped: {0}")]
    Stopped(String),
}

/// What is watched: folders (recursively) and single files (through their folder).
#[derive(Debug, Default)]
struct Targets {
    folders: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
    /// Folders registered with the watcher, and how.
    registered: BTreeSet<(PathBuf, bool)>,
}

pub struct Watch {
    debouncer: Mutex<Debouncer<notify::RecommendedWatcher>>,
    events: Receiver<DebounceEventResult>,
    targets: Mutex<Targets>,
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

impl Watch {
    /// Starts watching `paths` (files or folders; ones that do not exist are skipped).
    pub fn new(paths: &[PathBuf]) -> Result<Watch, WatchError> {
        let (tx, rx) = channel();
        let debouncer =
            new_debouncer(DEBOUNCE, tx).map_err(|e| WatchError::Start(e.to_string()))?;
        let w = Watch {
            debouncer: Mutex::new(debouncer),
            events: rx,
            targets: Mutex::new(Targets::default()),
        };
        w.rewatch(paths)?;
        Ok(w)
    }

    /// Adds what `paths` name that is not watched yet (a rule folder or metrics file the
    /// config named since).
    pub fn rewatch(&self, paths: &[PathBuf]) -> Result<(), WatchError> {
        let mut targets = self
            .targets
            .lock()
            .map_err(|_| WatchError::Stopped("a watcher thread failed".into()))?;
        let mut debouncer = self
            .debouncer
            .lock()
            .map_err(|_| WatchError::Stopped("a watcher thread failed".into()))?;
        for p in paths {
            if !p.exists() {
                continue;
            }
            let abs = absolute(p);
            let (folder, recursive) = if abs.is_dir() {
                targets.folders.insert(abs.clone());
                (abs, true)
            } else {
                targets.files.insert(abs.clone());
                (
                    abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf),
                    false,
                )
            };
            if targets.registered.contains(&(folder.clone(), true))
                || !targets.registered.insert((folder.clone(), recursive))
            {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            debouncer
                .watcher()
                .watch(&folder, mode)
                .map_err(|e| WatchError::Watch {
                    path: folder.display().to_string(),
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// Whether an event at `path` is a change to the inputs: under a watched folder or one
    /// of the watched files, not in a `.git` folder and not a file the run writes itself.
    fn relevant(&self, path: &Path, written: &[PathBuf]) -> bool {
        let Ok(targets) = self.targets.lock() else {
            return true;
        };
        if path.components().any(|c| c.as_os_str() == ".git") {
            return false;
        }
        let abs = absolute(path);
        if written.iter().any(|w| absolute(w) == abs || w == path) {
            return false;
        }
        targets.files.contains(&abs)
            || targets.files.iter().any(|f| f == path)
            || targets
                .folders
                .iter()
                .any(|d| abs.starts_with(d) || path.starts_with(d))
    }

    /// Waits for the next change to the inputs and returns the paths that changed (never
    /// empty). `written` are the files the run writes (reports, a baseline): ignored.
    pub fn next_change(&self, written: &[PathBuf]) -> Result<Vec<PathBuf>, WatchError> {
        loop {
            let batch = self
                .events
                .recv()
                .map_err(|e| WatchError::Stopped(e.to_string()))?;
            let events = match batch {
                Ok(events) => events,
                Err(e) => return Err(WatchError::Stopped(e.to_string())),
            };
            let mut changed: Vec<PathBuf> = events
                .into_iter()
                .map(|e| e.path)
                .filter(|p| self.relevant(p, written))
                .collect();
            changed.sort();
            changed.dedup();
            if !changed.is_empty() {
                return Ok(changed);
            }
        }
    }
}

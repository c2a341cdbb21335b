//! One copy of each text and list that many workloads' reports repeat word for word (a
//! rule's title and remediation, the evidence to collect, the reason for a disposition,
//! the roadmap, the properties' verdicts): an estate of 50,000 VMs keeps its reports until
//! they are written, and the repeated copies were kilobytes per workload.

use foldhash::{HashSet, HashSetExt};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use crate::classify::{EvidenceItem, PropertyOutcome, RoadmapItem};

/// The most distinct values one table remembers. Past it (an estate whose every workload
/// says something of its own) new values are no longer remembered and each workload keeps
/// its own copy, as before: the tables never grow with the input.
const MAX_DISTINCT: usize = 1 << 16;

/// Values shared between the workloads of one scan.
#[derive(Default)]
pub(crate) struct Shared {
    texts: Table<str>,
    evidence: Table<[EvidenceItem]>,
    roadmaps: Table<[RoadmapItem]>,
    properties: Table<[PropertyOutcome]>,
    not_checked: Table<[String]>,
}

impl Shared {
    pub(crate) fn text(&self, text: &str) -> Arc<str> {
        self.texts.share(text, |t| Arc::from(t))
    }
    pub(crate) fn evidence(&self, items: Vec<EvidenceItem>) -> Arc<[EvidenceItem]> {
        self.evidence.share_owned(items)
    }
    pub(crate) fn roadmap(&self, items: Vec<RoadmapItem>) -> Arc<[RoadmapItem]> {
        self.roadmaps.share_owned(items)
    }
    pub(crate) fn properties(&self, items: Vec<PropertyOutcome>) -> Arc<[PropertyOutcome]> {
        self.properties.share_owned(items)
    }
    /// A VM's readiness checks its inventory could not answer.
    pub(crate) fn not_checked(&self, checks: &[String]) -> Arc<[String]> {
        self.not_checked.share(checks, |c| Arc::from(c))
    }
}

struct Table<T: ?Sized> {
    // A poisoned lock only means a worker panicked (its own error entry): the set holds
    // nothing half-written, so it is used as it is.
    set: Mutex<HashSet<Arc<T>>>,
}

impl<T: ?Sized> Default for Table<T> {
    fn default() -> Self {
        Table {
            set: Mutex::new(HashSet::new()),
        }
    }
}

impl<T: ?Sized + Hash + Eq> Table<T> {
    fn share(&self, value: &T, make: impl FnOnce(&T) -> Arc<T>) -> Arc<T> {
        let mut set = self.set.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = set.get(value) {
            return Arc::clone(found);
        }
        let shared = make(value);
        if set.len() < MAX_DISTINCT {
            set.insert(Arc::clone(&shared));
        }
        shared
    }
}

impl<T: Hash + Eq> Table<[T]> {
    fn share_owned(&self, items: Vec<T>) -> Arc<[T]> {
        if items.is_empty() {
            return Arc::from(items);
        }
        let mut set = self.set.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = set.get(items.as_slice()) {
            return Arc::clone(found);
        }
        let shared: Arc<[T]> = Arc::from(items);
        if set.len() < MAX_DISTINCT {
            set.insert(Arc::clone(&shared));
        }
        shared
    }
}

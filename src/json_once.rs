//! JSON text written once for what many workloads share. Workloads hold their evidence lists,
//! roadmaps and property verdicts as shared `Arc`s (`scan/shared.rs`): a 50,000-VM inventory
//! has a handful of distinct ones, and they were more than half of its JSON report, escaped
//! and indented again for every VM. Inside a [`rendering`] scope (the JSON report's writer,
//! workload by workload), [`shared`] writes such a value's text the first time and copies it
//! after that; anywhere else it serialises the value as usual. The bytes are the same
//! either way (`report::json`'s tests compare the written report with serde_json's own).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::{HashMap, HashMapExt};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// What the current scope has seen of each shared value (by its address and a tag that tells
/// apart two texts made from the same value): once, or more often and its text made.
struct Texts {
    /// The scope: texts of another report's values (at the same addresses) are never used.
    scope: u64,
    /// Where the shared values sit in serde_json's pretty layout.
    level: usize,
    texts: HashMap<(usize, u8), Option<Box<RawValue>>>,
}

thread_local! {
    static TEXTS: RefCell<Option<Texts>> = const { RefCell::new(None) };
}

static SCOPES: AtomicU64 = AtomicU64::new(0);

/// A new scope for [`rendering`]: one per report written.
pub fn new_scope() -> u64 {
    SCOPES.fetch_add(1, Ordering::Relaxed) + 1
}

/// Runs `f` with shared values written once per `scope` on this thread (a scope spans the
/// pieces of one report that this thread renders): `level` is the depth of the pretty layout
/// at which [`shared`] values are written. Every shared value serialised in the scope must
/// outlive it (their addresses are the keys); [`forget`] drops the texts.
pub fn rendering<R>(scope: u64, level: usize, f: impl FnOnce() -> R) -> R {
    TEXTS.with_borrow_mut(|t| {
        if t.as_ref()
            .is_none_or(|t| t.scope != scope || t.level != level)
        {
            *t = Some(Texts {
                scope,
                level,
                texts: HashMap::new(),
            });
        }
    });
    f()
}

/// Drops this thread's texts (at the end of a report, on every thread that rendered).
pub fn forget() {
    TEXTS.with_borrow_mut(|t| *t = None);
}

/// Serialises `value`, one of many workloads' shared values: `address` is its `Arc`'s and
/// `tag` tells apart texts made from the same value. Inside [`rendering`], a value seen a
/// second time has its JSON text made, and copied from then on (a value seen once costs no
/// more than it did).
pub fn shared<T: Serialize + ?Sized, S: Serializer>(
    address: usize,
    tag: u8,
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let key = (address, tag);
    // None: outside a scope, or seen for the first time; else the level and whether its
    // text is made.
    let seen = TEXTS.with_borrow_mut(|t| {
        let t = t.as_mut()?;
        match t.texts.get(&key) {
            None => {
                t.texts.insert(key, None);
                None
            }
            Some(text) => Some((t.level, text.is_some())),
        }
    });
    match seen {
        None => return value.serialize(serializer),
        Some((level, false)) => {
            // Made outside the borrow: the value's own serialisation may share too.
            let mut text = Vec::new();
            let made = crate::json_pretty::write(value, &mut text, level)
                .ok()
                .and_then(|()| String::from_utf8(text).ok())
                .and_then(|text| RawValue::from_string(text).ok());
            let Some(made) = made else {
                return value.serialize(serializer);
            };
            TEXTS.with_borrow_mut(|t| {
                if let Some(t) = t {
                    t.texts.insert(key, Some(made));
                }
            });
        }
        Some((_, true)) => {}
    }
    TEXTS.with_borrow(|t| match t.as_ref().and_then(|t| t.texts.get(&key)) {
        Some(Some(raw)) => raw.serialize(serializer),
        _ => value.serialize(serializer),
    })
}

/// A shared value to serialise with [`shared`]: its `Arc`'s address, a tag, the value.
pub struct Shared<'a, T: ?Sized>(pub usize, pub u8, pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Shared<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        shared(self.0, self.1, self.2, serializer)
    }
}

/// An `Arc`'s address, the key of its text.
pub fn address<T: ?Sized>(value: &std::sync::Arc<T>) -> usize {
    std::sync::Arc::as_ptr(value).cast::<u8>() as usize
}

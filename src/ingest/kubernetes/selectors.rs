//! Label selectors (`matchLabels`, `matchExpressions`, a Service's map) and the index that
//! finds the objects whose selector matches a workload's labels without comparing every
//! pair (`BySelector`).

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use std::sync::Arc;

use super::companions::MAX_COMPANIONS_PER_WORKLOAD;

use crate::node::Node;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Selector {
    Nothing,
    All,
    Match {
        labels: Vec<(String, String)>,
        exprs: Vec<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Expr {
    key: String,
    op: ExprOp,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ExprOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    pub(super) fn selects(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        match self {
            Selector::Nothing => false,
            Selector::All => true,
            Selector::Match {
                labels: want,
                exprs,
            } => {
                want.iter().all(|(k, v)| get(k) == Some(v.as_str()))
                    && exprs.iter().all(|e| match e.op {
                        ExprOp::In => get(&e.key).is_some_and(|v| e.values.iter().any(|x| x == v)),
                        ExprOp::NotIn => {
                            get(&e.key).is_none_or(|v| !e.values.iter().any(|x| x == v))
                        }
                        ExprOp::Exists => get(&e.key).is_some(),
                        ExprOp::DoesNotExist => get(&e.key).is_none(),
                    })
            }
        }
    }
}

/// Labels as text pairs (values written as numbers or booleans compare as their text).
pub(super) fn label_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.value.scalar_text().map(|v| (e.key.clone(), v)))
        .collect()
}

/// A `metav1.LabelSelector`. An empty selector selects every pod of the namespace where
/// `empty_selects_all` (NetworkPolicy, policy/v1 PodDisruptionBudget) and none otherwise; an
/// absent one selects none.
pub(super) fn label_selector(
    node: Option<&Node>,
    empty_selects_all: bool,
) -> Result<Selector, (u32, String)> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(Selector::Nothing);
    };
    if node.as_map().is_none() {
        return Err((node.line, "a label selector is a mapping".into()));
    }
    let labels = label_pairs(node.get("matchLabels"));
    let mut exprs = Vec::new();
    for e in node
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let key = e.get("key").and_then(Node::scalar_text).unwrap_or_default();
        let op_text = e
            .get("operator")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let op = match op_text.as_str() {
            "In" => ExprOp::In,
            "NotIn" => ExprOp::NotIn,
            "Exists" => ExprOp::Exists,
            "DoesNotExist" => ExprOp::DoesNotExist,
            other => {
                return Err((
                    e.line,
                    format!(
                        "matchExpressions operator `{other}` (expected In, NotIn, Exists or DoesNotExist)"
                    ),
                ));
            }
        };
        let values = e
            .get("values")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        exprs.push(Expr { key, op, values });
    }
    if labels.is_empty() && exprs.is_empty() {
        return Ok(if empty_selects_all {
            Selector::All
        } else {
            Selector::Nothing
        });
    }
    Ok(Selector::Match { labels, exprs })
}

/// A Service's `spec.selector`: a plain label map; empty or absent selects no pod (the
/// endpoints are managed by hand).
pub(super) fn service_selector(node: Option<&Node>) -> Selector {
    let labels = label_pairs(node);
    if labels.is_empty() {
        Selector::Nothing
    } else {
        Selector::Match {
            labels,
            exprs: Vec::new(),
        }
    }
}

/// Companions that select pods by label, indexed so that a workload tests only those that
/// can select it: by (namespace, the first label pair the selector requires), and, per
/// namespace, those that require no pair (select-all, expressions only). What selects a
/// set of labels is worked out once and shared by every workload with those labels, so
/// joining stays linear in the estate however many workloads share a namespace or labels.
pub(super) struct BySelector<T> {
    items: Vec<(Selector, T)>,
    by_pair: HashMap<(String, String, String), Vec<usize>>,
    other: HashMap<String, Vec<usize>>,
    /// (namespace, labels sorted) -> the items selecting them, in scan order.
    selected: RefCell<HashMap<LabelSet, Arc<[usize]>>>,
}

/// A namespace and the pod labels of a workload, sorted.
pub(super) type LabelSet = (String, Vec<(String, String)>);

impl<T> Default for BySelector<T> {
    fn default() -> Self {
        BySelector {
            items: Vec::new(),
            by_pair: HashMap::new(),
            other: HashMap::new(),
            selected: RefCell::new(HashMap::new()),
        }
    }
}

impl<T> BySelector<T> {
    pub(super) fn push(&mut self, namespace: String, selector: Selector, item: T) {
        let id = self.items.len();
        match &selector {
            Selector::Nothing => return,
            Selector::Match { labels, .. } if !labels.is_empty() => {
                let (k, v) = &labels[0];
                self.by_pair
                    .entry((namespace, k.clone(), v.clone()))
                    .or_default()
                    .push(id);
            }
            _ => self.other.entry(namespace).or_default().push(id),
        }
        self.items.push((selector, item));
    }

    /// The items whose selector selects pods with `labels` in `namespace`, in scan order:
    /// all of them (for what is judged on all) and the ids, shared with every workload of
    /// the same labels.
    pub(super) fn selecting(
        &self,
        namespace: &str,
        labels: &[(String, String)],
    ) -> Selected<'_, T> {
        let mut sorted = labels.to_vec();
        sorted.sort();
        let key = (namespace.to_string(), sorted);
        let cached = self.selected.borrow().get(&key).cloned();
        let ids = match cached {
            Some(ids) => ids,
            None => {
                let ids: Arc<[usize]> = self.select(namespace, labels).into();
                self.selected.borrow_mut().insert(key, Arc::clone(&ids));
                ids
            }
        };
        Selected { index: self, ids }
    }

    /// Every item that selected some workload's pods (one pass over what `selecting`
    /// worked out, however many workloads shared it).
    pub(super) fn each_selecting(&self, mut f: impl FnMut(&T)) {
        for ids in self.selected.borrow().values() {
            for i in ids.iter() {
                if let Some((_, item)) = self.items.get(*i) {
                    f(item);
                }
            }
        }
    }

    pub(super) fn select(&self, namespace: &str, labels: &[(String, String)]) -> Vec<usize> {
        let mut ids: Vec<usize> = self.other.get(namespace).cloned().unwrap_or_default();
        for (k, v) in labels {
            if let Some(found) = self
                .by_pair
                .get(&(namespace.to_string(), k.clone(), v.clone()))
            {
                ids.extend(found);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|i| self.items[*i].0.selects(labels));
        ids
    }
}

/// What selects one workload's pods: shared ids into a [`BySelector`].
pub(super) struct Selected<'i, T> {
    index: &'i BySelector<T>,
    ids: Arc<[usize]>,
}

impl<'i, T> Selected<'i, T> {
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }
    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Every item, for what is judged on all of them.
    pub(super) fn all(&self) -> impl Iterator<Item = &'i T> + '_ {
        self.ids.iter().map(|i| &self.index.items[*i].1)
    }
    /// The items listed in the workload's facts: the first
    /// [`MAX_COMPANIONS_PER_WORKLOAD`].
    pub(super) fn listed(&self) -> impl Iterator<Item = &'i T> + '_ {
        self.all().take(MAX_COMPANIONS_PER_WORKLOAD)
    }
}

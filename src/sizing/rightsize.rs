//! Right-sizing: recommended size = observed demand x (1 + headroom), rounded up to the next
//! allowed size; never larger than the current size when the current size already covers
//! it. Defaults follow Azure Migrate's performance-based sizing (95th percentile, comfort
//! factor 1.3).

use serde::Serialize;

use crate::model::{Demand, Sizing, Statistics, Traits, WorkloadKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Utilisation,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rightsizing {
    pub basis: Basis,
    pub confidence: Confidence,
    pub current: Sizing,
    pub recommended: Sizing,
    /// current - recommended; negative means missing (an undersized workload).
    pub reclaimable: Sizing,
    /// The demand measured (at the chosen percentile).
    pub demand: Sizing,
    /// The demand the recommendation is sized for, where it differs from the measured one
    /// (a failover group's load, a poll-mode data plane's CPU left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sized_for: Option<Sizing>,
    /// Ladder steps the recommendation reclaims per dimension (0 when it reclaims none).
    pub reclaimable_steps: Sizing,
    /// The dimensions that are oversized: at least one ladder step and the oversize
    /// threshold's share of the current size reclaimable.
    pub oversized: Vec<&'static str>,
    /// The dimensions that are undersized, each `warning` (demand plus headroom exceeds
    /// the size) or `error` (demand alone does: saturated now).
    pub undersized: std::collections::BTreeMap<&'static str, &'static str>,
    /// What the sizing took into account that the figures do not show (failover, poll
    /// mode, the storage floor, a file-level copy).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Azure-style rating, 1 to 5 stars, from the share of expected data points present.
    pub rating: u8,
    /// Share of expected data points present (0..1), when the sample count is known.
    pub data_points: Option<f64>,
    pub period_days: Option<f64>,
    /// Which statistic each dimension's demand is (`p95 (given)`, `p95 of 8640 samples`);
    /// absent where nothing says.
    #[serde(skip_serializing_if = "Statistics::is_empty")]
    pub statistic: Statistics,
}

impl Rightsizing {
    /// Its lists and sentences in blocks of their size: a report holds its sizing until the
    /// scan ends, and the room a list or a sentence grew into is most of it.
    fn shrink(&mut self) {
        crate::model::shrink_exact(&mut self.oversized);
        for note in &mut self.notes {
            crate::model::shrink_string(note);
        }
        crate::model::shrink_exact(&mut self.notes);
    }
}

/// Which allowed sizes a workload is rounded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ladder {
    /// VM sizes: the spec's vCPU and memory ladders, storage in 16 GiB steps.
    Vm,
    /// Container requests: CPU in 50m steps, memory in 64 MiB steps, storage in 1 GiB steps.
    Container,
}

impl Ladder {
    pub fn for_kind(kind: WorkloadKind) -> Ladder {
        match kind {
            WorkloadKind::Kubernetes | WorkloadKind::Compose | WorkloadKind::ContainerImage => {
                Ladder::Container
            }
            WorkloadKind::Vm | WorkloadKind::Vnf | WorkloadKind::KubernetesCluster => Ladder::Vm,
        }
    }
    pub fn vcpu(self, x: f64) -> f64 {
        match self {
            Ladder::Vm => round_vcpu(x),
            Ladder::Container => step_up(x, 0.05),
        }
    }
    pub fn memory_gib(self, x: f64) -> f64 {
        match self {
            Ladder::Vm => round_memory_gib(x),
            Ladder::Container => step_up(x, 1.0 / 16.0),
        }
    }
    pub fn storage_gib(self, x: f64) -> f64 {
        match self {
            Ladder::Vm => round_storage_gib(x),
            Ladder::Container => step_up(x, 1.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingOptions {
    /// Fraction added to demand: 0.3 for 30 %.
    pub headroom: f64,
    /// Percentile of CPU and memory samples taken as demand (1..=100).
    pub percentile: f64,
    /// Share of the current size a recommendation must reclaim (besides one step of the
    /// ladder) for the size to count as oversized: 0.25 for 25 %.
    pub oversize_threshold: f64,
    /// The fullest a disk may be after the move: 0.8 for 80 %. Applied with any headroom
    /// above 0 (`--headroom 0` sizes to demand exactly, and says so).
    pub storage_max_fill: f64,
}

impl Default for SizingOptions {
    fn default() -> Self {
        SizingOptions {
            headroom: 0.3,
            percentile: crate::units::DEFAULT_PERCENTILE,
            oversize_threshold: 0.25,
            storage_max_fill: 0.8,
        }
    }
}

impl SizingOptions {
    /// What a dimension needs: demand plus headroom; storage also no fuller than
    /// `storage_max_fill` after the move (unless the headroom is 0: demand exactly).
    pub fn required(&self, dim: Dim, demand: f64) -> f64 {
        let with_headroom = demand * (1.0 + self.headroom.max(0.0));
        match dim {
            Dim::Storage if self.headroom > 0.0 && self.storage_max_fill > 0.0 => {
                with_headroom.max(demand / self.storage_max_fill)
            }
            _ => with_headroom,
        }
    }
}

/// A dimension of a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Vcpu,
    Memory,
    Storage,
}

impl Dim {
    pub const ALL: [Dim; 3] = [Dim::Vcpu, Dim::Memory, Dim::Storage];
    /// The field name in sizes and facts (`vcpu`, `memory_gib`, `storage_gib`).
    pub fn key(self) -> &'static str {
        match self {
            Dim::Vcpu => "vcpu",
            Dim::Memory => "memory_gib",
            Dim::Storage => "storage_gib",
        }
    }
    pub fn get(self, s: &Sizing) -> Option<f64> {
        match self {
            Dim::Vcpu => s.vcpu,
            Dim::Memory => s.memory_gib,
            Dim::Storage => s.storage_gib,
        }
    }
    pub fn set(self, s: &mut Sizing, v: Option<f64>) {
        match self {
            Dim::Vcpu => s.vcpu = v,
            Dim::Memory => s.memory_gib = v,
            Dim::Storage => s.storage_gib = v,
        }
    }
}

const VCPU_LADDER: &[f64] = &[
    1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0,
];
const MEMORY_LADDER: &[f64] = &[
    0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0, 192.0,
    256.0, 384.0, 512.0, 768.0, 1024.0,
];
/// Tolerance so that 32.000000001 (float noise) still rounds to 32.
const EPS: f64 = 1e-9;

fn ladder_up(x: f64, ladder: &[f64], then_step: f64) -> f64 {
    let x = x.max(0.0);
    if let Some(v) = ladder.iter().find(|v| **v + EPS >= x) {
        return *v;
    }
    step_up(x, then_step)
}

fn step_up(x: f64, step: f64) -> f64 {
    let n = (x.max(0.0) / step - EPS).ceil().max(1.0);
    // Round away float noise (3 x 0.05 = 0.15000000000000002).
    (n * step * 1e6).round() / 1e6
}

/// Next allowed vCPU count: 1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, then multiples of 32.
pub fn round_vcpu(x: f64) -> f64 {
    ladder_up(x, VCPU_LADDER, 32.0)
}

/// Next allowed memory in GiB: 0.5, 1, 2, 3, 4, 6, ... 768, 1024, then multiples of 256.
pub fn round_memory_gib(x: f64) -> f64 {
    ladder_up(x, MEMORY_LADDER, 256.0)
}

/// Next multiple of 16 GiB (at least 16).
pub fn round_storage_gib(x: f64) -> f64 {
    step_up(x, 16.0)
}

/// Azure Migrate's rating from the share of expected data points present.
pub fn rating(share: f64) -> u8 {
    match share {
        s if s <= 0.20 => 1,
        s if s <= 0.40 => 2,
        s if s <= 0.60 => 3,
        s if s <= 0.80 => 4,
        _ => 5,
    }
}

impl Ladder {
    /// The next allowed size of `dim` at or above `x`.
    pub fn round(self, dim: Dim, x: f64) -> f64 {
        match dim {
            Dim::Vcpu => self.vcpu(x),
            Dim::Memory => self.memory_gib(x),
            Dim::Storage => self.storage_gib(x),
        }
    }

    /// Allowed sizes of `dim` above `recommended` up to the size `current` rounds to: how
    /// many steps of the ladder a recommendation gives back.
    pub fn steps(self, dim: Dim, recommended: f64, current: f64) -> f64 {
        let top = self.round(dim, current);
        if recommended + EPS >= top {
            return 0.0;
        }
        let mut n = 0.0;
        let mut x = recommended;
        // Bounded: sizes are bounded on input, and so is the walk.
        for _ in 0..100_000 {
            let next = self.round(dim, x + 1e-6);
            if next > top + EPS {
                break;
            }
            n += 1.0;
            x = next;
        }
        n
    }
}

/// The recommendation for one workload; None when nothing about its size is known.
pub fn rightsize(
    current: &Sizing,
    demand: Option<&Demand>,
    ladder: Ladder,
    opts: &SizingOptions,
    traits: &Traits,
) -> Option<Rightsizing> {
    let demand = demand.filter(|d| !d.is_empty());
    if current.is_empty() && demand.is_none() {
        return None;
    }
    let d = demand.cloned().unwrap_or_default();
    let measured = Sizing {
        vcpu: d.vcpu,
        memory_gib: d.memory_gib,
        storage_gib: d.storage_gib,
    };
    let mut sized = measured;
    let mut notes = Vec::new();
    if let Some((group, why)) = &traits.failover {
        for dim in [Dim::Vcpu, Dim::Memory] {
            if let Some(g) = dim.get(group) {
                let own = dim.get(&sized).unwrap_or(0.0);
                dim.set(&mut sized, Some(g.max(own)));
            }
        }
        notes.push(why.clone());
    }
    if !traits.poll_mode.is_empty() {
        let features = traits.poll_mode.join(", ");
        sized.vcpu = None;
        if traits.hugepages {
            sized.memory_gib = None;
        }
        notes.push(format!(
            "poll-mode data plane ({features}): {} full by design, so {} not sized on utilisation and never called undersized for it; size it on throughput per vCPU (evidence needed)",
            if traits.hugepages {
                "CPU shows 100 % and huge-page memory shows"
            } else {
                "CPU shows 100 %"
            },
            if traits.hugepages {
                "CPU and memory are"
            } else {
                "CPU is"
            }
        ));
    }
    let recommend = |dim: Dim| -> Option<f64> {
        let cur = dim.get(current);
        match dim.get(&sized) {
            Some(need) => {
                let required = opts.required(dim, need);
                let rounded = ladder.round(dim, required);
                Some(match cur {
                    Some(c) if c + EPS >= required => rounded.min(c),
                    _ => rounded,
                })
            }
            None => cur,
        }
    };
    let mut recommended = Sizing {
        vcpu: recommend(Dim::Vcpu),
        memory_gib: recommend(Dim::Memory),
        storage_gib: recommend(Dim::Storage),
    };
    if let Some(why) = &traits.keep_size {
        for dim in [Dim::Vcpu, Dim::Memory] {
            if let (Some(r), Some(c)) = (dim.get(&recommended), dim.get(current))
                && r < c
            {
                dim.set(&mut recommended, Some(c));
            }
        }
        notes.push(why.clone());
    }
    let diff = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(round2(a - b)),
        _ => None,
    };
    let reclaimable = Sizing {
        vcpu: diff(current.vcpu, recommended.vcpu),
        memory_gib: diff(current.memory_gib, recommended.memory_gib),
        storage_gib: diff(current.storage_gib, recommended.storage_gib),
    };
    let share = match (d.samples, d.expected_samples) {
        (Some(s), Some(e)) if e > 0 => Some((s as f64 / e as f64).min(1.0)),
        _ => None,
    };
    let stars = share.map_or(1, rating);
    let (basis, confidence) = match demand {
        None => (Basis::None, Confidence::Low),
        Some(d) if d.weak => (Basis::Utilisation, Confidence::Low),
        Some(_) => (
            Basis::Utilisation,
            match stars {
                5 => Confidence::High,
                3 | 4 => Confidence::Medium,
                _ => Confidence::Low,
            },
        ),
    };
    let mut rs = Rightsizing {
        basis,
        confidence,
        current: *current,
        recommended,
        reclaimable,
        demand: Sizing {
            vcpu: d.vcpu.map(round2),
            memory_gib: d.memory_gib.map(round2),
            storage_gib: d.storage_gib.map(round2),
        },
        sized_for: (sized != measured).then_some(Sizing {
            vcpu: sized.vcpu.map(round2),
            memory_gib: sized.memory_gib.map(round2),
            storage_gib: sized.storage_gib.map(round2),
        }),
        reclaimable_steps: Sizing::default(),
        oversized: Vec::new(),
        undersized: std::collections::BTreeMap::new(),
        notes,
        rating: stars,
        data_points: share.map(round2),
        period_days: d.period_days,
        statistic: d.statistic.clone(),
    };
    judge(&mut rs, ladder, opts);
    rs.shrink();
    Some(rs)
}

/// The demand a recommendation is sized for: the measured one unless something the figures
/// cannot see changed it.
pub fn sizing_demand(rs: &Rightsizing) -> Sizing {
    rs.sized_for.unwrap_or(rs.demand)
}

/// Ladder steps, oversized and undersized dimensions of a recommendation (again after a
/// catalog changed it), and the storage notes: one rule of oversize for every resource
/// and kind.
pub fn judge(rs: &mut Rightsizing, ladder: Ladder, opts: &SizingOptions) {
    let sized = sizing_demand(rs);
    rs.reclaimable_steps = Sizing::default();
    rs.oversized.clear();
    rs.undersized.clear();
    rs.notes.retain(|n| !n.starts_with("storage: "));
    if rs.basis != Basis::Utilisation {
        return;
    }
    for dim in Dim::ALL {
        let (Some(c), Some(r), Some(need)) = (
            dim.get(&rs.current),
            dim.get(&rs.recommended),
            dim.get(&sized),
        ) else {
            continue;
        };
        let steps = ladder.steps(dim, r, c);
        dim.set(&mut rs.reclaimable_steps, Some(steps));
        let reclaim = c - r;
        if steps >= 1.0 && c > 0.0 && reclaim / c + EPS >= opts.oversize_threshold {
            rs.oversized.push(dim.key());
        }
        if opts.required(dim, need) > c + EPS && r > c + EPS {
            let measured = dim.get(&rs.demand).unwrap_or(need);
            let severity = if measured > c + EPS {
                "error"
            } else {
                "warning"
            };
            rs.undersized.insert(dim.key(), severity);
        }
    }
    // What the storage recommendation means after the move.
    if let (Some(c), Some(r), Some(used)) = (
        rs.current.storage_gib,
        rs.recommended.storage_gib,
        rs.demand.storage_gib,
    ) && r > 0.0
    {
        let pct = |x: f64| (x * 100.0).round();
        let fill = used / r;
        if r + EPS < c {
            rs.notes.push(format!(
                "storage: shrinking {} GiB to {} GiB means a file-level copy to new disks (a block-level rehost keeps the provisioned size)",
                crate::node::format_number(c),
                crate::node::format_number(r)
            ));
        } else if r > c + EPS {
            rs.notes.push(format!(
                "storage: {} GiB used of {} GiB is {} % full; growing to {} GiB leaves it {} % full (disks grow in place)",
                crate::node::format_number(round2(used)),
                crate::node::format_number(c),
                pct(used / c),
                crate::node::format_number(r),
                pct(fill)
            ));
        }
        if fill > opts.storage_max_fill + EPS {
            let floor = ladder.storage_gib(used / opts.storage_max_fill.max(0.01));
            rs.notes.push(format!(
                "storage: {} % full after the move, above the {} % floor: --headroom 0 sizes to demand exactly ({} GiB would keep it at or below {} %)",
                pct(fill),
                pct(opts.storage_max_fill),
                crate::node::format_number(floor),
                pct(opts.storage_max_fill)
            ));
        }
    }
}

/// The sum of per-instance recommendations, each weighted by its instance count: a pod's
/// containers times replicas, a VNF's VDUs times instances. Confidence is the weakest part's.
pub fn aggregate(parts: &[(f64, &Rightsizing)]) -> Option<Rightsizing> {
    if parts.is_empty() {
        return None;
    }
    // One part of one instance (a Compose service) is the workload: its judgement holds.
    if let [(n, r)] = parts
        && (*n - 1.0).abs() < EPS
    {
        return Some((*r).clone());
    }
    let sum = |pick: &dyn Fn(&Rightsizing) -> Option<f64>| -> Option<f64> {
        let values: Vec<f64> = parts
            .iter()
            .filter_map(|(n, r)| pick(r).map(|v| v * n))
            .collect();
        (!values.is_empty()).then(|| round2(values.iter().sum()))
    };
    let total = |pick: &dyn Fn(&Rightsizing) -> Sizing| Sizing {
        vcpu: sum(&|r| pick(r).vcpu),
        memory_gib: sum(&|r| pick(r).memory_gib),
        storage_gib: sum(&|r| pick(r).storage_gib),
    };
    let any_utilisation = parts.iter().any(|(_, r)| r.basis == Basis::Utilisation);
    Some(Rightsizing {
        basis: if any_utilisation {
            Basis::Utilisation
        } else {
            Basis::None
        },
        confidence: parts
            .iter()
            .map(|(_, r)| r.confidence)
            .min()
            .unwrap_or(Confidence::Low),
        current: total(&|r| r.current),
        recommended: total(&|r| r.recommended),
        reclaimable: total(&|r| r.reclaimable),
        demand: total(&|r| r.demand),
        sized_for: parts
            .iter()
            .any(|(_, r)| r.sized_for.is_some())
            .then(|| total(&sizing_demand)),
        reclaimable_steps: Sizing::default(),
        oversized: Vec::new(),
        undersized: std::collections::BTreeMap::new(),
        notes: Vec::new(),
        rating: parts.iter().map(|(_, r)| r.rating).min().unwrap_or(1),
        data_points: parts
            .iter()
            .filter_map(|(_, r)| r.data_points)
            .reduce(f64::min),
        period_days: parts
            .iter()
            .filter_map(|(_, r)| r.period_days)
            .reduce(f64::min),
        statistic: Statistics::default(),
    })
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::percentile;

    #[test]
    fn ladders_round_up() {
        assert_eq!(round_vcpu(0.2), 1.0);
        assert_eq!(round_vcpu(4.0), 4.0);
        assert_eq!(round_vcpu(4.0000000001), 4.0);
        assert_eq!(round_vcpu(4.1), 6.0);
        assert_eq!(round_vcpu(100.0), 128.0);
        assert_eq!(round_vcpu(129.0), 160.0);
        assert_eq!(round_vcpu(200.0), 224.0);
        assert_eq!(round_memory_gib(0.1), 0.5);
        assert_eq!(round_memory_gib(2.5), 3.0);
        assert_eq!(round_memory_gib(32.0), 32.0);
        assert_eq!(round_memory_gib(39.0), 48.0);
        assert_eq!(round_memory_gib(1025.0), 1280.0);
        assert_eq!(round_storage_gib(1024.0), 1024.0);
        assert_eq!(round_storage_gib(1024.5), 1040.0);
        assert_eq!(round_storage_gib(0.0), 16.0);
    }

    fn seed_demand() -> Demand {
        Demand {
            vcpu: Some(4.0),
            memory_gib: Some(32.0),
            storage_gib: Some(1024.0),
            samples: Some(8640),
            expected_samples: Some(8640),
            period_days: Some(30.0),
            ..Demand::default()
        }
    }

    fn seed_current() -> Sizing {
        Sizing {
            vcpu: Some(8.0),
            memory_gib: Some(128.0),
            storage_gib: Some(9000.0),
        }
    }

    #[test]
    fn the_seed_server_with_no_headroom() {
        let opts = SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let r = rightsize(
            &seed_current(),
            Some(&seed_demand()),
            Ladder::Vm,
            &opts,
            &Traits::default(),
        );
        let r = r.unwrap_or_else(|| panic!("expected a recommendation"));
        assert_eq!(
            r.recommended,
            Sizing {
                vcpu: Some(4.0),
                memory_gib: Some(32.0),
                storage_gib: Some(1024.0)
            }
        );
        assert_eq!(
            r.reclaimable,
            Sizing {
                vcpu: Some(4.0),
                memory_gib: Some(96.0),
                storage_gib: Some(7976.0)
            }
        );
        assert_eq!(r.basis, Basis::Utilisation);
        assert_eq!(r.confidence, Confidence::High);
        assert_eq!(r.rating, 5);
    }

    #[test]
    fn the_seed_server_with_default_headroom() {
        let r = rightsize(
            &seed_current(),
            Some(&seed_demand()),
            Ladder::Vm,
            &SizingOptions::default(),
            &Traits::default(),
        );
        let rec = r.map(|r| r.recommended);
        assert_eq!(
            rec,
            Some(Sizing {
                vcpu: Some(6.0),
                memory_gib: Some(48.0),
                storage_gib: Some(1344.0)
            })
        );
    }

    #[test]
    fn undersized_is_negative_and_off_ladder_sizes_are_not_grown() {
        let current = Sizing {
            vcpu: Some(3.0),
            memory_gib: Some(8.0),
            storage_gib: None,
        };
        let demand = Demand {
            vcpu: Some(2.5),
            memory_gib: Some(10.0),
            ..Demand::default()
        };
        let opts = SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let r = rightsize(
            &current,
            Some(&demand),
            Ladder::Vm,
            &opts,
            &Traits::default(),
        )
        .map(|r| (r.recommended, r.reclaimable, r.confidence));
        let (rec, recl, conf) = r.unwrap_or_else(|| panic!("expected a recommendation"));
        assert_eq!(rec.vcpu, Some(3.0));
        assert_eq!(rec.memory_gib, Some(12.0));
        assert_eq!(recl.memory_gib, Some(-4.0));
        assert_eq!(rec.storage_gib, None);
        assert_eq!(conf, Confidence::Low);
    }

    #[test]
    fn no_demand_means_basis_none() {
        let r = rightsize(
            &seed_current(),
            None,
            Ladder::Vm,
            &SizingOptions::default(),
            &Traits::default(),
        );
        let r = r.unwrap_or_else(|| panic!("expected a recommendation"));
        assert_eq!(r.basis, Basis::None);
        assert_eq!(r.recommended, seed_current());
        assert_eq!(r.reclaimable.vcpu, Some(0.0));
        assert!(
            rightsize(
                &Sizing::default(),
                None,
                Ladder::Vm,
                &SizingOptions::default(),
                &Traits::default()
            )
            .is_none()
        );
    }

    #[test]
    fn containers_use_fine_steps() {
        let current = Sizing {
            vcpu: Some(2.0),
            memory_gib: Some(4.0),
            storage_gib: None,
        };
        let demand = Demand {
            vcpu: Some(0.12),
            memory_gib: Some(0.3),
            ..Demand::default()
        };
        let opts = SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let rec = rightsize(
            &current,
            Some(&demand),
            Ladder::Container,
            &opts,
            &Traits::default(),
        )
        .map(|r| r.recommended);
        assert_eq!(rec.and_then(|r| r.vcpu), Some(0.15));
        assert_eq!(rec.and_then(|r| r.memory_gib), Some(0.3125));
    }

    #[test]
    fn components_add_up_by_their_counts() {
        let opts = SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let app = Sizing {
            vcpu: Some(1.0),
            memory_gib: Some(2.0),
            storage_gib: None,
        };
        let sidecar = Sizing {
            vcpu: Some(0.1),
            memory_gib: None,
            storage_gib: None,
        };
        let busy = Demand {
            vcpu: Some(0.5),
            memory_gib: Some(1.0),
            samples: Some(288),
            expected_samples: Some(288),
            ..Demand::default()
        };
        let a = rightsize(
            &app,
            Some(&busy),
            Ladder::Container,
            &opts,
            &Traits::default(),
        );
        let s = rightsize(&sidecar, None, Ladder::Container, &opts, &Traits::default());
        let (Some(a), Some(s)) = (a, s) else {
            panic!("expected recommendations")
        };
        let total =
            aggregate(&[(3.0, &a), (3.0, &s)]).unwrap_or_else(|| panic!("expected a total"));
        assert_eq!(
            total.current,
            Sizing {
                vcpu: Some(3.3),
                memory_gib: Some(6.0),
                storage_gib: None
            }
        );
        assert_eq!(
            total.recommended,
            Sizing {
                vcpu: Some(1.8),
                memory_gib: Some(3.0),
                storage_gib: None
            }
        );
        assert_eq!(total.reclaimable.vcpu, Some(1.5));
        assert_eq!(total.basis, Basis::Utilisation);
        // the sidecar has no utilisation: the total is only as good as its weakest part
        assert_eq!(total.confidence, Confidence::Low);
        assert!(aggregate(&[]).is_none());
    }

    #[test]
    fn ratings_and_percentiles() {
        assert_eq!(rating(0.1), 1);
        assert_eq!(rating(0.5), 3);
        assert_eq!(rating(0.81), 5);
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 95.0), Some(95.0));
        assert_eq!(percentile(&s, 100.0), Some(100.0));
        assert_eq!(percentile(&[3.0], 50.0), Some(3.0));
        assert_eq!(percentile(&[f64::NAN], 50.0), None);
    }
}

//! Sizing catalogs (`--catalog FILE`): the sizes a workload may be given — VM sizes, cloud
//! instance types, NFVI flavours — instead of the default ladders. The recommendation is
//! the cheapest entry that fits the demand plus headroom (the smallest when there are no
//! prices); with prices, the report shows what the current size costs in the same
//! catalog and the monthly saving.
//!
//! ```yaml
//! name: Azure Dsv5/Esv5, West Europe, pay as you go   # optional
//! currency: EUR                                        # optional
//! sizes:                                               # or entries, flavors, flavours, or a bare list
//!   - { name: D2s_v5, vcpu: 2, memory_gib: 8, price: 70.08 }          # price per month
//!   - { name: E4s_v5, vcpu: 4, memory_gib: 32, storage_gib: 0, price_per_hour: 0.296 }
//!   - { name: m1.large, vcpus: 4, ram: 8192, disk: 80 }                # NFVI flavour: ram MB, disk GB
//! ```
//!
//! Keys ignore case, so `openstack flavor list -f yaml` output (`Name`, `VCPUs`, `RAM`,
//! `Disk`) reads as it is. `MB`/`GB` are MiB/GiB, as for every VM size.

use crate::source::AuxiliaryError;
use std::path::Path;

use serde::Serialize;

use crate::node::{Node, Value, format_number};
use crate::sizing::LoadError as Error;
use crate::sizing::rightsize::{Rightsizing, SizingOptions, round2};

/// Hours in a month, as cloud price lists count them.
const HOURS_PER_MONTH: f64 = 730.0;
const EPS: f64 = 1e-9;

/// What the report records about the catalog (in `assumptions.catalog`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogInfo {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub entries: usize,
    /// Whether every entry has a price (then "cheapest" is by price, else by size).
    pub priced: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    name: String,
    vcpu: f64,
    memory_gib: f64,
    /// None (or 0 in the file): storage is not part of the entry (separate disks).
    storage_gib: Option<f64>,
    price: Option<f64>,
}

/// The entry chosen for one workload (or one instance of a component).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogFit {
    pub entry: String,
    pub vcpu: f64,
    pub memory_gib: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_gib: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_per_month: Option<f64>,
    /// The cheapest entry that holds the current size: what the workload costs as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_entry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_price_per_month: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saving_per_month: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub info: CatalogInfo,
    entries: Vec<Entry>,
}

/// What a workload needs: per dimension, demand plus headroom, or the current size where
/// no demand is known.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    vcpu: Option<f64>,
    memory_gib: Option<f64>,
    storage_gib: Option<f64>,
}

impl Catalog {
    pub fn empty(file: &str, name: Option<String>, currency: Option<String>) -> Self {
        Catalog {
            info: CatalogInfo {
                file: file.to_string(),
                name,
                currency,
                entries: 0,
                priced: false,
            },
            entries: Vec::new(),
        }
    }

    /// The cheapest entry that fits `need`; ties go to the smaller, then the name.
    fn cheapest(&self, need: &Need) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                need.vcpu.is_none_or(|v| e.vcpu + EPS >= v)
                    && need.memory_gib.is_none_or(|m| e.memory_gib + EPS >= m)
                    && match (e.storage_gib, need.storage_gib) {
                        (Some(s), Some(n)) => s + EPS >= n,
                        _ => true,
                    }
            })
            .min_by(|a, b| {
                let price = |e: &Entry| e.price.unwrap_or(f64::INFINITY);
                price(a)
                    .total_cmp(&price(b))
                    .then(a.vcpu.total_cmp(&b.vcpu))
                    .then(a.memory_gib.total_cmp(&b.memory_gib))
                    .then(
                        a.storage_gib
                            .unwrap_or(0.0)
                            .total_cmp(&b.storage_gib.unwrap_or(0.0)),
                    )
                    .then(a.name.cmp(&b.name))
            })
    }

    fn need(rs: &Rightsizing, sizing: &SizingOptions) -> Need {
        use crate::sizing::rightsize::Dim;
        let demand = crate::sizing::rightsize::sizing_demand(rs);
        let dim = |d: Dim| {
            d.get(&demand)
                .map(|v| sizing.required(d, v))
                .or(d.get(&rs.current))
        };
        Need {
            vcpu: dim(Dim::Vcpu),
            memory_gib: dim(Dim::Memory),
            storage_gib: dim(Dim::Storage),
        }
    }

    /// Rounds the recommendation to the cheapest entry that fits and returns it. A
    /// dimension the entry holds more of than the workload has now is not "missing": the
    /// reclaimable figure goes negative only where demand exceeds the current size.
    pub fn fit(&self, rs: Option<&mut Rightsizing>, sizing: &SizingOptions) -> Option<CatalogFit> {
        let rs = rs?;
        let need = Catalog::need(rs, sizing);
        if need.vcpu.is_none() && need.memory_gib.is_none() {
            return None;
        }
        let entry = self.cheapest(&need)?;
        rs.recommended.vcpu = Some(entry.vcpu);
        rs.recommended.memory_gib = Some(entry.memory_gib);
        if let Some(s) = entry.storage_gib {
            rs.recommended.storage_gib = Some(s);
        }
        let reclaim = |current: Option<f64>, recommended: Option<f64>, needed: Option<f64>| {
            let (c, r) = (current?, recommended?);
            let undersized = needed.is_some_and(|n| n > c + EPS);
            Some(round2(if undersized { c - r } else { (c - r).max(0.0) }))
        };
        rs.reclaimable.vcpu = reclaim(rs.current.vcpu, rs.recommended.vcpu, need.vcpu);
        rs.reclaimable.memory_gib = reclaim(
            rs.current.memory_gib,
            rs.recommended.memory_gib,
            need.memory_gib,
        );
        rs.reclaimable.storage_gib = reclaim(
            rs.current.storage_gib,
            rs.recommended.storage_gib,
            need.storage_gib,
        );
        let as_is = self.cheapest(&Need {
            vcpu: rs.current.vcpu,
            memory_gib: rs.current.memory_gib,
            storage_gib: rs.current.storage_gib,
        });
        let current_price = as_is.and_then(|e| e.price);
        Some(CatalogFit {
            entry: entry.name.clone(),
            vcpu: entry.vcpu,
            memory_gib: entry.memory_gib,
            storage_gib: entry.storage_gib,
            price_per_month: entry.price,
            current_entry: as_is.map(|e| e.name.clone()),
            current_price_per_month: current_price,
            saving_per_month: match (current_price, entry.price) {
                (Some(c), Some(r)) => Some(round2(c - r)),
                _ => None,
            },
        })
    }

    /// Why no entry fits, for the workload's notes.
    pub fn unfit_note(&self, rs: Option<&Rightsizing>, sizing: &SizingOptions) -> Option<String> {
        let need = Catalog::need(rs?, sizing);
        if need.vcpu.is_none() && need.memory_gib.is_none() {
            return None;
        }
        let show = |v: Option<f64>| v.map_or_else(|| "?".to_string(), |v| format_number(round2(v)));
        Some(format!(
            "no entry of the catalog fits {} vCPU / {} GiB memory / {} GiB storage",
            show(need.vcpu),
            show(need.memory_gib),
            show(need.storage_gib)
        ))
    }
}

/// What [`insert_facts`] adds (a catalog sizes workloads without components: VMs).
pub const FACTS: &[crate::model::FactGroup] = &[crate::model::FactGroup {
    targets: &[crate::model::Target::Vm],
    title: "With a size catalog (`--catalog`)",
    facts: &[
        crate::model::FactDoc::new(
            "catalog.entry",
            "the cheapest catalog entry that fits the recommendation (VM size, instance type, flavour)",
        ),
        crate::model::FactDoc::new(
            "catalog.price_per_month",
            "that entry's monthly price, when the catalog has prices",
        ),
        crate::model::FactDoc::new(
            "catalog.saving_per_month",
            "the current size's price minus the entry's, when both are known",
        ),
    ],
}];

/// `facts.catalog.entry` and `facts.catalog.price_per_month`, for user rules.
pub fn insert_facts(facts: &mut Node, fit: Option<&CatalogFit>) {
    let Some(fit) = fit else { return };
    facts.insert_path("catalog.entry", Node::str(fit.entry.clone(), 0));
    if let Some(p) = fit.price_per_month {
        facts.insert_path("catalog.price_per_month", Node::float(p, 0));
    }
    if let Some(s) = fit.saving_per_month {
        facts.insert_path("catalog.saving_per_month", Node::float(s, 0));
    }
}

/// Reads and validates a catalog file; a mistake is a configuration error (exit 2) naming
/// the file, line and field.
pub fn load(path: &Path) -> Result<Catalog, Error> {
    let display = path.display().to_string();
    let text = crate::source::read_auxiliary_text(path).map_err(|e| Error::Path {
        path: display.clone(),
        message: match e {
            AuxiliaryError::NotFound => "no such catalog file".to_string(),
            AuxiliaryError::Other(m) => format!("catalog: {m}"),
        },
    })?;
    parse(&display, &text).map_err(Error::Usage)
}

fn key_of<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    node.as_map()?
        .iter()
        .rev()
        .find(|e| {
            let k = e.key.to_ascii_lowercase().replace([' ', '-'], "_");
            keys.contains(&k.as_str())
        })
        .map(|e| &e.value)
}

pub fn parse(file: &str, text: &str) -> Result<Catalog, String> {
    let docs = crate::yaml::parse_documents(text).map_err(|e| match e.line {
        Some(l) => format!("{file}:{l}: {}", e.message),
        None => format!("{file}: {}", e.message),
    })?;
    let doc = docs
        .into_iter()
        .next()
        .ok_or_else(|| format!("{file}: empty catalog"))?;
    let (list, name, currency) = match &doc.value {
        Value::Seq(_) => (doc.clone(), None, None),
        Value::Map(_) => {
            let list = key_of(&doc, &["sizes", "entries", "flavors", "flavours", "items", "catalog"])
                .filter(|n| n.as_seq().is_some())
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{file}:{}: a catalog holds `sizes:` (or `entries:`, `flavors:`) with a list of {{ name, vcpu, memory_gib, storage_gib, price }}",
                        doc.line
                    )
                })?;
            let text = |keys: &[&str]| key_of(&doc, keys).and_then(Node::scalar_text);
            (list, text(&["name", "title"]), text(&["currency"]))
        }
        _ => {
            return Err(format!(
                "{file}:{}: a catalog is a list of sizes or a mapping with `sizes:`",
                doc.line
            ));
        }
    };
    let mut catalog = Catalog::empty(file, name, currency);
    for item in list.as_seq().unwrap_or_default() {
        catalog.entries.push(parse_entry(file, item)?);
    }
    if catalog.entries.is_empty() {
        return Err(format!("{file}: the catalog has no entries"));
    }
    catalog.info.entries = catalog.entries.len();
    catalog.info.priced = catalog.entries.iter().all(|e| e.price.is_some());
    Ok(catalog)
}

fn parse_entry(file: &str, item: &Node) -> Result<Entry, String> {
    let at = |n: &Node| format!("{file}:{}", n.line.max(item.line));
    if item.as_map().is_none() {
        return Err(format!(
            "{}: an entry is a mapping with name, vcpu and memory_gib",
            at(item)
        ));
    }
    let name = key_of(item, &["name", "id", "size", "flavor", "flavour", "type"])
        .and_then(Node::scalar_text)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| format!("{}: an entry needs `name`", at(item)))?;
    let positive = |n: &Node, what: &str, allow_zero: bool| -> Result<f64, String> {
        match n.as_f64() {
            Some(v) if v > 0.0 || (allow_zero && v == 0.0) => Ok(v),
            _ => Err(format!(
                "{}: entry `{name}`: {what} must be a {}number, not `{}`",
                at(n),
                if allow_zero {
                    "non-negative "
                } else {
                    "positive "
                },
                n.display_text()
            )),
        }
    };
    let size = |n: &Node, what: &str, scale: f64| -> Result<f64, String> {
        match &n.value {
            Value::Str(s) if s.trim().parse::<f64>().is_err() => crate::units::vm_size_gib(s)
                .map_err(|e| format!("{}: entry `{name}`: {what}: {e}", at(n))),
            _ => positive(n, what, true).map(|v| v * scale),
        }
    };
    // A price adds up over an estate: one past a billion a month is a typo (or hostile)
    // and would make every total meaningless.
    let price = |n: &Node, what: &str, monthly: f64| -> Result<f64, String> {
        if monthly <= crate::units::MAX_PRICE_PER_MONTH {
            Ok(monthly)
        } else {
            Err(format!(
                "{}: entry `{name}`: {what} `{}` is more than a machine costs (allowed: 0 up to 1,000,000,000 a month)",
                at(n),
                match n.as_f64() {
                    Some(v) if v >= 1e15 => format!("{v:e}"),
                    _ => n.display_text(),
                }
            ))
        }
    };
    let vcpu = key_of(item, &["vcpu", "vcpus", "cpu", "cpus", "cores"])
        .ok_or_else(|| format!("{}: entry `{name}` needs `vcpu`", at(item)))
        .and_then(|n| {
            positive(n, "vcpu", false).and_then(|v| {
                crate::units::check_vcpu(v, &n.display_text())
                    .map_err(|e| format!("{}: entry `{name}`: vcpu: {e}", at(n)))
            })
        })?;
    let memory_gib = if let Some(n) = key_of(item, &["memory_gib", "memory_gb", "memory"]) {
        size(n, "memory_gib", 1.0)?
    } else if let Some(n) = key_of(item, &["ram", "ram_mb", "memory_mb", "memory_mib"]) {
        size(n, "ram (MB)", 1.0 / 1024.0)?
    } else {
        return Err(format!(
            "{}: entry `{name}` needs `memory_gib` (or `ram` in MB)",
            at(item)
        ));
    };
    if memory_gib <= 0.0 {
        return Err(format!(
            "{}: entry `{name}`: memory must be above 0",
            at(item)
        ));
    }
    if memory_gib > crate::units::MAX_MEMORY_GIB {
        return Err(format!(
            "{}: entry `{name}`: memory of {} GiB is more than a machine has (allowed: up to 64 TiB)",
            at(item),
            crate::node::format_number(memory_gib)
        ));
    }
    let storage_gib = match key_of(
        item,
        &["storage_gib", "storage_gb", "storage", "disk", "disk_gb"],
    ) {
        Some(n) => Some(size(n, "storage_gib", 1.0)?).filter(|s| *s > 0.0),
        None => None,
    };
    let price = if let Some(n) = key_of(
        item,
        &[
            "price",
            "price_per_month",
            "monthly_price",
            "per_month",
            "cost",
            "monthly",
        ],
    ) {
        Some(price(n, "price", positive(n, "price", true)?)?)
    } else if let Some(n) = key_of(
        item,
        &["price_per_hour", "hourly_price", "per_hour", "hourly"],
    ) {
        let monthly = positive(n, "price_per_hour", true)? * HOURS_PER_MONTH;
        Some(round2(price(n, "price_per_hour", monthly)?))
    } else {
        None
    };
    Ok(Entry {
        name,
        vcpu,
        memory_gib,
        storage_gib,
        price,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sizing;
    use crate::sizing::rightsize::{Basis, Confidence};

    const AZURE: &str = "\
name: test sizes
currency: EUR
sizes:
  - { name: D2s_v5, vcpu: 2, memory_gib: 8, price: 70 }
  - { name: D4s_v5, vcpu: 4, memory_gib: 16, price: 140 }
  - { name: E4s_v5, vcpu: 4, memory_gib: 32, price: 184 }
  - { name: E8s_v5, vcpu: 8, memory_gib: 64, price: 368 }
  - { name: E16s_v5, vcpu: 16, memory_gib: 128, price_per_hour: 1.008 }
";

    fn rs(current: (f64, f64), demand: Option<(f64, f64)>) -> Rightsizing {
        let current = Sizing {
            vcpu: Some(current.0),
            memory_gib: Some(current.1),
            storage_gib: None,
        };
        Rightsizing {
            basis: if demand.is_some() {
                Basis::Utilisation
            } else {
                Basis::None
            },
            confidence: Confidence::High,
            current,
            recommended: current,
            reclaimable: Sizing::default(),
            demand: Sizing {
                vcpu: demand.map(|d| d.0),
                memory_gib: demand.map(|d| d.1),
                storage_gib: None,
            },
            sized_for: None,
            reclaimable_steps: Sizing::default(),
            oversized: Vec::new(),
            undersized: Default::default(),
            notes: Vec::new(),
            rating: 5,
            data_points: Some(1.0),
            period_days: Some(30.0),
            statistic: Default::default(),
        }
    }

    #[test]
    fn the_cheapest_entry_that_fits_with_the_saving() {
        let cat = parse("c.yaml", AZURE).unwrap_or_else(|e| panic!("{e}"));
        assert!(cat.info.priced);
        let mut r = rs((16.0, 128.0), Some((3.0, 20.0)));
        let opts = SizingOptions {
            headroom: 0.3,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let fit = cat
            .fit(Some(&mut r), &opts)
            .unwrap_or_else(|| panic!("fits"));
        // 3.9 vCPU and 26 GiB: E4s_v5
        assert_eq!(fit.entry, "E4s_v5");
        assert_eq!(fit.current_entry.as_deref(), Some("E16s_v5"));
        assert_eq!(fit.current_price_per_month, Some(735.84));
        assert_eq!(fit.saving_per_month, Some(551.84));
        assert_eq!(r.recommended.vcpu, Some(4.0));
        assert_eq!(r.reclaimable.memory_gib, Some(96.0));
    }

    #[test]
    fn more_of_one_dimension_than_now_is_not_undersized() {
        let cat = parse("c.yaml", AZURE).unwrap_or_else(|e| panic!("{e}"));
        let mut r = rs((2.0, 16.0), Some((1.0, 12.0)));
        let opts = SizingOptions {
            headroom: 0.3,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let fit = cat
            .fit(Some(&mut r), &opts)
            .unwrap_or_else(|| panic!("fits"));
        // 1.3 vCPU, 15.6 GiB: the 4 vCPU / 16 GiB size, more vCPU than now
        assert_eq!(fit.entry, "D4s_v5");
        assert_eq!(r.recommended.vcpu, Some(4.0));
        assert_eq!(r.reclaimable.vcpu, Some(0.0));
        // undersized memory stays negative
        let mut r = rs((4.0, 16.0), Some((2.0, 20.0)));
        cat.fit(Some(&mut r), &opts);
        assert_eq!(r.reclaimable.memory_gib, Some(-16.0));
        // nothing fits 200 vCPU
        let mut r = rs((256.0, 16.0), None);
        assert!(cat.fit(Some(&mut r), &opts).is_none());
        assert!(
            cat.unfit_note(Some(&r), &opts)
                .is_some_and(|n| n.contains("256 vCPU"))
        );
    }

    #[test]
    fn nfvi_flavours_read_as_they_are() {
        let text = "- Name: m1.small\n  VCPUs: 1\n  RAM: 2048\n  Disk: 20\n- Name: m1.large\n  VCPUs: 4\n  RAM: 8192\n  Disk: 80\n";
        let cat = parse("flavors.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!cat.info.priced);
        let mut r = rs((8.0, 16.0), Some((0.5, 1.5)));
        r.current.storage_gib = Some(40.0);
        r.demand.storage_gib = Some(10.0);
        let opts = SizingOptions {
            headroom: 0.0,
            percentile: 95.0,
            ..SizingOptions::default()
        };
        let fit = cat
            .fit(Some(&mut r), &opts)
            .unwrap_or_else(|| panic!("fits"));
        assert_eq!(
            (fit.entry.as_str(), fit.memory_gib, fit.storage_gib),
            ("m1.small", 2.0, Some(20.0))
        );
    }

    #[test]
    fn vnf_components_are_fitted_to_flavours_instance_by_instance() {
        use crate::model::{Component, Demand, Generation, Target, Workload, WorkloadKind};
        use std::sync::Arc;
        let flavours = parse(
            "flavors.yaml",
            "- { name: m1.small, vcpus: 2, ram: 4096, disk: 40, price: 20 }\n- { name: m1.large, vcpus: 8, ram: 16384, disk: 80, price: 80 }\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut vnf = Workload::new(
            WorkloadKind::Vnf,
            Target::Vnf,
            "firewall",
            Arc::from("vnfd.yaml"),
            1,
            Generation::CloudNative,
            Node::map(1),
        );
        vnf.components.push(Component {
            name: "dataplane".into(),
            line: 10,
            count: 3.0,
            current: Sizing {
                vcpu: Some(8.0),
                memory_gib: Some(16.0),
                storage_gib: Some(80.0),
            },
            traits: Default::default(),
            demand: Some(Demand {
                vcpu: Some(1.0),
                memory_gib: Some(2.0),
                storage_gib: Some(10.0),
                ..Demand::default()
            }),
        });
        let opts = crate::ScanOptions {
            sizing: SizingOptions {
                headroom: 0.3,
                percentile: 95.0,
                ..SizingOptions::default()
            },
            ..crate::ScanOptions::default()
        };
        let report = crate::scan::assess::assess(
            vnf,
            &crate::rules::RuleSet::default(),
            &opts,
            &crate::scan::policy::Applied::default(),
            Some(&flavours),
        )
        .report;
        let c = &report.components[0];
        let fit = c
            .catalog
            .clone()
            .unwrap_or_else(|| panic!("a flavour fits"));
        assert_eq!(
            (fit.entry.as_str(), fit.current_entry.as_deref()),
            ("m1.small", Some("m1.large"))
        );
        assert_eq!(fit.saving_per_month, Some(60.0));
        // three instances of m1.small: 6 vCPU, 12 GiB, 120 GiB in all
        let rs = report.rightsizing.unwrap_or_else(|| panic!("sized"));
        assert_eq!(rs.recommended.vcpu, Some(6.0));
        assert_eq!(rs.recommended.memory_gib, Some(12.0));
        assert_eq!(rs.recommended.storage_gib, Some(120.0));
        assert_eq!(rs.reclaimable.vcpu, Some(18.0));
    }

    #[test]
    fn mistakes_name_the_line() {
        let e = parse(
            "c.yaml",
            "sizes:\n  - { name: a, vcpu: 2, memory_gib: 4 }\n  - { name: b, vcpu: -1, memory_gib: 4 }\n",
        );
        assert!(
            e.as_ref()
                .err()
                .is_some_and(|e| e.starts_with("c.yaml:3: entry `b`: vcpu")),
            "{e:?}"
        );
        let e = parse("c.yaml", "sizes:\n  - { name: a, vcpu: 2 }\n");
        assert!(e.err().is_some_and(|e| e.contains("needs `memory_gib`")));
        assert!(parse("c.yaml", "hello: 1\n").is_err());
    }
}

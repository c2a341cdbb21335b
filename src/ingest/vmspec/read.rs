//! Reading a VM spec's fields: CPU, disks, utilisation statistics, ignores.

use super::*;

/// Collects field errors while a VM is read, so that one bad field does not lose the VM.
pub(super) struct FieldErrors<'a> {
    pub(super) file: &'a str,
    pub(super) vm: &'a str,
    pub(super) errors: &'a mut Vec<ScanError>,
}

impl FieldErrors<'_> {
    pub(super) fn push(&mut self, node: &Node, field: &str, message: impl std::fmt::Display) {
        self.errors.push(ScanError::parse(
            self.file,
            Some(node.line),
            format!("VM `{}`: {field}: {message}", self.vm),
        ));
    }
}

pub(super) fn text_field(spec: &Node, key: &str) -> Option<String> {
    spec.get(key)
        .and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub(super) fn positive(node: &Node, what: &str) -> Result<f64, String> {
    match node.as_f64() {
        Some(v) if v > 0.0 && v <= MAX_VCPU => Ok(v),
        Some(v) if v > 0.0 && v <= 1e6 => Err(format!(
            "{what} `{}` is more than a machine has (allowed: 1-4,096)",
            node.display_text()
        )),
        Some(v) if v > 1e6 => Err(format!(
            "{what} `{}` is more than a million: not a machine's count",
            node.display_text()
        )),
        _ => Err(format!(
            "{what} must be a positive number, not `{}`",
            node.display_text()
        )),
    }
}

/// `{sockets, coresPerSocket}`, `{vcpus}`, `{cores}` or a bare count.
pub(super) fn read_cpu(cpu: &Node) -> Result<(f64, Option<f64>, Option<f64>), String> {
    if cpu.as_map().is_none() {
        return positive(cpu, "cpu").map(|v| (v, None, None));
    }
    let sockets = cpu
        .get("sockets")
        .map(|s| positive(s, "sockets"))
        .transpose()?;
    let cores = cpu
        .get("coresPerSocket")
        .or_else(|| cpu.get("cores_per_socket"))
        .map(|c| positive(c, "coresPerSocket"))
        .transpose()?;
    if let Some(v) = cpu
        .get("vcpus")
        .or_else(|| cpu.get("vcpu"))
        .or_else(|| cpu.get("cores"))
    {
        // An inventory states both the count and the topology; the count is what is sized.
        return positive(v, "vcpus").map(|v| (v, sockets, cores));
    }
    match (sockets, cores) {
        (Some(s), Some(c)) => {
            let text = format!("{} sockets x {} cores", format_number(s), format_number(c));
            check_vcpu(s * c, &text).map(|v| (v, Some(s), Some(c)))
        }
        (Some(s), None) => Ok((s, Some(s), Some(1.0))),
        (None, Some(c)) => Ok((c, Some(1.0), Some(c))),
        (None, None) => Err("expected { sockets, coresPerSocket } or { vcpus }".into()),
    }
}

pub(super) struct Disks {
    pub(super) total: f64,
    pub(super) count: f64,
    pub(super) largest: Option<f64>,
    pub(super) smallest: Option<f64>,
}

pub(super) fn read_disks(disks: &Node) -> Result<Disks, (Node, String)> {
    let items = disks.as_seq().ok_or_else(|| {
        (
            disks.clone(),
            "expected a list of { size, count }".to_string(),
        )
    })?;
    let mut d = Disks {
        total: 0.0,
        count: 0.0,
        largest: None,
        smallest: None,
    };
    for item in items {
        let size_node = if item.as_map().is_some() {
            item.get("size")
        } else {
            Some(item)
        };
        let size_node =
            size_node.ok_or_else(|| (item.clone(), "a disk needs `size`".to_string()))?;
        let size = vm_size_node_gib(size_node).map_err(|e| (size_node.clone(), e))?;
        let count = match item.get("count") {
            None => 1.0,
            Some(c) => match c.as_f64() {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 10_000.0 => n,
                _ => {
                    return Err((
                        c.clone(),
                        format!(
                            "disk count must be a whole number from 1, not `{}`",
                            c.display_text()
                        ),
                    ));
                }
            },
        };
        d.total += size * count;
        d.count += count;
        d.largest = Some(d.largest.map_or(size, |m: f64| m.max(size)));
        d.smallest = Some(d.smallest.map_or(size, |m: f64| m.min(size)));
    }
    Ok(d)
}

/// A statistic from a utilisation block, by the preference: the chosen percentile, a higher
/// percentile, the peak; then (weak) a lower percentile or the average.
pub(super) struct Pick<'a> {
    pub(super) node: &'a Node,
    pub(super) weak: bool,
    /// What the figure is, for the report: `p95 (given)`, `peak (given; p95 not given)`.
    pub(super) label: String,
}

pub(super) fn pick_statistic<'a>(block: &'a Node, want: f64, suffix: &'a str) -> Option<Pick<'a>> {
    let entries = block.as_map()?;
    let mut percentiles: Vec<(f64, &str, &Node)> = Vec::new();
    for e in entries {
        if let Some(rest) = e.key.strip_prefix('p')
            && let Some(num) = rest.strip_suffix(suffix)
            && let Ok(p) = num.parse::<f64>()
        {
            percentiles.push((p, &e.key, &e.value));
        }
    }
    let wanted = format!("p{}", format_number(want));
    let pick = |key: &str, node: &'a Node, weak: bool| {
        let stat = key.strip_suffix(suffix).unwrap_or(key);
        let label = if stat == wanted {
            format!("{stat} (given)")
        } else if weak {
            format!("{stat} (given; {wanted} not given, a weaker figure)")
        } else {
            format!("{stat} (given; {wanted} not given)")
        };
        Pick { node, weak, label }
    };
    let exact = percentiles
        .iter()
        .find(|(p, _, _)| (*p - want).abs() < 1e-9);
    if let Some((_, k, n)) = exact {
        // `p95.0` and `p95` are the same statistic: said as written.
        return Some(Pick {
            node: n,
            weak: false,
            label: format!("{} (given)", k.strip_suffix(suffix).unwrap_or(k)),
        });
    }
    let higher = percentiles
        .iter()
        .filter(|(p, _, _)| *p > want)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k, n)) = higher {
        return Some(pick(k, n, false));
    }
    for key in ["peak", "max"] {
        let key = format!("{key}{suffix}");
        if let Some(n) = block.get(&key) {
            return Some(pick(&key, n, false));
        }
    }
    let lower = percentiles
        .iter()
        .filter(|(p, _, _)| *p < want)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k, n)) = lower {
        return Some(pick(k, n, true));
    }
    for key in ["avg", "average", "mean"] {
        let key = format!("{key}{suffix}");
        if let Some(n) = block.get(&key) {
            return Some(pick(&key, n, true));
        }
    }
    None
}

pub(super) fn read_utilisation(
    util: &Node,
    current: &Sizing,
    want: f64,
    file: &str,
    errs: &mut FieldErrors<'_>,
) -> Demand {
    let mut d = Demand {
        source: format!("{file}:{}", util.line),
        ..Demand::default()
    };
    if let Some(days) = util.get("periodDays").or_else(|| util.get("period_days")) {
        match days.as_f64() {
            Some(v) if v > 0.0 => d.period_days = Some(v),
            _ => errs.push(
                days,
                "utilisation.periodDays",
                "must be a positive number of days",
            ),
        }
    }
    if let Some(s) = util.get("samples") {
        match s.as_f64() {
            Some(v) if v >= 0.0 && v.fract() == 0.0 => d.samples = Some(v as u64),
            _ => errs.push(
                s,
                "utilisation.samples",
                "must be a whole number of data points",
            ),
        }
    }
    d.expected_samples = d
        .period_days
        .map(|days| (days * SAMPLES_PER_DAY).round() as u64);
    let mut weak = false;

    if let Some(cpu) = util.get("cpu") {
        let from_series = cpu.get("series").map(|series| {
            let values: Result<Vec<f64>, String> = series
                .as_seq()
                .ok_or_else(|| "series must be a list of percentages".to_string())
                .and_then(|items| items.iter().map(percent).collect());
            values.map(|v| (percentile(&v, want), v.len()))
        });
        match from_series {
            Some(Ok((Some(p), n))) => match current.vcpu {
                Some(vcpu) => {
                    d.vcpu = Some(p * vcpu);
                    d.samples.get_or_insert(n as u64);
                    d.statistic.vcpu = Some(format!("p{} of {n} samples", format_number(want)));
                }
                None => errs.push(
                    cpu,
                    "utilisation.cpu",
                    "percentages need spec.cpu to turn into vCPU",
                ),
            },
            Some(Ok((None, _))) => errs.push(cpu, "utilisation.cpu.series", "has no values"),
            Some(Err(e)) => errs.push(cpu, "utilisation.cpu.series", e),
            None => {
                if let Some(pick) = pick_statistic(cpu, want, "Cores") {
                    match positive_or_zero(pick.node) {
                        Ok(v) => {
                            d.vcpu = Some(v);
                            d.statistic.vcpu = Some(pick.label);
                        }
                        Err(e) => errs.push(pick.node, "utilisation.cpu", e),
                    }
                    weak |= pick.weak;
                } else if let Some(pick) = pick_statistic(cpu, want, "") {
                    match (percent(pick.node), current.vcpu) {
                        (Ok(share), Some(vcpu)) => {
                            d.vcpu = Some(share * vcpu);
                            d.statistic.vcpu = Some(pick.label);
                        }
                        (Ok(_), None) => errs.push(
                            pick.node,
                            "utilisation.cpu",
                            "percentages need spec.cpu to turn into vCPU",
                        ),
                        (Err(e), _) => errs.push(pick.node, "utilisation.cpu", e),
                    }
                    weak |= pick.weak;
                } else {
                    errs.push(
                        cpu,
                        "utilisation.cpu",
                        format!(
                            "expected p{}, peak or avg (as % or with a Cores suffix)",
                            crate::node::format_number(want)
                        ),
                    );
                }
            }
        }
    }

    if let Some(mem) = util.get("memory") {
        let to_gib = |n: &Node| -> Result<f64, String> {
            let is_percent = matches!(&n.value, Value::Str(s) if s.trim_end().ends_with('%'));
            if is_percent {
                let share = percent(n)?;
                current
                    .memory_gib
                    .map(|m| share * m)
                    .ok_or_else(|| "percentages need spec.memory to turn into GiB".to_string())
            } else {
                vm_size_node_gib(n).and_then(|g| check_memory_gib(g, &n.display_text(), true))
            }
        };
        if let Some(series) = mem.get("series") {
            let values: Result<Vec<f64>, String> = series
                .as_seq()
                .ok_or_else(|| "series must be a list of sizes".to_string())
                .and_then(|items| items.iter().map(to_gib).collect());
            match values {
                Ok(v) => match percentile(&v, want) {
                    Some(p) => {
                        d.memory_gib = Some(p);
                        d.samples.get_or_insert(v.len() as u64);
                        d.statistic.memory_gib =
                            Some(format!("p{} of {} samples", format_number(want), v.len()));
                    }
                    None => errs.push(series, "utilisation.memory.series", "has no values"),
                },
                Err(e) => errs.push(series, "utilisation.memory.series", e),
            }
        } else if let Some(pick) = pick_statistic(mem, want, "") {
            match to_gib(pick.node) {
                Ok(v) => {
                    d.memory_gib = Some(v);
                    d.statistic.memory_gib = Some(pick.label);
                }
                Err(e) => errs.push(pick.node, "utilisation.memory", e),
            }
            weak |= pick.weak;
        } else {
            errs.push(
                mem,
                "utilisation.memory",
                format!(
                    "expected p{}, peak or avg",
                    crate::node::format_number(want)
                ),
            );
        }
    }

    if let Some(storage) = util.get("storage") {
        let used = if storage.as_map().is_some() {
            storage.get("used").or_else(|| storage.get("peak"))
        } else {
            Some(storage)
        };
        match used {
            Some(u) => match vm_size_node_gib(u) {
                Ok(v) => {
                    d.storage_gib = Some(v);
                    d.statistic.storage_gib = Some("used (given)".to_string());
                }
                Err(e) => errs.push(u, "utilisation.storage.used", e),
            },
            None => errs.push(
                storage,
                "utilisation.storage",
                "expected `used:` with a size",
            ),
        }
    }
    d.weak = weak;
    d
}

pub(super) fn positive_or_zero(node: &Node) -> Result<f64, String> {
    match node.as_f64() {
        Some(v) if (0.0..=1e6).contains(&v) => check_vcpu(v, &node.display_text()),
        _ => match &node.value {
            Value::Str(s) => vm_size_gib(s)
                .map_err(|_| format!("`{s}` is not a number of cores"))
                .and_then(|v| check_vcpu(v, s)),
            _ => Err(format!(
                "`{}` is not a number of cores",
                node.display_text()
            )),
        },
    }
}

/// `ignore: [VM005, "VM003: vendor appliance"]` or `[{rule: VM005, reason: ...}]`.
pub(super) fn read_ignores(
    node: &Node,
    file: &Arc<str>,
    errs: &mut FieldErrors<'_>,
) -> Vec<Suppression> {
    let Some(items) = node.as_seq() else {
        errs.push(node, "ignore", "expected a list of rule ids");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let (rule, reason) = match &item.value {
            Value::Str(s) => match s.split_once(':') {
                Some((r, why)) => (
                    r.trim().to_string(),
                    Some(why.trim().to_string()).filter(|w| !w.is_empty()),
                ),
                None => (s.trim().to_string(), None),
            },
            Value::Map(_) => (
                item.get("rule")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                item.get("reason").and_then(Node::scalar_text),
            ),
            _ => (String::new(), None),
        };
        if rule.is_empty() {
            errs.push(
                item,
                "ignore",
                "each entry is a rule id, `ID: reason` or { rule, reason }",
            );
            continue;
        }
        for r in rule.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            out.push(Suppression {
                rule: r.to_string(),
                reason: reason.clone(),
                file: Arc::clone(file),
                line: item.line,
                applies_to_line: None,
            });
        }
    }
    out
}

//! The vCluster tab: one row per vSphere cluster (HA, DRS, admission control, the default
//! HA restart priority), for the Kubernetes cluster stage (`src/clusters/`). Its rows are
//! not VMs: they join the node VMs by cluster name (and datacenter, vCenter) there.

use super::*;
use crate::clusters::VsphereCluster;

/// The vCluster columns, in both header styles.
pub(super) struct ClusterColumns {
    name: Option<usize>,
    datacenter: Option<usize>,
    vcenter: Option<usize>,
    ha: Option<usize>,
    drs: Option<usize>,
    admission: Option<usize>,
    restart_priority: Option<usize>,
}

impl ClusterColumns {
    pub(super) fn new(c: &Columns) -> Self {
        ClusterColumns {
            name: c.find(&["name", "cluster", "clustername"]),
            datacenter: c.find(&["datacenter"]),
            vcenter: c.find(&["visdkserver"]),
            ha: c.find(&["haenabled", "dasenabled"]),
            drs: c.find(&["drsenabled"]),
            admission: c.find(&["admissioncontrolenabled", "admissioncontrol"]),
            restart_priority: c.find(&["restartpriority", "dasrestartpriority"]),
        }
    }
}

/// Whether a CSV is the vCluster tab: by its file name, or a header with `HA enabled` and
/// `DRS enabled` and no VM column.
pub(super) fn is_vcluster_csv(file_name: &str, header: &[String]) -> bool {
    let cols = Columns::new(header);
    if cols.has("vm") || cols.has("vmname") {
        return false;
    }
    let lower = file_name.to_ascii_lowercase();
    let named = lower
        .find("tabvcluster")
        .is_some_and(|p| lower[p + "tabvcluster".len()..].starts_with('.'));
    named || (cols.has("haenabled") && cols.has("drsenabled"))
}

/// One row; a bad yes/no is an error naming the row, and the setting stays unknown.
pub(super) fn read_row(
    cols: &ClusterColumns,
    row: &dyn Cells,
    line: u32,
    file: &Arc<str>,
    errors: &mut Vec<ScanError>,
) -> Option<VsphereCluster> {
    let name = row.cell(cols.name);
    if name.trim().is_empty() {
        return None;
    }
    let mut flag = |col: Option<usize>, what: &str| -> Option<bool> {
        col?;
        match parse_bool(&row.cell(col)) {
            Ok(v) => v,
            Err(e) => {
                errors.push(ScanError::parse(
                    file,
                    Some(line),
                    format!("vCluster `{name}`: {what}: {e}"),
                ));
                None
            }
        }
    };
    let ha = flag(cols.ha, "HA enabled");
    let drs = flag(cols.drs, "DRS enabled");
    let admission_control = flag(cols.admission, "AdmissionControlEnabled");
    let restart_priority =
        Some(row.cell(cols.restart_priority).trim().to_ascii_lowercase()).filter(|s| !s.is_empty());
    Some(VsphereCluster {
        name: name.trim().to_string(),
        datacenter: row.cell(cols.datacenter).trim().to_string(),
        vcenter: row.cell(cols.vcenter).trim().to_string(),
        ha,
        drs,
        admission_control,
        restart_priority,
        file: Some(Arc::clone(file)),
        line,
    })
}

//! The facts of a Compose service, declared for the rule loader, `fitscan rules facts` and
//! the guide (inserted by `build_service` in `mod.rs`).

/// What `build_service` inserts, for the rule loader, `fitscan rules facts` and the guide.
use crate::model::Target;

pub(super) const FACTS: &[crate::model::FactGroup] = {
    use crate::model::{FactDoc, FactGroup};
    &[FactGroup {
        targets: &[Target::Compose],
        title: "From the service, after merging and interpolation",
        facts: &[
            FactDoc::new(
                "project",
                "the project: `COMPOSE_PROJECT_NAME` from its `.env`, else the top-level `name:`, else the folder, in Compose's normalised form",
            ),
            FactDoc::new("service", "the service's name"),
            FactDoc::new("replicas", "`deploy.replicas`, else `scale`; default 1"),
            FactDoc::new(
                "replicas_set",
                "whether `deploy.replicas` or `scale` is written",
            ),
            FactDoc::new("global", "`deploy.mode: global` (one per node)"),
            FactDoc::new(
                "{image_repository,image_name,image_tag,image_digest}",
                "the image reference split (at the image's line), as for Kubernetes containers",
            ),
            FactDoc::new(
                "image_pin",
                "digest, tag, latest, untagged, or unresolved (a variable)",
            ),
            FactDoc::new("builds", "the service has `build:`"),
            FactDoc::new(
                "one_shot",
                "a run-to-completion job: another service waits for it with `depends_on: {condition: service_completed_successfully}` (at that line)",
            ),
            FactDoc::new(
                "restart_policy",
                "`restart`, else `deploy.restart_policy.condition`",
            ),
            FactDoc::new(
                "healthcheck_disabled",
                "`healthcheck: {disable: true}` or `test: [NONE]`; absent without `healthcheck`",
            ),
            FactDoc::new(
                "{limits,reservations}.{vcpu,memory_gib}",
                "`deploy.resources`, else `cpus` / `mem_limit` / `mem_reservation` (Docker sizes: `512m`, `1g`, 1024-based)",
            ),
            FactDoc::new(
                "{vcpu,memory_gib}",
                "reservations (else limits) x replicas; the service's component is sized by them",
            ),
            FactDoc::new(
                "mounts[*]",
                "volumes and binds, from the short or the long syntax",
            ),
            FactDoc::new("mounts[*].type", "bind, volume, tmpfs, npipe or image"),
            FactDoc::new(
                "mounts[*].{source,target}",
                "host path or volume name; path in the container",
            ),
            FactDoc::new("mounts[*].read_only", "mounted read-only"),
            FactDoc::new(
                "bind_mounts[*]",
                "read-write host paths, as `source:target`",
            ),
            FactDoc::new("docker_socket[*]", "mounts of the Docker socket"),
            FactDoc::new(
                "persistent_mounts[*]",
                "named volumes and host paths: data that outlives the container",
            ),
            FactDoc::new("environment[*]", "the environment, at each variable's line"),
            FactDoc::new("environment[*].name", "the variable's name"),
            FactDoc::new(
                "environment[*].value",
                "its value, only a literal (absent for a pass-through or an unresolved variable)",
            ),
            FactDoc::new(
                "environment[*].unresolved",
                "the value still holds a variable (set by the shell at deploy time)",
            ),
            FactDoc::new(
                "external_config",
                "any environment, `env_file`, `configs`, `secrets` or `command`",
            ),
            FactDoc::new(
                "command_line",
                "`entrypoint` and `command` as one line, list elements joined by spaces (flags with their values: `--appendonly yes`)",
            ),
            FactDoc::new("ports[*]", "published ports"),
            FactDoc::new(
                "ports[*].{published,target,host_ip}",
                "host port, container port, host address",
            ),
            FactDoc::new("ports[*].all_interfaces", "published on every host address"),
            FactDoc::new("ports[*].text", "the port as written"),
        ],
    }]
};

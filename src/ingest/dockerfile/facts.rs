//! Facts about the final image: its base, its user, ports, packages, build tools, caches,
//! upgrades, secrets and health check; what is awkward to say in a YAML condition.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::convert::{Detail, ShellKind};
use super::doc::{MapNode, parse_port, service_of, to_i64};
use super::image::{self, BaseClass};
use super::{Model, View};
use crate::ingest::image_ref::ImageRef;
use crate::model::Target;
use crate::model::{FactDoc, FactGroup};
use crate::node::Node;

pub(super) fn static_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("static regex: {e}"))
}

/// Compilers, build systems, SDKs, version control and development headers.
static BUILD_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)^(gcc|g\+\+|gcc-c\+\+|cc|c\+\+|clang|llvm|make|cmake|ninja|ninja-build|meson|autoconf|automake|libtool|pkg-?config|pkgconf|build-essential|build-base|bison|flex|binutils|dpkg-dev|maven|gradle|ant|golang|golang-go|go|rust|rustc|cargo|default-jdk|default-jdk-headless|git|subversion|mercurial|musl-dev|libc-dev|libc6-dev|linux-headers|kernel-devel|kernel-headers|@development(\s+tools)?|@development-tools|(gcc|g\+\+|clang|llvm)-[0-9.]+|openjdk-?[0-9]*-jdk(-headless)?|java-[0-9.]+-openjdk-devel|temurin-[0-9]+-jdk|dotnet-sdk.*|.+-dev|.+-devel|.+-headers)$",
    )
});

/// ENV/ARG names that hold credentials.
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)(passw(or)?d|passphrase|secret|token|api_?key|access_?key|private_?key|credential|(^|_)pwd($|_)|(^|_)auth($|_)|(^|_)keys?$)",
    )
});

/// ... unless the name says it is a pointer to the secret or something public.
static NOT_SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)(_(file|path|dir|url|uri|endpoint|host|name|user|username|id|type|length|len|ttl|timeout|expiry|expires|enabled|mode|header|policy|method|version|format|location|realm|server|servers|algorithm)$|gpg|pgp|public|pubkey)",
    )
});

/// What [`facts`] inserts, for the rule loader, `fitscan rules facts` and the guide.
pub(super) const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Dockerfile],
    title: "The image the final stage produces",
    facts: &[
        FactDoc::new("stage_count", "stages in the file"),
        FactDoc::new("multi_stage", "more than one stage"),
        FactDoc::new(
            "windows",
            "a Windows image (base image, or a PowerShell / cmd `SHELL`)",
        ),
        FactDoc::new(
            "base",
            "the outside image the final stage runs on (the root of its `FROM` chain); absent when a build argument without a default names it",
        ),
        FactDoc::new(
            "base.image",
            "the base image reference, build arguments filled in",
        ),
        FactDoc::new(
            "base.repository",
            "the base image's repository path, without registry, tag or digest (`dotnet/aspnet`, `ubuntu`)",
        ),
        FactDoc::new("base.tag", "the base image's tag"),
        FactDoc::new("base.digest", "the base image's digest"),
        FactDoc::new(
            "base.class",
            "scratch, distroless, chiseled, minimal (ubi-minimal, ubi-micro, busybox, Nano Server, Chainguard dev), alpine, slim, full-os; absent when fitscan does not know the image",
        ),
        FactDoc::new(
            "base.full_os",
            "a full OS: Ubuntu, Debian, CentOS, RHEL/UBI, Fedora, Oracle Linux, Windows Server Core, and the default variant of official language and server images",
        ),
        FactDoc::new(
            "base.sdk",
            "a build image: JDK, Go, Rust, .NET SDK, the default `python`/`node`/`ruby` variants built on buildpack-deps",
        ),
        FactDoc::new("base.pinned", "pinned by digest"),
        FactDoc::new("base.latest", "no tag, or `latest`"),
        FactDoc::new(
            "user",
            "the user the image runs as (`app:app`, `1001`, `root`)",
        ),
        FactDoc::new(
            "user_source",
            "where the user comes from: `USER instruction`, `base image default` (known non-root images such as distroless `:nonroot`), `Windows default`, `no USER instruction`",
        ),
        FactDoc::new(
            "runs_as_root",
            "root, UID 0 or ContainerAdministrator; absent when USER is a build argument without a default",
        ),
        FactDoc::new(
            "user_numeric",
            "the user is a numeric UID (what Kubernetes' runAsNonRoot can verify)",
        ),
        FactDoc::new("exposed_port_count", "EXPOSE entries (a range counts once)"),
        FactDoc::new(
            "exposed_services[*]",
            "kinds of well-known service among the exposed ports (ssh, http, mysql, postgres, smtp, ...)",
        ),
        FactDoc::new("exposed_service_count", "how many such kinds"),
        FactDoc::new(
            "packages[*]",
            "packages RUN leaves installed (apt, apk, yum/dnf/microdnf, zypper, pip, easy_install), at the RUN line; packages removed later (`apt-get purge`, `apk del .virtual`, the official images' `apt-mark auto '.*'` pattern) are gone",
        ),
        FactDoc::new("packages[*].name", "the package's name"),
        FactDoc::new(
            "packages[*].manager",
            "the package manager that installed it",
        ),
        FactDoc::new(
            "build_tools[*]",
            "per RUN, the compilers, build systems, SDKs, version control and `-dev`/`-devel` headers it leaves, as text; and the base image when it is a build image",
        ),
        FactDoc::new(
            "package_caches[*]",
            "per RUN, package-manager caches it leaves (apt lists, apk, yum/dnf, zypper, pip), unless cleaned after the install in the same RUN or kept out by a `--mount=type=cache` or `type=tmpfs`",
        ),
        FactDoc::new(
            "os_upgrades[*]",
            "whole-OS upgrades (`apt-get upgrade`, `yum update` without packages, ...)",
        ),
        FactDoc::new(
            "secrets[*]",
            "`ENV NAME` / `ARG NAME` whose name says credential (password, secret, token, api key, private key, ...), not a pointer (`*_FILE`, `*_PATH`, `*_URL`) or public (`GPG_KEY`); never the value",
        ),
        FactDoc::new("healthcheck", "a HEALTHCHECK with a command (not `NONE`)"),
        FactDoc::new(
            "healthcheck_disabled",
            "the final stage says `HEALTHCHECK NONE` (absent otherwise)",
        ),
    ],
}];

fn fact_list(items: Vec<(String, u32)>, line: u32) -> Node {
    Node::seq(
        items
            .into_iter()
            .map(|(text, l)| Node::str(text, l))
            .collect(),
        line,
    )
}

pub(super) fn facts(
    model: &Model,
    final_idx: usize,
    v: &View<'_>,
    notes: &mut Vec<String>,
) -> Node {
    let final_stage = &model.stages[final_idx];
    let final_line = final_stage.line;
    let chain = model.chain(final_idx);
    let root = &model.stages[chain.first().copied().unwrap_or(final_idx)];
    let mut f = MapNode::new(0, 18);
    f.put("stage_count", Node::int(to_i64(model.stages.len()), 0));
    f.put("multi_stage", Node::bool(model.stages.len() > 1, 0));

    // Base image of the final image.
    let mut windows = false;
    let mut default_user = None;
    let mut base_env: &[(&str, &str)] = &[];
    let mut base_sdk = false;
    if root.unresolved {
        notes.push(format!(
            "line {}: FROM `{}` uses a build argument without a default; the base image is unknown",
            root.line, root.image_raw
        ));
    } else {
        let r = ImageRef::parse(&root.image);
        let info = image::describe(&r);
        windows = info.windows;
        default_user = info.default_user;
        base_env = info.env;
        base_sdk = info.sdk;
        let l = root.line;
        let mut b = MapNode::new(l, 9);
        b.put("image", Node::str(root.image.clone(), l));
        b.put("repository", Node::str(r.path, l));
        if let Some(t) = &r.tag {
            b.put("tag", Node::str(*t, l));
        }
        if let Some(d) = &r.digest {
            b.put("digest", Node::str(*d, l));
        }
        if let Some(c) = info.class {
            b.put("class", Node::str(c.as_str(), l));
            b.put("full_os", Node::bool(c == BaseClass::FullOs, l));
        }
        b.put("sdk", Node::bool(info.sdk, l));
        b.put("pinned", Node::bool(r.digest.is_some(), l));
        let latest = r.digest.is_none()
            && !r.is_scratch()
            && r.tag.is_none_or(|t| t.eq_ignore_ascii_case("latest"));
        b.put("latest", Node::bool(latest, l));
        f.put("base", b.node());
    }
    if let Some(s) = v.shell
        && let Some(e) = &s.exec
        && ShellKind::from_exec(e) != ShellKind::Posix
    {
        windows = true;
    }
    f.put("windows", Node::bool(windows, 0));

    // The user the image runs as.
    let (user, source, line, resolved) = match &v.user {
        Some((u, false, line)) if base_env_value(u, base_env).is_some() => (
            base_env_value(u, base_env).unwrap_or_default().to_string(),
            "USER instruction (a variable the base image sets)",
            *line,
            true,
        ),
        Some((u, resolved, line)) => (u.clone(), "USER instruction", *line, *resolved),
        None => match default_user {
            Some(d) => (d.to_string(), "base image default", final_line, true),
            None if windows => (
                "ContainerAdministrator".to_string(),
                "Windows default",
                final_line,
                true,
            ),
            None => (
                "root".to_string(),
                "no USER instruction",
                final_line,
                !root.unresolved,
            ),
        },
    };
    let uid = user.split(':').next().unwrap_or("").trim();
    f.put("user", Node::str(user.clone(), line));
    f.put("user_source", Node::str(source, line));
    if resolved {
        let number = uid.strip_prefix('+').unwrap_or(uid).parse::<u64>().ok();
        let root_user = number == Some(0)
            || uid.eq_ignore_ascii_case("root")
            || uid.eq_ignore_ascii_case("ContainerAdministrator");
        f.put("runs_as_root", Node::bool(root_user, line));
        f.put("user_numeric", Node::bool(number.is_some(), line));
    }

    // Ports.
    let first_expose = v.exposed.first().map_or(final_line, |(_, l)| *l);
    let mut entries: Vec<&str> = v.exposed.iter().map(|(t, _)| t.as_str()).collect();
    entries.sort_unstable();
    entries.dedup();
    f.put(
        "exposed_port_count",
        Node::int(to_i64(entries.len()), first_expose),
    );
    let mut services: Vec<&str> = v
        .exposed
        .iter()
        .filter_map(|(t, _)| parse_port(t).0.and_then(service_of))
        .collect();
    services.sort_unstable();
    services.dedup();
    f.put(
        "exposed_service_count",
        Node::int(to_i64(services.len()), first_expose),
    );
    f.put(
        "exposed_services",
        Node::seq(
            services
                .iter()
                .map(|s| Node::str(*s, first_expose))
                .collect(),
            first_expose,
        ),
    );

    // Packages the Dockerfile leaves installed in the image.
    let packages = v
        .packages
        .live()
        .map(|(p, l)| {
            let mut m = MapNode::new(*l, 2);
            m.put("name", Node::str(p.name.clone(), *l));
            m.put("manager", Node::str(p.manager, *l));
            m.node()
        })
        .collect();
    f.put("packages", Node::seq(packages, 0));
    let mut tools: Vec<(String, u32)> = Vec::new();
    if base_sdk {
        tools.push((format!("{} (a build image)", root.image), root.line));
    }
    let mut by_line: Vec<(u32, &'static str, Vec<&str>)> = Vec::new();
    let mut slot: HashMap<(u32, &'static str), usize> = HashMap::new();
    for (p, l) in v.packages.live() {
        if !BUILD_TOOL.is_match(&p.name) {
            continue;
        }
        match slot.get(&(*l, p.manager)) {
            Some(&i) => by_line[i].2.push(&p.name),
            None => {
                slot.insert((*l, p.manager), by_line.len());
                by_line.push((*l, p.manager, vec![&p.name]));
            }
        }
    }
    for (l, manager, names) in by_line {
        tools.push((format!("{} ({manager})", names.join(", ")), l));
    }
    f.put("build_tools", fact_list(tools, 0));
    f.put("package_caches", fact_list(v.caches.clone(), 0));
    f.put("os_upgrades", fact_list(v.upgrades.clone(), 0));
    let secrets = v
        .variables
        .iter()
        .filter(|var| SECRET_NAME.is_match(&var.name) && !NOT_SECRET_NAME.is_match(&var.name))
        .filter(|var| var.keyword == "ARG" || var.value.as_deref().is_some_and(|v| !v.is_empty()))
        .map(|var| (format!("{} {}", var.keyword, var.name), var.line))
        .collect();
    f.put("secrets", fact_list(secrets, 0));
    // `HEALTHCHECK NONE` is a decision (a run-to-completion tool, a check switched off
    // from the base image), not an omission.
    if let Some(h) = v
        .healthcheck
        .filter(|h| matches!(h.detail, Detail::Healthcheck { none: true }))
    {
        f.put("healthcheck_disabled", Node::bool(true, h.line));
    }
    let healthcheck = v
        .healthcheck
        .filter(|h| !matches!(h.detail, Detail::Healthcheck { none: true }));
    f.put(
        "healthcheck",
        Node::bool(
            healthcheck.is_some(),
            healthcheck.map_or(final_line, |h| h.line),
        ),
    );
    f.node()
}

/// The value of `$NAME` / `${NAME}` (the whole user text) when the base image sets NAME.
fn base_env_value<'a>(user: &str, env: &[(&str, &'a str)]) -> Option<&'a str> {
    let name = user
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .or_else(|| user.strip_prefix('$'))?;
    env.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

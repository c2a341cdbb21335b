//! Image references (`registry/repo:tag@digest`) and what fitscan knows about well-known
//! base images: the kind of OS underneath, whether it is a build (SDK) image, the user it
//! runs as by default, and whether it is a Windows image.

use crate::ingest::image_ref::ImageRef;

/// Registry and repository, lower-cased (`mcr.microsoft.com/dotnet/aspnet`).
fn full_name(r: &ImageRef<'_>) -> String {
    r.repository.to_ascii_lowercase()
}

/// The last path component of the repository (`aspnet`, `ubuntu`).
fn short(r: &ImageRef<'_>) -> String {
    r.name.to_ascii_lowercase()
}

fn tag_lower(r: &ImageRef<'_>) -> String {
    r.tag.unwrap_or("").to_ascii_lowercase()
}

/// What a base image is made of, from the least to the most of a general-purpose OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseClass {
    Scratch,
    Distroless,
    Chiseled,
    Minimal,
    Alpine,
    Slim,
    FullOs,
}

impl BaseClass {
    pub fn as_str(self) -> &'static str {
        match self {
            BaseClass::Scratch => "scratch",
            BaseClass::Distroless => "distroless",
            BaseClass::Chiseled => "chiseled",
            BaseClass::Minimal => "minimal",
            BaseClass::Alpine => "alpine",
            BaseClass::Slim => "slim",
            BaseClass::FullOs => "full-os",
        }
    }
}

/// Full distributions, by the last component of the repository.
const FULL_OS: &[&str] = &[
    "ubuntu",
    "debian",
    "centos",
    "rhel",
    "rhel7",
    "rhel8",
    "rhel9",
    "ubi",
    "ubi7",
    "ubi8",
    "ubi9",
    "ubi10",
    "ubi-init",
    "fedora",
    "oraclelinux",
    "amazonlinux",
    "almalinux",
    "rockylinux",
    "archlinux",
    "leap",
    "tumbleweed",
    "sle15",
    "bci-base",
    "photon",
    "clearlinux",
    "kali-rolling",
    "mageia",
    "stage3",
    "buildpack-deps",
];

/// Official language and application images whose default variant is a full Debian or
/// Ubuntu (their `-slim` and `-alpine` variants are caught before this list is read).
const FULL_OS_DEFAULT_VARIANT: &[&str] = &[
    "node",
    "python",
    "ruby",
    "perl",
    "php",
    "golang",
    "rust",
    "gcc",
    "openjdk",
    "eclipse-temurin",
    "ibm-semeru-runtimes",
    "sapmachine",
    "amazoncorretto",
    "maven",
    "gradle",
    "tomcat",
    "jetty",
    "httpd",
    "nginx",
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "rabbitmq",
    "memcached",
    "cassandra",
    "elasticsearch",
    "kibana",
    "logstash",
    "jenkins",
    "wordpress",
    "drupal",
    "joomla",
    "ghost",
    "sonarqube",
    "nextcloud",
    "odoo",
    "mono",
    "swift",
    "elixir",
    "erlang",
    "clojure",
    "haskell",
    "julia",
    "r-base",
    "sdk",
    "wildfly",
    "websphere-traditional",
    "weblogic",
    "jboss-eap",
];

/// Official images that are build environments (a JDK, compilers) rather than runtimes.
fn is_sdk(r: &ImageRef<'_>) -> bool {
    let name = full_name(r);
    let short = short(r);
    let tag = tag_lower(r);
    let variant_is_runtime = tag.contains("jre") || tag.contains("slim") || tag.contains("alpine");
    match short.as_str() {
        "golang" | "rust" | "gcc" | "maven" | "gradle" | "buildpack-deps" | "swift" | "haskell"
        | "clojure" => true,
        "sdk" => name.contains("dotnet"),
        "openjdk" | "eclipse-temurin" | "ibm-semeru-runtimes" | "sapmachine" => {
            !tag.contains("jre")
        }
        "amazoncorretto" => !tag.contains("jre"),
        // The default variants of these are built on buildpack-deps (gcc, make, headers).
        "python" | "node" | "ruby" | "perl" => !variant_is_runtime && r.registry.is_none(),
        _ => false,
    }
}

/// What fitscan can tell about a base image from its reference alone.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseInfo {
    pub class: Option<BaseClass>,
    pub sdk: bool,
    pub windows: bool,
    /// The user the image runs as when the Dockerfile sets none, where it is known to be
    /// other than root.
    pub default_user: Option<&'static str>,
    /// Environment variables the base image is known to set, for a `USER $VAR` that
    /// names one (.NET 8+ images set `APP_UID`, the non-root `app` user).
    pub env: &'static [(&'static str, &'static str)],
}

pub fn describe(r: &ImageRef<'_>) -> BaseInfo {
    let name = full_name(r);
    let short = short(r);
    let tag = tag_lower(r);
    let windows = name.contains("windows")
        || name.contains("nanoserver")
        || name.contains("servercore")
        || name.contains("dotnet/framework")
        || tag.contains("nanoserver")
        || tag.contains("windowsservercore")
        || tag.contains("ltsc20");
    let class = classify(r, &name, &short, &tag, windows);
    let default_user = if (tag.contains("nonroot") && name.contains("distroless"))
        || name.starts_with("cgr.dev/chainguard/static")
    {
        Some("65532")
    } else if name.contains("dotnet") && tag.contains("chiseled") {
        Some("1654")
    } else if name.starts_with("bitnami/") || name.contains("/bitnami/") {
        Some("1001")
    } else if name.ends_with("nginx-unprivileged") {
        Some("101")
    } else if windows && (name.contains("nanoserver") || tag.contains("nanoserver")) {
        Some("ContainerUser")
    } else {
        None
    };
    let env: &'static [(&'static str, &'static str)] =
        if name.starts_with("mcr.microsoft.com/dotnet/") && !windows {
            &[("APP_UID", "1654")]
        } else {
            &[]
        };
    BaseInfo {
        class,
        sdk: is_sdk(r),
        windows,
        default_user,
        env,
    }
}

fn classify(
    r: &ImageRef<'_>,
    name: &str,
    short: &str,
    tag: &str,
    windows: bool,
) -> Option<BaseClass> {
    if r.is_scratch() {
        return Some(BaseClass::Scratch);
    }
    // Words are looked for in the repository path and tag, never in the registry's host
    // name (`mcr.microsoft.com` is not "micro").
    let repo = r.path.to_ascii_lowercase();
    let has = |needle: &str| repo.contains(needle) || tag.contains(needle);
    if has("distroless") {
        return Some(BaseClass::Distroless);
    }
    if name.starts_with("cgr.dev/chainguard/") {
        return Some(if tag.contains("dev") {
            BaseClass::Minimal
        } else {
            BaseClass::Distroless
        });
    }
    if has("chisel") {
        return Some(BaseClass::Chiseled);
    }
    if windows {
        return Some(if has("nanoserver") {
            BaseClass::Minimal
        } else {
            BaseClass::FullOs
        });
    }
    if short == "alpine" || has("alpine") {
        return Some(BaseClass::Alpine);
    }
    if has("minimal")
        || has("micro")
        || short == "busybox"
        || short == "wolfi-base"
        || (name.contains("ubi") && short.starts_with("openjdk"))
    {
        return Some(BaseClass::Minimal);
    }
    if has("slim") {
        return Some(BaseClass::Slim);
    }
    // Keycloak's official image is built on UBI micro.
    if name.ends_with("keycloak/keycloak") {
        return Some(BaseClass::Minimal);
    }
    // The .NET runtime images are built on Debian slim; the SDK is a full build image.
    if name.starts_with("mcr.microsoft.com/dotnet/")
        && matches!(short, "aspnet" | "runtime" | "runtime-deps")
    {
        return Some(BaseClass::Slim);
    }
    if FULL_OS.contains(&short) {
        return Some(BaseClass::FullOs);
    }
    let official = r.registry.is_none() && !r.path.contains('/')
        || name.starts_with("mcr.microsoft.com/dotnet/")
        || name.starts_with("jenkins/")
        || name.starts_with("jboss/")
        || name.starts_with("container-registry.oracle.com/")
        || name.starts_with("ibmcom/")
        || name.starts_with("icr.io/")
        || name.starts_with("oracle/");
    if official && FULL_OS_DEFAULT_VARIANT.contains(&short) {
        return Some(BaseClass::FullOs);
    }
    let distro_words = [
        "ubuntu",
        "debian",
        "centos",
        "rhel",
        "fedora",
        "oraclelinux",
        "rockylinux",
        "almalinux",
        "opensuse",
        "amazonlinux",
        "phusion/baseimage",
    ];
    if distro_words
        .iter()
        .any(|d| name.contains(d) || tag.contains(d))
    {
        return Some(BaseClass::FullOs);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> Option<&'static str> {
        describe(&ImageRef::parse(s)).class.map(BaseClass::as_str)
    }

    #[test]
    fn base_images_are_classified() {
        assert_eq!(class("scratch"), Some("scratch"));
        assert_eq!(
            class("gcr.io/distroless/java17-debian12:nonroot"),
            Some("distroless")
        );
        assert_eq!(
            class("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled"),
            Some("chiseled")
        );
        assert_eq!(class("alpine:3.20"), Some("alpine"));
        assert_eq!(class("python:3.12-alpine"), Some("alpine"));
        assert_eq!(class("python:3.12-slim-bookworm"), Some("slim"));
        assert_eq!(
            class("registry.access.redhat.com/ubi9/ubi-minimal"),
            Some("minimal")
        );
        assert_eq!(class("ubuntu:22.04"), Some("full-os"));
        assert_eq!(
            class("registry.access.redhat.com/ubi8/ubi:8.9"),
            Some("full-os")
        );
        assert_eq!(class("python:3.12"), Some("full-os"));
        assert_eq!(
            class("mcr.microsoft.com/windows/servercore:ltsc2022"),
            Some("full-os")
        );
        assert_eq!(
            class("mcr.microsoft.com/windows/nanoserver:ltsc2022"),
            Some("minimal")
        );
        assert_eq!(class("mycompany/base-image:3"), None);
        assert_eq!(
            class("myregistry.io/platform/ubuntu-java:11"),
            Some("full-os")
        );
    }

    #[test]
    fn sdk_images_and_default_users() {
        assert!(describe(&ImageRef::parse("golang:1.22")).sdk);
        assert!(describe(&ImageRef::parse("maven:3-eclipse-temurin-17")).sdk);
        assert!(!describe(&ImageRef::parse("eclipse-temurin:17-jre")).sdk);
        assert!(describe(&ImageRef::parse("mcr.microsoft.com/dotnet/sdk:8.0")).sdk);
        assert!(!describe(&ImageRef::parse("mcr.microsoft.com/dotnet/aspnet:8.0")).sdk);
        assert!(!describe(&ImageRef::parse("python:3.12-slim")).sdk);
        assert_eq!(
            describe(&ImageRef::parse("gcr.io/distroless/static:nonroot")).default_user,
            Some("65532")
        );
        assert_eq!(
            describe(&ImageRef::parse("gcr.io/distroless/static")).default_user,
            None
        );
        assert!(
            describe(&ImageRef::parse(
                "mcr.microsoft.com/windows/servercore:ltsc2019"
            ))
            .windows
        );
    }
}

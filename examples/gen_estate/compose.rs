//! Compose projects as repositories hold them: a base file with its override file and
//! `.env`, services extending a shared one (in the same file or `common.yml`), and every
//! third project including an `infra/compose.yaml` of its own.

use std::fmt::Write as _;
use std::path::Path;

use crate::rng::Rng;

const IMAGES: &[&str] = &[
    "nginx",
    "ghcr.io/acme/api",
    "ghcr.io/acme/worker",
    "python",
    "node",
    "redis",
    "postgres",
];

pub struct Written {
    pub projects: usize,
    pub files: usize,
    pub services: usize,
    pub bytes: usize,
}

pub fn write(dir: &Path, projects: usize) -> std::io::Result<Written> {
    let mut rng = Rng::new(0xc0_3905e);
    let mut out = Written {
        projects,
        files: 0,
        services: 0,
        bytes: 0,
    };
    for i in 0..projects {
        let project = dir.join(format!("app-{i:05}"));
        std::fs::create_dir_all(&project)?;
        let mut put = |name: &str, text: String| -> std::io::Result<()> {
            let path = project.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            out.files += 1;
            out.bytes += text.len();
            std::fs::write(path, text)
        };
        let services = 2 + rng.below(4) as usize;
        let include = i % 3 == 0;
        let mut base = String::new();
        let _ = writeln!(base, "name: app-{i:05}");
        if include {
            base.push_str("include:\n  - infra/compose.yaml\n");
        }
        base.push_str("services:\n  base:\n    extends:\n      file: common.yml\n      service: hardened\n    image: busybox:1.36\n");
        for s in 0..services {
            let image = rng.pick(IMAGES);
            let _ = write!(
                base,
                "  svc{s}:\n    extends: base\n    image: {image}:${{TAG_{s}:-1.{s}}}\n    environment:\n      - MODE=production\n      - SLOT={s}\n    ports:\n      - \"{}:80\"\n",
                8000 + s
            );
            if rng.chance(30) {
                base.push_str("    privileged: true\n");
            }
            if rng.chance(40) {
                base.push_str("    volumes:\n      - ./data:/var/lib/data\n");
            }
        }
        put("compose.yaml", base)?;
        let mut over = String::from("services:\n");
        for s in 0..services {
            let _ = write!(
                over,
                "  svc{s}:\n    environment:\n      MODE: development\n      DEBUG: \"1\"\n"
            );
            if rng.chance(50) {
                over.push_str("    ports: !override\n      - \"127.0.0.1:9000:80\"\n");
            }
            if rng.chance(20) {
                over.push_str("    privileged: false\n");
            }
        }
        put("compose.override.yaml", over)?;
        let mut env = String::from("# tags pinned for this environment\n");
        for s in 0..services {
            if rng.chance(60) {
                let _ = writeln!(env, "TAG_{s}=2.{}.{}", rng.below(10), rng.below(10));
            }
        }
        put(".env", env)?;
        put(
            "common.yml",
            "services:\n  hardened:\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n    restart: unless-stopped\n    healthcheck:\n      test: [\"CMD\", \"/health\"]\n    deploy:\n      resources:\n        limits: { cpus: \"0.5\", memory: 256m }\n".to_string(),
        )?;
        // `base` and every `svcN`, and the included cache.
        out.services += services + 1;
        if include {
            put(
                "infra/compose.yaml",
                "services:\n  cache:\n    image: redis:${REDIS_TAG:-7.2}\n    ports: [\"6379:6379\"]\n".to_string(),
            )?;
            put("infra/.env", "REDIS_TAG=7.2.4\n".to_string())?;
            out.services += 1;
        }
    }
    Ok(out)
}

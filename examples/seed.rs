//! Pushes sample images into a registry, with the same code the integration tests use.
//!
//! ```text
//! cargo run --example seed -- http://127.0.0.1:5000                  # the sample repositories
//! cargo run --release --example seed -- http://127.0.0.1:5000 --bulk 100 100   # 100 repos x 100 tags
//! cargo run --release --example seed -- http://127.0.0.1:5000 --bulk 1 1000 --prefix del
//! ```
//! Only for registries you own: it pushes, and the sample deletes one manifest it pushed.

// The example uses a part of the tests' seeding code.
#[allow(dead_code)]
#[path = "../tests/it/common/dregutil.rs"]
mod dregutil;
#[allow(dead_code)]
#[path = "../tests/it/common/seed.rs"]
mod seed;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: seed REGISTRY_URL [--bulk REPOS TAGS [--threads N] [--prefix NAME]]";
    let Some(url) = args.first().filter(|u| u.starts_with("http")) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let number = |flag: &str| -> Option<Option<usize>> {
        let i = args.iter().position(|a| a == flag)?;
        Some(args.get(i + 1).and_then(|n| n.parse().ok()))
    };
    let seeder = seed::Seeder::new(url);
    match number("--bulk") {
        None => {
            seed::sample(&seeder);
            eprintln!("seeded the sample repositories into {url}");
        }
        Some(Some(repos)) => {
            let bulk_at = args.iter().position(|a| a == "--bulk").unwrap_or_default();
            let Some(tags) = args.get(bulk_at + 2).and_then(|n| n.parse().ok()) else {
                eprintln!("{usage}");
                return ExitCode::from(2);
            };
            let threads = number("--threads").flatten().unwrap_or(16);
            let prefix = args
                .iter()
                .position(|a| a == "--prefix")
                .and_then(|i| args.get(i + 1))
                .map_or("bench", String::as_str);
            seeder.bulk(prefix, repos, tags, threads);
            eprintln!("seeded {repos} repositories x {tags} tags into {url}");
        }
        Some(None) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

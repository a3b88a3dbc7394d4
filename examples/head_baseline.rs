//! The benchmark's baseline: HEAD every manifest that `seed --bulk REPOS TAGS` pushed, with plain
//! parallel HTTP requests and nothing else (no catalog, no tag lists, no cache). Prints the seconds taken.
//!
//! ```text
//! cargo run --release --example head_baseline -- http://127.0.0.1:5000 100 100 32
//! ```

use std::process::ExitCode;
use std::time::Instant;

use futures::StreamExt as _;

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.v1+prettyjws, \
     application/vnd.docker.distribution.manifest.v1+json";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| {
        let url = args.first()?.trim_end_matches('/').to_owned();
        let repos: usize = args.get(1)?.parse().ok()?;
        let tags: usize = args.get(2)?.parse().ok()?;
        let parallel: usize = args.get(3).map_or(Some(32), |p| p.parse().ok())?;
        Some((url, repos, tags, parallel))
    })();
    let Some((url, repos, tags, parallel)) = parsed else {
        eprintln!("usage: head_baseline REGISTRY_URL REPOS TAGS [PARALLEL]");
        return ExitCode::from(2);
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(parallel)
        .build()
        .expect("HTTP client");
    let urls: Vec<String> = (0..repos)
        .flat_map(|r| (0..tags).map(move |t| (r, t)))
        .map(|(r, t)| format!("{url}/v2/bench-{r:03}/manifests/1.0.{t}"))
        .collect();
    let started = Instant::now();
    let failures = futures::stream::iter(urls)
        .map(|u| {
            let client = &client;
            async move {
                let response = client.head(&u).header("accept", ACCEPT).send().await;
                match response {
                    Ok(r)
                        if r.status().is_success()
                            && r.headers().contains_key("docker-content-digest") =>
                    {
                        0
                    }
                    _ => 1,
                }
            }
        })
        .buffer_unordered(parallel)
        .fold(0usize, |n, failed| async move { n + failed })
        .await;
    let seconds = started.elapsed().as_secs_f64();
    if failures > 0 {
        eprintln!("{failures} HEAD requests failed");
        return ExitCode::FAILURE;
    }
    println!("{seconds:.3}");
    ExitCode::SUCCESS
}

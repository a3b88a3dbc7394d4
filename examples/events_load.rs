//! The benchmark's notification load: posts envelopes of pull events, as the registry sends them,
//! to a running `regsweep serve`, from several connections at once, for a while; prints the events
//! acknowledged per second and the median time to an acknowledgement.
//!
//! ```text
//! cargo run --release --example events_load -- http://127.0.0.1:8080 SECONDS EVENTS CONNECTIONS \
//!     [REPOSITORY TAG DIGEST] [--rate EVENTS_PER_SECOND]
//! ```
//! Only for services you run: every event is a pull of REPOSITORY:TAG (app:1.0 by default). With
//! `--rate`, the senders together send about that many events a second (paced), else as many as
//! the service takes.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: events_load URL SECONDS EVENTS CONNECTIONS [REPOSITORY TAG DIGEST] \
                 [--rate EVENTS_PER_SECOND]";
    let rate = match args.iter().position(|a| a == "--rate") {
        Some(at) => {
            let value = args.get(at + 1).and_then(|r| r.parse::<f64>().ok());
            args.drain(at..(at + 2).min(args.len()));
            match value {
                Some(rate) if rate > 0.0 => Some(rate),
                _ => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            }
        }
        None => None,
    };
    let number = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok());
    let (Some(url), Some(seconds), Some(per_envelope), Some(connections)) =
        (args.first(), number(1), number(2), number(3))
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let repo = args.get(4).map_or("app", String::as_str).to_owned();
    let tag = args.get(5).map_or("1.0", String::as_str).to_owned();
    let digest = args
        .get(6)
        .cloned()
        .unwrap_or_else(|| format!("sha256:{}", "a".repeat(64)));
    let sent = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let waits = std::sync::Mutex::new(Vec::new());
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    // Each sender's pause between envelopes, at the rate asked.
    let pace = rate.map(|r| Duration::from_secs_f64((connections * per_envelope) as f64 / r));
    std::thread::scope(|scope| {
        for connection in 0..connections {
            let (url, repo, tag, digest) = (url, &repo, &tag, &digest);
            let (sent, failed, waits) = (&sent, &failed, &waits);
            scope.spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut mine = Vec::new();
                let mut n = 0u64;
                let mut next = Instant::now();
                while Instant::now() < until {
                    if let Some(pace) = pace {
                        std::thread::sleep(next.saturating_duration_since(Instant::now()));
                        next += pace;
                    }
                    let events: Vec<serde_json::Value> = (0..per_envelope)
                        .map(|i| {
                            serde_json::json!({
                                "id": format!("load-{connection}-{n}-{i}-{}", started.elapsed().as_nanos()),
                                "timestamp": jiff::Timestamp::now().to_string(),
                                "action": "pull",
                                "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                           "digest": digest, "repository": repo, "tag": tag},
                                "request": {"useragent": "bench/1"}
                            })
                        })
                        .collect();
                    n += 1;
                    let body = serde_json::json!({ "events": events }).to_string();
                    let posted = Instant::now();
                    let ok = client
                        .post(format!("{url}/events"))
                        .body(body)
                        .send()
                        .is_ok_and(|r| r.status().is_success());
                    if ok {
                        mine.push(posted.elapsed());
                        sent.fetch_add(per_envelope, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                waits.lock().unwrap().extend(mine);
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut waits = waits.into_inner().unwrap();
    waits.sort();
    let median = waits.get(waits.len() / 2).copied().unwrap_or_default();
    let events = sent.load(Ordering::Relaxed);
    println!(
        "{:.0} events/s acknowledged ({events} in {elapsed:.1} s, {} envelopes refused), median \
         acknowledgement {:.1} ms",
        events as f64 / elapsed,
        failed.load(Ordering::Relaxed),
        median.as_secs_f64() * 1000.0
    );
    ExitCode::SUCCESS
}

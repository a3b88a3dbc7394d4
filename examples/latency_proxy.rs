//! The benchmark's network distance: a TCP proxy on loopback that delays everything it forwards by a
//! fixed time in each direction (half the round trip), keeping the bytes in order. It prints the
//! port it listens on, then forwards until killed.
//!
//! ```text
//! cargo run --release --example latency_proxy -- 127.0.0.1:5000 20   # a 20 ms round trip
//! ```
//! It listens on 127.0.0.1 only, and forwards only to the address it is given.

use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(upstream), Some(Ok(rtt_ms))) = (args.first(), args.get(1).map(|a| a.parse::<u64>()))
    else {
        eprintln!("usage: latency_proxy UPSTREAM_HOST:PORT ROUND_TRIP_MS");
        return ExitCode::from(2);
    };
    if !upstream.starts_with("127.") && !upstream.starts_with("[::1]") {
        eprintln!("latency_proxy forwards to loopback addresses only");
        return ExitCode::from(2);
    }
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen: {e}");
            return ExitCode::from(1);
        }
    };
    let Ok(local) = listener.local_addr() else {
        return ExitCode::from(1);
    };
    println!("{}", local.port());
    let one_way = Duration::from_millis(rtt_ms) / 2;
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let upstream = upstream.clone();
        tokio::spawn(async move {
            if let Ok(server) = TcpStream::connect(&upstream).await {
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(delayed(client_read, server_write, one_way));
                tokio::spawn(delayed(server_read, client_write, one_way));
            }
        });
    }
}

/// Forwards `from` to `to`, each chunk `delay` after it was read.
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

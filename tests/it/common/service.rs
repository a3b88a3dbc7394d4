//! A running `regsweep serve` for the service's tests: started from a sandbox on a free loopback port
//! (port 0, read back from its first line), ready once `/health` answers 200, stopped with SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Sandbox;

pub struct Service {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: Arc<Mutex<String>>,
    http: reqwest::blocking::Client,
}

impl Service {
    /// `regsweep --registry REGISTRY serve --listen 127.0.0.1:0 ARGS...` (ARGS may give `--listen`).
    pub fn start(sandbox: &Sandbox, registry: &str, args: &[&str]) -> Self {
        Self::start_with_env(sandbox, registry, args, &[])
    }

    /// `start` with more environment variables.
    pub fn start_with_env(
        sandbox: &Sandbox,
        registry: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut cmd = sandbox.std_cmd();
        cmd.envs(env.iter().copied());
        cmd.args(["--registry", registry, "serve"]);
        if !args.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting regsweep serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, address)) = line.split_once(" on http://") {
                    let _ = tx.send(address.trim().to_owned());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "regsweep serve did not start; its log:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        let service = Self {
            child,
            base: format!("http://{address}"),
            log,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        };
        service.wait_until(Duration::from_secs(60), "/health answers 200", |s| {
            s.get("/health").send().is_ok_and(|r| r.status() == 200)
        });
        service
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    pub fn post(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// What the service logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Polls `done` every 50 ms until it holds, failing after `limit`; returns how long it took.
    pub fn wait_until(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&Self) -> bool,
    ) -> Duration {
        let started = Instant::now();
        while started.elapsed() < limit {
            if done(self) {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "waited {limit:?} for: {what}; the service's log:\n{}",
            self.log()
        );
    }

    /// SIGTERM, then the exit status (killed if it does not stop within 10 s).
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!(
            "regsweep serve did not stop on SIGTERM; its log:\n{}",
            self.log()
        );
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! A throwaway PostgreSQL cluster for the store's tests: Debian's `postgresql` package's `initdb`
//! into a temporary directory, `pg_ctl` starting it on a free loopback port (and no Unix socket
//! outside that directory), password authentication over TCP. PostgreSQL refuses to run as root,
//! so as root the cluster runs as the package's `postgres` user. Never skips: without the package
//! the test fails naming it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const PACKAGE_HINT: &str = "the store's tests need PostgreSQL: install Debian's `postgresql` \
     package (`apt-get install postgresql`, or run scripts/test, which does), or set \
     REGSWEEP_TEST_PG_BIN to the directory holding initdb and pg_ctl";

/// The user and password of the test clusters.
pub const USER: &str = "regsweep";
pub const PASSWORD: &str = "pg-test-password";

pub struct TestPostgres {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// `initdb` and `pg_ctl`'s directory: REGSWEEP_TEST_PG_BIN, else Debian's newest
/// `/usr/lib/postgresql/N/bin`, else PATH.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REGSWEEP_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    versions.sort();
    if let Some(newest) = versions.pop() {
        return newest;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").is_file())
        .unwrap_or_else(|| panic!("initdb not found; {PACKAGE_HINT}"))
}

fn is_root() -> bool {
    // SAFETY-free: `id -u` rather than libc, the tests' only need.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl TestPostgres {
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("postgres temp dir");
        let root = is_root();
        if root {
            chown_to_postgres(dir.path());
        }
        let password_file = dir.path().join("pw");
        std::fs::write(&password_file, PASSWORD).expect("password file");
        if root {
            chown_to_postgres(&password_file);
        }
        let data = dir.path().join("data");
        let out = run_as(
            root,
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                USER,
                "--pwfile",
                password_file.to_str().unwrap(),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut cluster = Self { dir, bin, port: 0 };
        cluster.port = cluster.start_on_free_port();
        cluster
    }

    fn start_on_free_port(&self) -> u16 {
        let mut log = String::new();
        for _ in 0..5 {
            let port = super::free_port();
            if self.pg_ctl_start(port) {
                return port;
            }
            log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        }
        panic!("PostgreSQL did not start; its log:\n{log}");
    }

    fn pg_ctl_start(&self, port: u16) -> bool {
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=on",
            self.dir.path().display()
        );
        run_as(
            is_root(),
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &options,
                "-l",
                self.dir.path().join("log").to_str().unwrap(),
                "-w",
                "-t",
                "30",
                "start",
            ],
        )
        .status
        .success()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `postgres://regsweep@127.0.0.1:PORT/postgres`, without the password.
    pub fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast: connections are cut), keeping its data.
    pub fn stop(&self) {
        let out = run_as(
            is_root(),
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
        assert!(out.status.success(), "pg_ctl stop failed");
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.pg_ctl_start(self.port) {
            assert!(Instant::now() < deadline, "PostgreSQL did not start again");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs SQL with psql over the cluster's socket.
    pub fn psql(&self, sql: &str) -> String {
        let out = run_as(
            is_root(),
            &self.bin.join("psql"),
            &[
                "-h",
                self.dir.path().to_str().unwrap(),
                "-p",
                &self.port.to_string(),
                "-U",
                USER,
                "-d",
                "postgres",
                "-At",
                "-c",
                sql,
            ],
        );
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = run_as(
            is_root(),
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "stop",
            ],
        );
    }
}

fn run_as(root: bool, program: &Path, args: &[&str]) -> Output {
    let mut cmd = if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .env_remove("PGPASSWORD")
        .current_dir("/")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}; {PACKAGE_HINT}", program.display()))
}

fn chown_to_postgres(path: &Path) {
    let status = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(path)
        .status()
        .expect("chown");
    assert!(
        status.success(),
        "chown postgres {} failed; {PACKAGE_HINT}",
        path.display()
    );
}

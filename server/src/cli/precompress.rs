//! `annals precompress DIR`: writes `FILE.br` and `FILE.gz` beside each file of the built web
//! app, which `annals serve` sends to clients that accept them.
//!
//! *Why ahead of time.* Brotli at its best setting makes the wasm bundle a third smaller than
//! gzip does, but takes seconds: too slow to do per request, and slow enough to delay a
//! start. So the build does it once (`cargo xtask` runs this after `trunk build`) and the
//! server only picks the file (tower-http's `ServeDir`, see `http::files`). Files the server
//! finds no sibling for are still compressed on the fly, at a faster setting.
//!
//! Only text and wasm are compressed (images and fonts already are); a sibling that would
//! not be smaller than the file is not written (and an old one is removed).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::output::print;

/// Arguments of `annals precompress`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The built web app (`trunk build` output).
    #[arg(default_value = "dist")]
    pub dir: PathBuf,
}

/// Extensions worth compressing.
const COMPRESSIBLE: [&str; 12] =
    ["html", "js", "mjs", "css", "wasm", "json", "ndjson", "svg", "txt", "xml", "csv", "map"];
/// Files smaller than this are sent as they are (the headers would outweigh the saving).
const MIN_BYTES: u64 = 256;
/// Brotli's best quality and largest usual window.
const BROTLI_QUALITY: u32 = 11;
const BROTLI_WINDOW: u32 = 22;

/// Bytes before and after, over every compressed file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Files compressed.
    pub files: usize,
    /// Their bytes.
    pub plain: u64,
    /// Bytes of the `.br` files (or of the file, where brotli did not make it smaller).
    pub brotli: u64,
    /// Bytes of the `.gz` files (likewise).
    pub gzip: u64,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let totals = precompress(&args.dir)?;
    print(&format!(
        "annals: precompressed {} of {}: {} bytes, {} as brotli, {} as gzip\n",
        annals_core::words::count(totals.files, "file", "files"),
        args.dir.display(),
        totals.plain,
        totals.brotli,
        totals.gzip
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the `.br` and `.gz` siblings of every compressible file under `dir`.
pub fn precompress(dir: &Path) -> anyhow::Result<Totals> {
    let mut totals = Totals::default();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let path = entry.path();
            // Links are not followed: the server would not serve what they lead to outside.
            let kind = entry.file_type().with_context(|| format!("reading {}", path.display()))?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && compressible(&path) {
                let plain = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                if (plain.len() as u64) < MIN_BYTES {
                    continue;
                }
                totals.files += 1;
                totals.plain += plain.len() as u64;
                totals.brotli += sibling(&path, "br", &plain, brotli)?;
                totals.gzip += sibling(&path, "gz", &plain, gzip)?;
            }
        }
    }
    Ok(totals)
}

fn compressible(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e.to_ascii_lowercase().as_str()))
}

/// Writes `path.ext` with `compress(plain)` if that is smaller, else removes it; returns the
/// bytes a client would get.
fn sibling(
    path: &Path,
    ext: &str,
    plain: &[u8],
    compress: fn(&[u8]) -> std::io::Result<Vec<u8>>,
) -> anyhow::Result<u64> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    let target = PathBuf::from(name);
    let packed = compress(plain).with_context(|| format!("compressing {}", path.display()))?;
    if packed.len() >= plain.len() {
        match std::fs::remove_file(&target) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", target.display()))
            }
            _ => return Ok(plain.len() as u64),
        }
    }
    std::fs::write(&target, &packed).with_context(|| format!("writing {}", target.display()))?;
    Ok(packed.len() as u64)
}

fn brotli(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        writer.write_all(plain)?;
        writer.flush()?;
    }
    Ok(out)
}

fn gzip(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(plain)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_smaller_siblings_that_decode_to_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let text = "the record of relations between states; ".repeat(200);
        std::fs::write(dir.path().join("app.js"), &text).expect("js");
        std::fs::create_dir(dir.path().join("data")).expect("data");
        std::fs::write(dir.path().join("data/x.json"), &text).expect("json");
        std::fs::write(dir.path().join("tiny.css"), "a{}").expect("css");
        std::fs::write(dir.path().join("photo.png"), &text).expect("png");
        let totals = precompress(dir.path()).expect("precompress");
        assert_eq!(totals.files, 2);
        assert!(totals.brotli < totals.plain / 10 && totals.gzip < totals.plain / 10, "{totals:?}");
        let mut unpacked = String::new();
        let br = std::fs::read(dir.path().join("data/x.json.br")).expect("br");
        std::io::Read::read_to_string(&mut brotli::Decompressor::new(&br[..], 4096), &mut unpacked).expect("unbr");
        assert_eq!(unpacked, text);
        let gz = std::fs::read(dir.path().join("app.js.gz")).expect("gz");
        unpacked.clear();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unpacked).expect("ungz");
        assert_eq!(unpacked, text);
        assert!(!dir.path().join("tiny.css.br").exists() && !dir.path().join("photo.png.br").exists());
    }
}

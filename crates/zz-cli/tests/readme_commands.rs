//! The README's commands work when pasted into a shell on a fresh clone.
//!
//! Every fenced ```` ```sh ```` block of `README.md` is a list of commands (a trailing `\`
//! continues a line). Each command that runs the tool — `zigzag-rs ...` or
//! `cargo run --release -p zz-cli -- ...` — is run here with `sh` from a scratch copy of the
//! repository layout (`examples/` and `../shared` linked in), with `zigzag-rs` on `PATH` being
//! the binary under test, and must exit 0. Other commands of those blocks (`cargo install`,
//! `cargo test`, `pip`, ...) are the build and test steps themselves and are not re-run; a
//! command of any other kind fails the test, so a new kind of command cannot slip in untested.
//! Synopses with `[...]` placeholders belong in ```` ```text ```` blocks: a `[` followed by
//! `--` or an upper-case placeholder inside an `sh` block fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The commands of the README's `sh` blocks, with their line numbers.
fn sh_commands(readme: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if !in_sh || (pending.is_none() && (t.is_empty() || t.starts_with('#'))) {
            continue;
        }
        let (start, mut text) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(body) = t.strip_suffix('\\') {
            text.push_str(body);
            text.push(' ');
            pending = Some((start, text));
        } else {
            text.push_str(t);
            out.push((start, text));
        }
    }
    out
}

/// Build and test steps that appear in `sh` blocks but are not the tool itself.
const NOT_RE_RUN: &[&str] =
    &["scripts/test.sh", "cargo install", "cargo test", "cargo bench", "pip ", "python", "bash .ci/run", "maturin"];

#[test]
fn readme_commands_run_from_a_fresh_layout() {
    let repo = repo();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let commands = sh_commands(&readme);
    assert!(commands.len() >= 5, "README.md has only {} commands in ```sh blocks", commands.len());

    let scratch = std::env::temp_dir().join(format!("zz-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let clone = scratch.join("zigzag-rs");
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&clone).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(repo.join("examples"), clone.join("examples")).unwrap();
    let shared = repo.join("../shared");
    let have_shared = shared.join("reference").is_dir();
    if have_shared {
        std::os::unix::fs::symlink(&shared, scratch.join("shared")).unwrap();
    }
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_zigzag-rs"), bin.join("zigzag-rs")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());

    let mut ran = 0;
    for (line, cmd) in &commands {
        for bad in ["[--", "[-"] {
            assert!(!cmd.contains(bad), "README.md:{line}: `{bad}...]` placeholder inside an ```sh block: {cmd}");
        }
        if NOT_RE_RUN.iter().any(|p| cmd.starts_with(p)) {
            continue;
        }
        let tool = if let Some(rest) = cmd.strip_prefix("cargo run --release -p zz-cli --") {
            format!("zigzag-rs{rest}")
        } else if cmd.starts_with("zigzag-rs ") {
            cmd.clone()
        } else {
            panic!("README.md:{line}: command of unknown kind in an ```sh block (extend this test): {cmd}");
        };
        if tool.contains("../shared") && !have_shared {
            println!("SKIPPED: README.md:{line} needs ../shared/reference (absent): {cmd}");
            continue;
        }
        let out = Command::new("sh").arg("-c").arg(&tool).current_dir(&clone).env("PATH", &path).output().unwrap();
        assert!(
            out.status.success(),
            "README.md:{line}: `{cmd}` exited with {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} README commands were run");
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn sh_blocks_are_split_into_commands() {
    let text = "intro\n```sh\n# comment\nzigzag-rs map -a a \\\n  -w w\n\ncargo test --workspace\n```\n```text\nzigzag-rs map [--x]\n```\n";
    let c = sh_commands(text);
    assert_eq!(c, vec![(4, "zigzag-rs map -a a  -w w".to_string()), (7, "cargo test --workspace".to_string())]);
}

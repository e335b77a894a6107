//! `zkos-dev init`: writes a ready Hardhat 3 or Foundry project for the devnet from the templates
//! embedded in the binary (`templates/`), never overwriting a file unless told to.
//! `write(Template, dir, force) -> Vec<Written>`; `summary` says what was written and what to run next.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use anyhow::Context as _;

/// A project template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// Hardhat 3 with viem, Ignition and node:test; networks zkosL2 and zkosL1.
    Hardhat,
    /// Foundry (forge, cast, forge-std); rpc_endpoints zkos_l2 and zkos_l1, cast defaults to the L2.
    Foundry,
}

/// One file of a template: its path in the project (with `/` separators) and its contents.
pub type TemplateFile = (&'static str, &'static str);

/// Embeds `templates/<dir>/<file>` as the project file `<file>` (or under another name: the
/// templates keep `.gitignore` as `gitignore`, so git does not apply it to `templates/`, and
/// `.env` as `env`, so forge and cast run inside `templates/` do not load it).
macro_rules! template_file {
    ($dir:literal, $file:literal) => {
        template_file!($dir, $file => $file)
    };
    ($dir:literal, $file:literal => $to:literal) => {
        ($to, include_str!(concat!("../templates/", $dir, "/", $file)))
    };
}

const HARDHAT: &[TemplateFile] = &[
    template_file!("hardhat", "package.json"),
    template_file!("hardhat", "package-lock.json"),
    template_file!("hardhat", "hardhat.config.ts"),
    template_file!("hardhat", "contracts/Counter.sol"),
    template_file!("hardhat", "scripts/deploy.ts"),
    template_file!("hardhat", "ignition/modules/Counter.ts"),
    template_file!("hardhat", "test/Counter.ts"),
    template_file!("hardhat", "README.md"),
    template_file!("hardhat", "gitignore" => ".gitignore"),
];

const FOUNDRY: &[TemplateFile] = &[
    template_file!("foundry", "foundry.toml"),
    template_file!("foundry", "src/Counter.sol"),
    template_file!("foundry", "script/Counter.s.sol"),
    template_file!("foundry", "test/Counter.t.sol"),
    template_file!("foundry", "README.md"),
    template_file!("foundry", "gitignore" => ".gitignore"),
    template_file!("foundry", "env" => ".env"),
    // forge-std, as `forge install` lays it out; scripts/vendor-forge-std.sh writes this list's
    // files from the pinned npm package.
    template_file!("foundry", "lib/forge-std/LICENSE-APACHE"),
    template_file!("foundry", "lib/forge-std/LICENSE-MIT"),
    template_file!("foundry", "lib/forge-std/package.json"),
    template_file!("foundry", "lib/forge-std/src/Base.sol"),
    template_file!("foundry", "lib/forge-std/src/Script.sol"),
    template_file!("foundry", "lib/forge-std/src/StdAssertions.sol"),
    template_file!("foundry", "lib/forge-std/src/StdChains.sol"),
    template_file!("foundry", "lib/forge-std/src/StdCheats.sol"),
    template_file!("foundry", "lib/forge-std/src/StdConstants.sol"),
    template_file!("foundry", "lib/forge-std/src/StdError.sol"),
    template_file!("foundry", "lib/forge-std/src/StdInvariant.sol"),
    template_file!("foundry", "lib/forge-std/src/StdJson.sol"),
    template_file!("foundry", "lib/forge-std/src/StdMath.sol"),
    template_file!("foundry", "lib/forge-std/src/StdStorage.sol"),
    template_file!("foundry", "lib/forge-std/src/StdStyle.sol"),
    template_file!("foundry", "lib/forge-std/src/StdToml.sol"),
    template_file!("foundry", "lib/forge-std/src/StdUtils.sol"),
    template_file!("foundry", "lib/forge-std/src/Test.sol"),
    template_file!("foundry", "lib/forge-std/src/Vm.sol"),
    template_file!("foundry", "lib/forge-std/src/console.sol"),
    template_file!("foundry", "lib/forge-std/src/console2.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC1155.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC165.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC20.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC4626.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC6909.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC721.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC7540.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IERC7575.sol"),
    template_file!("foundry", "lib/forge-std/src/interfaces/IMulticall3.sol"),
    template_file!("foundry", "lib/forge-std/src/safeconsole.sol"),
];

impl Template {
    /// Its name on the command line and its folder in `templates/`.
    pub fn name(self) -> &'static str {
        match self {
            Template::Hardhat => "hardhat",
            Template::Foundry => "foundry",
        }
    }

    /// The files it writes.
    pub fn files(self) -> &'static [TemplateFile] {
        match self {
            Template::Hardhat => HARDHAT,
            Template::Foundry => FOUNDRY,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Template::Hardhat => "Hardhat 3 project",
            Template::Foundry => "Foundry project",
        }
    }

    /// The commands to run after `init`, from inside the project.
    fn next_commands(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Template::Hardhat => &[
                (
                    "npm ci",
                    "Node.js 22.13+; exact versions from package-lock.json",
                ),
                ("npx hardhat build", "compiles offline with npm solc 0.8.30"),
                ("zkos-dev start", "in another terminal"),
                (
                    "npx hardhat run scripts/deploy.ts --network zkosL2",
                    "or --network zkosL1",
                ),
                ("npx hardhat test --network zkosL2", ""),
            ],
            Template::Foundry => &[
                (
                    "forge build",
                    "installs solc 0.8.30 once; forge-std is in lib/",
                ),
                ("forge test", "in forge's own EVM, no node needed"),
                ("zkos-dev start", "in another terminal"),
                ("cast chain-id", "270: .env points cast at the L2"),
                (
                    "forge script script/Counter.s.sol --rpc-url zkos_l2 --broadcast --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                    "",
                ),
            ],
        }
    }
}

/// A file `write` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where, relative to the project directory.
    pub path: &'static str,
    /// Whether a file was there before (only with `force`).
    pub overwritten: bool,
}

/// `init` found files it would overwrite and `force` was not given: nothing was written.
#[derive(Debug)]
pub struct WouldOverwrite {
    /// The project directory.
    pub dir: PathBuf,
    /// The files that exist, as paths joined to `dir`.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Display for WouldOverwrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.files.len() {
            1 => "a file".to_string(),
            n => format!("{n} files"),
        };
        write!(
            f,
            "{} already has {what} the template writes; nothing was written \
             (--force overwrites them):",
            self.dir.display()
        )?;
        for file in &self.files {
            write!(f, "\n  {}", file.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for WouldOverwrite {}

/// Writes `template` into `dir` (created if missing). Fails with [`WouldOverwrite`], before
/// writing anything, when one of its files exists and `force` is false.
pub fn write(template: Template, dir: &Path, force: bool) -> anyhow::Result<Vec<Written>> {
    let exists = |rel: &str| dir.join(rel).symlink_metadata().is_ok();
    let existing: Vec<PathBuf> = template
        .files()
        .iter()
        .filter(|(rel, _)| exists(rel))
        .map(|(rel, _)| dir.join(rel))
        .collect();
    if !existing.is_empty() && !force {
        return Err(WouldOverwrite {
            dir: dir.to_path_buf(),
            files: existing,
        }
        .into());
    }
    let mut written = Vec::new();
    for &(rel, contents) in template.files() {
        let path = dir.join(rel);
        let overwritten = exists(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating directory {}", parent.display()))?;
        }
        std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
        written.push(Written {
            path: rel,
            overwritten,
        });
    }
    Ok(written)
}

/// What `zkos-dev init` prints after writing: the files, then the commands to run next.
pub fn summary(template: Template, dir: &Path, written: &[Written]) -> String {
    let here = dir == Path::new(".") || dir.as_os_str().is_empty();
    let mut out = String::new();
    let where_ = if here {
        "the current directory".to_string()
    } else {
        dir.display().to_string()
    };
    let _ = writeln!(out, "Wrote a {} to {where_}:", template.title());
    // A vendored library (`lib/<name>/`) is one line, not one per file.
    let mut listed_libs: Vec<&str> = Vec::new();
    for file in written {
        if let Some(lib) = library_dir(file.path) {
            if !listed_libs.contains(&lib) {
                listed_libs.push(lib);
                let files = written
                    .iter()
                    .filter(|f| library_dir(f.path) == Some(lib))
                    .count();
                let _ = writeln!(out, "  {}/ ({files} files)", dir.join(lib).display());
            }
            continue;
        }
        let note = if file.overwritten {
            " (overwritten)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {}{note}", dir.join(file.path).display());
    }
    let _ = writeln!(out, "\nNext:");
    let mut commands: Vec<(String, &str)> = Vec::new();
    if !here {
        commands.push((
            format!("cd {}", shell_quote(&dir.display().to_string())),
            "",
        ));
    }
    commands.extend(
        template
            .next_commands()
            .iter()
            .map(|&(cmd, why)| (cmd.to_string(), why)),
    );
    // Align the comments of the short commands; a long one keeps its comment to itself.
    let width = commands
        .iter()
        .map(|(cmd, _)| cmd.len())
        .filter(|&len| len <= 60)
        .max()
        .unwrap_or(0);
    for (cmd, why) in commands {
        if why.is_empty() {
            let _ = writeln!(out, "  {cmd}");
        } else {
            let _ = writeln!(out, "  {cmd:width$}  # {why}");
        }
    }
    out
}

/// `lib/forge-std/src/Test.sol` -> `lib/forge-std`; `None` outside `lib/`.
fn library_dir(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("lib/")?;
    let name_len = rest.find('/')?;
    Some(&path[.."lib/".len() + name_len])
}

/// The oldest Node.js Hardhat 3 runs on.
pub const HARDHAT_MIN_NODE: (u64, u64) = (22, 13);

/// Refuses up front when the `node` on PATH cannot run Hardhat 3: otherwise `npm ci` only warns
/// and `npx hardhat build` fails late (and a later Node switch leaves a `node_modules` built for
/// the old one).
pub fn check_node_for_hardhat() -> anyhow::Result<()> {
    let (want_major, want_minor) = HARDHAT_MIN_NODE;
    let need = format!("Hardhat 3 needs Node.js {want_major}.{want_minor} or newer");
    let how = "switch Node (e.g. `nvm install 22 && nvm use 22`) and run it again, write the project \
               anyway with --skip-node-check, or use `zkos-dev init foundry`";
    let output = std::process::Command::new("node").arg("--version").output();
    let version = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => anyhow::bail!("{need}, and there is no `node` on PATH: install it, {how}"),
    };
    match parse_node_version(&version) {
        Some((major, minor)) if (major, minor) >= (want_major, want_minor) => Ok(()),
        Some(_) => anyhow::bail!("{need}; `node --version` is {version}: {how}"),
        None => {
            anyhow::bail!("{need}; `node --version` answered {version:?}, not a version: {how}")
        }
    }
}

/// `v22.13.1` -> (22, 13).
fn parse_node_version(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// `zkos-dev init TEMPLATE [DIR] [--force]`: writes the project and prints the summary.
pub fn run(template: Template, dir: &Path, force: bool) -> anyhow::Result<()> {
    let written = write(template, dir, force)?;
    print!("{}", summary(template, dir, &written));
    Ok(())
}

/// `s` as one shell word.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+:@%=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_versions_parse() {
        assert_eq!(parse_node_version("v22.13.1"), Some((22, 13)));
        assert_eq!(parse_node_version("v20.20.2\n"), Some((20, 20)));
        assert_eq!(parse_node_version("nonsense"), None);
        assert!(
            (20, 20) < HARDHAT_MIN_NODE
                && (22, 13) >= HARDHAT_MIN_NODE
                && (23, 0) >= HARDHAT_MIN_NODE
        );
    }

    /// Every file under `templates/<name>/` is embedded, and nothing else.
    #[test]
    fn every_template_file_is_embedded() {
        for template in [Template::Hardhat, Template::Foundry] {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("templates")
                .join(template.name());
            let mut on_disk = Vec::new();
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        let rel = path.strip_prefix(&root).unwrap().to_str().unwrap();
                        on_disk.push(rel.replace('\\', "/"));
                    }
                }
            }
            on_disk.sort();
            let mut embedded: Vec<String> = template
                .files()
                .iter()
                .map(|(rel, _)| match *rel {
                    ".gitignore" => "gitignore".to_string(),
                    ".env" => "env".to_string(),
                    rel => rel.to_string(),
                })
                .collect();
            embedded.sort();
            assert_eq!(
                embedded,
                on_disk,
                "templates/{} vs init.rs",
                template.name()
            );
        }
    }

    /// Both templates show the same example contract.
    #[test]
    fn both_templates_have_the_same_counter() {
        let find = |t: Template, rel: &str| t.files().iter().find(|(p, _)| *p == rel).unwrap().1;
        assert_eq!(
            find(Template::Hardhat, "contracts/Counter.sol"),
            find(Template::Foundry, "src/Counter.sol")
        );
    }

    /// cast and forge create given no --rpc-url reach the L2 (`.env`), while `forge test` stays
    /// in forge's own EVM: `eth_rpc_url` in foundry.toml would make every `forge test` fork it.
    #[test]
    fn foundry_template_points_cast_at_the_l2_and_leaves_forge_test_local() {
        let find = |rel: &str| {
            Template::Foundry
                .files()
                .iter()
                .find(|(p, _)| *p == rel)
                .unwrap()
                .1
        };
        let env: Vec<&str> = find(".env")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        assert_eq!(
            env,
            [format!(
                "ETH_RPC_URL={}",
                crate::cli::snapshot_cmd::DEFAULT_RPC
            )]
        );
        let toml = find("foundry.toml");
        assert!(
            !toml
                .lines()
                .any(|l| l.trim_start().starts_with("eth_rpc_url")),
            "{toml}"
        );
        assert!(toml.contains("libs = [\"lib\"]"), "{toml}");
        assert!(find(".gitignore").lines().any(|l| l == ".env"));
        for rel in ["test/Counter.t.sol", "script/Counter.s.sol"] {
            assert!(find(rel).contains("from \"forge-std/"), "{rel}");
        }
        assert!(find("lib/forge-std/package.json").contains("\"version\": \"1.9.7\""));
    }

    #[test]
    fn summary_lists_files_and_next_commands() {
        let written = write_to_temp(Template::Foundry);
        let text = summary(Template::Foundry, Path::new("my app"), &written);
        assert!(
            text.starts_with("Wrote a Foundry project to my app:\n"),
            "{text}"
        );
        assert!(text.contains("  my app/foundry.toml\n"), "{text}");
        assert!(text.contains("  my app/.env\n"), "{text}");
        let forge_std = written
            .iter()
            .filter(|f| f.path.starts_with("lib/forge-std/"))
            .count();
        assert!(
            text.contains(&format!("  my app/lib/forge-std/ ({forge_std} files)\n")),
            "{text}"
        );
        assert!(!text.contains("Test.sol"), "{text}");
        assert!(text.contains("  cd 'my app'\n"), "{text}");
        assert!(
            text.contains("forge script script/Counter.s.sol --rpc-url zkos_l2"),
            "{text}"
        );

        let here = summary(Template::Foundry, Path::new("."), &written);
        assert!(here.contains("to the current directory:"), "{here}");
        assert!(!here.contains("cd "), "{here}");
    }

    fn write_to_temp(template: Template) -> Vec<Written> {
        let dir = tempfile::tempdir().unwrap();
        write(template, dir.path(), false).unwrap()
    }

    #[test]
    fn shell_quote_quotes_only_when_needed() {
        assert_eq!(shell_quote("my-app"), "my-app");
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}

//! Reading a definition file (JSON or YAML) for the commands.

use std::path::Path;

use anyhow::Context;
use baton_asl::definition::{DefinitionFormat, ParseOptions, Parsed, parse_text};

/// The definition in `path`, parsed and validated. YAML is recognised by a `.yaml` or
/// `.yml` extension, or by content.
pub fn load(path: &Path, options: ParseOptions) -> anyhow::Result<(String, Parsed)> {
    let text = read(path)?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => Some(DefinitionFormat::Yaml),
        Some("json" | "asl") => Some(DefinitionFormat::Json),
        _ => None,
    };
    let parsed = parse_text(&text, format, options);
    Ok((text, parsed))
}

/// A file's text, or stdin's for `-`.
pub fn read(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("cannot read stdin")?;
        return Ok(s);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Prints problems for people: one line each, with where.
pub fn print_diagnostics(file: &Path, parsed: &Parsed) {
    for d in parsed.diagnostics.iter() {
        let location = if d.location.is_empty() {
            "/"
        } else {
            &d.location
        };
        eprintln!(
            "{}: {} [{}] {} (at {location})",
            file.display(),
            d.severity.as_str().to_lowercase(),
            d.code,
            d.message
        );
    }
}

//! Reading a definition file (JSON or YAML) for the commands, and showing its problems to
//! people: each at its line and column, with the line and a caret, as compilers do.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use baton_asl::definition::{DefinitionFormat, ParseOptions, Parsed, locate, parse_text};
use baton_asl::{Diagnostic, Severity};

/// The definition in `path`, parsed and validated. YAML is recognised by a `.yaml` or
/// `.yml` extension, or by content.
pub fn load(path: &Path, options: ParseOptions) -> anyhow::Result<(String, Parsed)> {
    let text = read(path)?;
    let parsed = parse_text(&text, Some(format_of(path, &text)), options);
    Ok((text, parsed))
}

/// The format of the definition in `path` with text `text`: by extension, else by content.
pub fn format_of(path: &Path, text: &str) -> DefinitionFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => DefinitionFormat::Yaml,
        Some("json" | "asl") => DefinitionFormat::Json,
        _ => DefinitionFormat::detect(text),
    }
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

/// Prints problems for people on stderr, reading the file again to show where they are
/// (without positions when it cannot be read again, e.g. stdin).
pub fn print_diagnostics(file: &Path, parsed: &Parsed) {
    let text = if file.as_os_str() == "-" {
        None
    } else {
        std::fs::read_to_string(file).ok()
    };
    eprint!("{}", report(file, text.as_deref(), parsed));
}

/// Problems for people: for each, `FILE:LINE:COLUMN: error[CODE]: message (at /location)`
/// and, when the text is known, the line with a caret under the place.
pub fn report(file: &Path, text: Option<&str>, parsed: &Parsed) -> String {
    let mut out = String::new();
    for d in parsed.diagnostics.iter() {
        let place = text.and_then(|t| position(file, t, d));
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = write!(out, "{}", file.display());
        if let Some((line, column)) = place {
            let _ = write!(out, ":{line}:{column}");
        }
        let _ = write!(out, ": {severity}[{}]: {}", d.code, first_line(&d.message));
        if d.pointer.is_some() {
            let _ = write!(out, " (at {})", d.location);
        }
        out.push('\n');
        if let (Some(text), Some((line, column))) = (text, place) {
            snippet(&mut out, text, line, column);
        }
    }
    out
}

/// Where `d` is in `text`: from its pointer, or from the position a syntax error names.
fn position(file: &Path, text: &str, d: &Diagnostic) -> Option<(usize, usize)> {
    if let Some(pointer) = &d.pointer {
        // An unsupported field is reported at its object; show the field itself.
        let field = d
            .message
            .strip_prefix("Field '")
            .and_then(|m| m.strip_suffix("' is not supported"));
        let pointer = match field {
            Some(name) => pointer.child(name),
            None => pointer.clone(),
        };
        let p = locate(text, format_of(file, text), &pointer);
        return Some((p.line, p.column));
    }
    // `[Source: ...; line: L, column: C]`
    let tail = d.location.rsplit_once("; line: ")?.1;
    let (line, column) = tail.trim_end_matches(']').split_once(", column: ")?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// The widest part of a line shown around the caret, in characters.
const WINDOW: usize = 100;

/// Appends line `line` of `text` and a caret under `column`, cutting long lines (such as
/// minified JSON) to a window around the caret.
fn snippet(out: &mut String, text: &str, line: usize, column: usize) {
    let Some(source) = text.lines().nth(line.saturating_sub(1)) else {
        return;
    };
    let chars: Vec<char> = source.chars().collect();
    let column = column.clamp(1, chars.len() + 1);
    let start = column.saturating_sub(WINDOW / 2).max(1);
    let end = (start + WINDOW).min(chars.len() + 1);
    let mut shown: String = chars[start - 1..end - 1].iter().collect();
    let mut caret_at: String = chars[start - 1..column - 1]
        .iter()
        .map(|&c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    if start > 1 {
        shown.insert_str(0, "...");
        caret_at.insert_str(0, "   ");
    }
    if end <= chars.len() {
        shown.push_str("...");
    }
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(out, " {number} | {shown}");
    let _ = writeln!(out, " {pad} | {caret_at}^");
}

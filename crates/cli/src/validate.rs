//! `baton validate`: checks a definition as AWS's CreateStateMachine does.
//!
//! Exit status 0 when valid, 1 when not. Without `--json`, every problem goes to stderr
//! at its line and column; with it, stdout gets one JSON object:
//! `{"valid", "error": "InvalidDefinition", "message": <AWS's message>, "diagnostics":
//! [{"code", "message", "location", "severity"}]}` (`error` and `message` only when
//! invalid; `location` only where AWS gives one).

use std::path::PathBuf;
use std::process::ExitCode;

use baton_asl::Severity;
use baton_asl::definition::{MachineType, ParseOptions};
use baton_json::{Map, Value};
use clap::Args;

use crate::definition;

/// Arguments of `baton validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The definition (JSON or YAML; `-` for stdin).
    definition: PathBuf,
    /// Validate as an Express state machine.
    #[arg(long)]
    express: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// Runs `baton validate`.
pub fn main(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let options = ParseOptions {
        machine_type: if args.express {
            MachineType::Express
        } else {
            MachineType::Standard
        },
    };
    let (text, parsed) = definition::load(&args.definition, options)?;
    let valid = !parsed.diagnostics.has_errors();
    if args.json {
        let mut out = Map::default();
        out.insert("valid".into(), Value::Bool(valid));
        if !valid {
            out.insert("error".into(), Value::from("InvalidDefinition"));
            out.insert(
                "message".into(),
                Value::from(parsed.diagnostics.aws_message()),
            );
        }
        let diagnostics: Vec<Value> = parsed
            .diagnostics
            .iter()
            .map(|d| {
                let mut m = Map::default();
                m.insert("code".into(), Value::from(d.code.as_str()));
                m.insert("message".into(), Value::from(d.message.as_str()));
                // As AWS's diagnostics: no location for the few problems that have none.
                if !d.location.is_empty() {
                    m.insert("location".into(), Value::from(d.location.as_str()));
                }
                m.insert("severity".into(), Value::from(d.severity.as_str()));
                Value::object(m)
            })
            .collect();
        out.insert("diagnostics".into(), Value::array(diagnostics));
        println!("{}", Value::object(out).to_json_pretty());
    } else {
        eprint!(
            "{}",
            definition::report(&args.definition, Some(&text), &parsed)
        );
        let errors = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        match errors {
            0 => eprintln!("{}: valid", args.definition.display()),
            1 => eprintln!("{}: invalid (1 error)", args.definition.display()),
            n => eprintln!("{}: invalid ({n} errors)", args.definition.display()),
        }
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

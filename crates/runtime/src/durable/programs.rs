//! Definitions compiled once: every execution of a definition shares one [`Program`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use baton_asl::definition::{DefinitionFormat, MachineType, ParseOptions, parse_text};
use baton_engine::Program;

/// A cache of programs by definition text.
#[derive(Default)]
pub(crate) struct Programs {
    by_text: Mutex<HashMap<Arc<str>, Arc<Program>>>,
}

impl Programs {
    /// The program of `definition`, compiled on first use; the definition's problems, in
    /// AWS's words, when it is not valid.
    pub(crate) fn get(&self, definition: &Arc<str>) -> Result<Arc<Program>, String> {
        if let Some(p) = self.lock().get(definition) {
            return Ok(Arc::clone(p));
        }
        // Compile outside the lock: definitions can be large.
        let parsed = parse_text(
            definition,
            Some(DefinitionFormat::Json),
            ParseOptions {
                machine_type: MachineType::Standard,
            },
        );
        let machine = parsed.valid().map_err(|d| d.aws_message())?;
        let program = Program::new(machine);
        Ok(Arc::clone(
            self.lock().entry(Arc::clone(definition)).or_insert(program),
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Arc<Program>>> {
        self.by_text.lock().unwrap_or_else(|e| e.into_inner())
    }
}

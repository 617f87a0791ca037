//! What an expression sees besides the state's input: the context object (`$$`), the
//! variables in scope (`$name`) and a source of randomness.
//!
//! The engine implements [`Scope`]; this crate never reads the clock or an entropy source
//! itself, so the same execution evaluated twice gives the same values.

use baton_json::Value;

/// The environment of an evaluation.
pub trait Scope {
    /// The context object (`$$`). Built on demand: most states never read it.
    fn context_object(&self) -> Value;

    /// The value of variable `name` (without the `$`), if it is assigned and visible.
    fn variable(&self, name: &str) -> Option<Value>;

    /// The next 64 random bits of the execution's deterministic random stream (for
    /// `States.UUID`, `States.MathRandom`, ...).
    fn random_u64(&mut self) -> u64;
}

/// A [`Scope`] with a fixed context object and variables, for tests and tools.
#[derive(Debug, Clone, Default)]
pub struct StaticScope {
    /// The context object returned for `$$`.
    pub context: Value,
    /// Variables by name.
    pub variables: baton_json::Map,
    /// State of the random stream (SplitMix64).
    pub seed: u64,
}

impl Scope for StaticScope {
    fn context_object(&self) -> Value {
        self.context.clone()
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.variables.get(name).cloned()
    }

    fn random_u64(&mut self) -> u64 {
        splitmix64(&mut self.seed)
    }
}

/// One step of SplitMix64: a small, fast, well-distributed generator whose whole state
/// is one `u64`, so it is trivially saved with an execution.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

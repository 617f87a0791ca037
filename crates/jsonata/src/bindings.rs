//! What an evaluation sees besides its input: variables, a seed for `$random`,
//! `$uuid` and `$shuffle`, and the time `$now` and `$millis` report.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use baton_json::{Map, Str, Value};

/// Variables and the caller-supplied sources of randomness and time.
///
/// Variables are named without the `$`: `states` is `$states`. Values are shared, not
/// copied (a [`Value`] clone is a reference count bump); an evaluation converts only the
/// variables its expression mentions, and only the parts of them it can reach.
///
/// `$states` is kept as its members ([`with_states`](Bindings::with_states)): an
/// expression that reads `$states.input.x` reaches the input without the `$states`
/// object being built, which happens only for an expression that needs it whole.
///
/// Without [`with_random_seed`](Bindings::with_random_seed), `$random()`, `$uuid()`
/// and `$shuffle()` fail; without [`with_now_millis`](Bindings::with_now_millis),
/// `$now()` and `$millis()` fail. Nothing here reads the clock or the OS's randomness.
#[derive(Debug, Default)]
pub struct Bindings {
    /// Few in practice (the variables an expression mentions), so searched in order.
    vars: Vec<(Str, Value)>,
    states: Option<States>,
    /// `$states` as one object, built the first time it is asked for.
    states_value: OnceLock<Value>,
    random: Option<AtomicU64>,
    now_millis: Option<i64>,
}

impl Bindings {
    /// No variables, no randomness, no clock.
    pub fn new() -> Bindings {
        Bindings::default()
    }

    /// Adds (or replaces) the variable `name` (without `$`).
    pub fn with_var(mut self, name: impl Into<Str>, value: Value) -> Bindings {
        self.set_var(name, value);
        self
    }

    /// Adds (or replaces) the variable `name` (without `$`).
    pub fn set_var(&mut self, name: impl Into<Str>, value: Value) {
        let name = name.into();
        if &*name == "states" {
            self.states = None;
            self.states_value = OnceLock::new();
        }
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.vars.push((name, value)),
        }
    }

    /// Binds `$states`, the object Step Functions gives JSONata expressions.
    pub fn with_states(mut self, states: States) -> Bindings {
        self.set_states(states);
        self
    }

    /// Binds `$states`, the object Step Functions gives JSONata expressions.
    pub fn set_states(&mut self, states: States) {
        self.vars.retain(|(n, _)| &**n != "states");
        self.states = Some(states);
        self.states_value = OnceLock::new();
    }

    /// Seeds `$random()`, `$uuid()` and `$shuffle()`: the same seed gives the same
    /// values. Each evaluation draws its own stream from this seed, so successive
    /// evaluations with the same `Bindings` differ.
    pub fn with_random_seed(mut self, seed: u64) -> Bindings {
        self.random = Some(AtomicU64::new(seed));
        self
    }

    /// The time `$now()` and `$millis()` report, in milliseconds since the Unix epoch.
    pub fn with_now_millis(mut self, millis: i64) -> Bindings {
        self.now_millis = Some(millis);
        self
    }

    /// The variable `name` (without `$`). For `states` bound by
    /// [`with_states`](Bindings::with_states), the `$states` object, built on the first
    /// call.
    pub fn var(&self, name: &str) -> Option<&Value> {
        if let (Some(states), "states") = (&self.states, name) {
            return Some(
                self.states_value
                    .get_or_init(|| states.clone().into_value()),
            );
        }
        self.vars
            .iter()
            .find_map(|(n, v)| (**n == *name).then_some(v))
    }

    /// `$states`'s members, when it was bound by [`with_states`](Bindings::with_states).
    pub(crate) fn states(&self) -> Option<&States> {
        self.states.as_ref()
    }

    /// `true` when `name` (without `$`) is bound.
    pub(crate) fn has_var(&self, name: &str) -> bool {
        (self.states.is_some() && name == "states") || self.vars.iter().any(|(n, _)| **n == *name)
    }

    /// The time `$now()` reports, if one was given.
    pub fn now_millis(&self) -> Option<i64> {
        self.now_millis
    }

    /// A fresh 64-bit seed for one evaluation, if a seed was given (SplitMix64).
    pub(crate) fn draw_seed(&self) -> Option<u64> {
        let state = self.random.as_ref()?;
        let s = state
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        Some(mix64(s))
    }
}

/// The members of `$states`. `None` members are left out of the object, as Step
/// Functions leaves out `result` outside `Output`/`Assign` and `errorOutput`
/// outside `Catch`.
#[derive(Debug, Clone, Default)]
pub struct States {
    /// `$states.input`: the state's input.
    pub input: Value,
    /// `$states.context`: the context object. A caller may leave it out (`null`) for an
    /// expression that does not read it (see `Expression::reads_states_member`).
    pub context: Value,
    /// `$states.result`: a Task's, Map's or Parallel's result.
    pub result: Option<Value>,
    /// `$states.errorOutput`: the error caught by a `Catch`.
    pub error_output: Option<Value>,
}

impl States {
    /// The `$states` object.
    pub fn into_value(self) -> Value {
        let mut map = Map::with_capacity_and_hasher(4, Default::default());
        map.insert("input".into(), self.input);
        if let Some(result) = self.result {
            map.insert("result".into(), result);
        }
        if let Some(error_output) = self.error_output {
            map.insert("errorOutput".into(), error_output);
        }
        map.insert("context".into(), self.context);
        Value::object(map)
    }

    /// The member `name` of the `$states` object.
    pub(crate) fn member(&self, name: &str) -> Option<&Value> {
        match name {
            "input" => Some(&self.input),
            "context" => Some(&self.context),
            "result" => self.result.as_ref(),
            "errorOutput" => self.error_output.as_ref(),
            _ => None,
        }
    }
}

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A small deterministic generator (SplitMix64) for one evaluation.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    /// A float in `[0, 1)` with 53 random bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An integer in `[0, bound)`; `bound` must be positive.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        // Rejection sampling keeps the result unbiased.
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let r = self.next_u64();
            if r < zone {
                return r % bound;
            }
        }
    }
}

/// `java.util.Random`, for `$random(seed)`: AWS runs Step Functions on the JVM, and
/// its seeded `States.MathRandom` follows this generator.
pub(crate) struct JavaRandom(u64);

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    pub(crate) fn new(seed: i64) -> JavaRandom {
        JavaRandom((seed as u64 ^ Self::MULTIPLIER) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> u64 {
        self.0 = self.0.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        self.0 >> (48 - bits)
    }

    /// `Random.nextDouble()`.
    pub(crate) fn next_double(&mut self) -> f64 {
        let high = self.next(26);
        let low = self.next(27);
        ((high << 27) + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_json::json;

    #[test]
    fn java_random_matches_the_jvm() {
        // new java.util.Random(42).nextDouble() == 0.7275636800328681
        assert_eq!(JavaRandom::new(42).next_double(), 0.7275636800328681);
        // new java.util.Random(0).nextDouble() == 0.730967787376657
        assert_eq!(JavaRandom::new(0).next_double(), 0.730967787376657);
    }

    #[test]
    fn seeds_are_drawn_deterministically_and_differ() {
        let a = Bindings::new().with_random_seed(7);
        let b = Bindings::new().with_random_seed(7);
        let (a1, a2) = (a.draw_seed(), a.draw_seed());
        assert_eq!(a1, b.draw_seed());
        assert_ne!(a1, a2);
        assert_eq!(Bindings::new().draw_seed(), None);
    }

    #[test]
    fn states_object_has_the_given_members() {
        let states = States {
            input: json!({"a": 1}),
            context: json!({}),
            result: Some(json!(2)),
            error_output: None,
        };
        assert_eq!(
            states.into_value(),
            json!({"input": {"a": 1}, "result": 2, "context": {}})
        );
    }

    #[test]
    fn states_are_one_object_when_asked_for_whole() {
        let states = States {
            input: json!({"a": 1}),
            context: json!({"c": 2}),
            result: None,
            error_output: Some(json!("e")),
        };
        let b = Bindings::new().with_states(states.clone());
        assert_eq!(b.var("states"), Some(&states.clone().into_value()));
        assert_eq!(
            b.states().and_then(|s| s.member("input")),
            Some(&json!({"a": 1}))
        );
        assert_eq!(b.states().and_then(|s| s.member("result")), None);
        assert!(b.has_var("states"));
        // A plain variable of that name replaces them.
        let b = b.with_var("states", json!(1));
        assert!(b.states().is_none());
        assert_eq!(b.var("states"), Some(&json!(1)));
        let b = b.with_states(states);
        assert_eq!(
            b.var("states").and_then(|s| s.get("errorOutput")),
            Some(&json!("e"))
        );
    }

    #[test]
    fn below_stays_in_bounds() {
        let mut r = SplitMix64::new(1);
        for bound in 1..50 {
            assert!(r.below(bound) < bound);
        }
        let f = r.next_f64();
        assert!((0.0..1.0).contains(&f));
    }
}

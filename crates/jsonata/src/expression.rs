//! A compiled expression, evaluated many times.

use baton_json::Value;

use crate::adapter::{self, Compiled, Session};
use crate::{Bindings, JsonataError, Options};

/// A JSONata expression, parsed once. `Send + Sync`: a compiled definition can be
/// shared by every thread that runs it.
#[derive(Debug)]
pub struct Expression {
    text: Box<str>,
    compiled: Compiled,
    options: Options,
}

impl Expression {
    /// Parses `text` as Step Functions does, with the default [`Limits`](crate::Limits).
    pub fn compile(text: &str) -> Result<Expression, JsonataError> {
        Expression::compile_with(text, &Options::default())
    }

    /// Parses `text` with the given dialect and limits.
    pub fn compile_with(text: &str, options: &Options) -> Result<Expression, JsonataError> {
        Ok(Expression {
            text: text.into(),
            compiled: adapter::compile(text, options.dialect, &options.limits)?,
            options: options.clone(),
        })
    }

    /// The text the expression was compiled from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `true` when the expression calls `$eval`, which Step Functions forbids.
    pub fn calls_eval(&self) -> bool {
        self.compiled.needs.calls_eval()
    }

    /// The names (without `$`) of the variables the expression mentions: the only ones
    /// an evaluation needs bound.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.compiled.needs.variable_names()
    }

    /// `true` when an evaluation can read `$states.<member>` (`context`, `input`, ...):
    /// the expression mentions it, or uses `$states` other than through paths of
    /// names. A caller may leave out what no evaluation reads (the context object).
    pub fn reads_states_member(&self, member: &str) -> bool {
        self.compiled.needs.reads_member("states", member)
    }

    /// Evaluates against `input` (what `$` is). `None` is JSONata's undefined.
    pub fn evaluate(
        &self,
        input: &Value,
        bindings: &Bindings,
    ) -> Result<Option<Value>, JsonataError> {
        self.evaluate_input(Some(input), bindings)
    }

    /// Evaluates with `$` undefined when `input` is `None`, as Step Functions
    /// evaluates the expressions of a state.
    pub fn evaluate_input(
        &self,
        input: Option<&Value>,
        bindings: &Bindings,
    ) -> Result<Option<Value>, JsonataError> {
        if let Some(Ok(result)) = self.evaluate_fast(bindings) {
            return Ok(result);
        }
        self.session(input, bindings).run(&self.compiled)
    }

    /// `true` when the expression has a shape evaluated without jsonata-core (see
    /// `fast.rs`). For tests.
    #[doc(hidden)]
    pub fn has_fast_path(&self) -> bool {
        self.compiled.fast.is_some()
    }

    /// The evaluation without jsonata-core: `None` when the expression does not have
    /// a shape it covers, `Some(Err(()))` when it left this evaluation to jsonata-core.
    /// Such expressions never read `$`. For tests.
    #[doc(hidden)]
    #[allow(clippy::result_unit_err)]
    pub fn evaluate_fast(&self, bindings: &Bindings) -> Option<Result<Option<Value>, ()>> {
        let fast = self.compiled.fast.as_ref()?;
        Some(
            fast.evaluate(bindings, &self.options.limits)
                .map_err(|_| ()),
        )
    }

    /// The evaluation by jsonata-core alone. For tests.
    #[doc(hidden)]
    pub fn evaluate_slow(
        &self,
        input: Option<&Value>,
        bindings: &Bindings,
    ) -> Result<Option<Value>, JsonataError> {
        self.session(input, bindings).run(&self.compiled)
    }

    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    fn session(&self, input: Option<&Value>, bindings: &Bindings) -> Session {
        Session::new(
            &self.compiled.needs,
            input,
            bindings,
            &self.options.limits,
            self.options.dialect,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dialect, Limits, States};
    use baton_json::json;
    use std::time::Duration;

    fn assert_send_sync<T: Send + Sync>() {}

    fn eval(text: &str, bindings: &Bindings) -> Result<Option<Value>, JsonataError> {
        Expression::compile(text)?.evaluate_input(None, bindings)
    }

    fn states(input: Value) -> Bindings {
        Bindings::new().with_states(States {
            input,
            ..States::default()
        })
    }

    #[test]
    fn is_send_and_sync() {
        assert_send_sync::<Expression>();
        assert_send_sync::<Bindings>();
    }

    #[test]
    fn reads_states_and_variables() {
        let b = states(json!({"input_values": [1, 2, 3]})).with_var("var_constant_1", json!(1));
        // tier1_pure/v2.outputdecl...BASE_DIRECT_EXPR
        assert_eq!(
            eval("$sum($states.input.input_values) + $var_constant_1", &b),
            Ok(Some(json!(7)))
        );
        assert_eq!(eval("$doesNotExist", &b), Ok(None));
    }

    #[test]
    fn reads_states_members_only_through_paths_naming_them() {
        let reads = |text: &str, member: &str| {
            Expression::compile(text)
                .unwrap()
                .reads_states_member(member)
        };
        assert!(!reads("$states.input.a + 1", "context"));
        assert!(!reads("1 + 1", "input"));
        assert!(reads("$states.input.a", "input"));
        assert!(reads("$states.context.Execution.Id", "context"));
        for whole in [
            "$states",
            "$keys($states)",
            "$states.*",
            "$lookup($states, 'context')",
            "$states.input.a & $states[0].x",
            "($states := 1; $states)",
        ] {
            assert!(reads(whole, "context"), "{whole}");
        }
    }

    #[test]
    fn unknown_functions_are_t1006_as_on_aws() {
        // tier1_pure/v2.intrinsic_functions...test_math_random_seeded
        let e = eval(
            "$randomSeeded($states.input.FunctionInput.fst)",
            &states(json!({"FunctionInput": "fst"})),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "T1006: Attempted to invoke a non-function");
    }

    #[test]
    fn eval_is_not_a_function_in_step_functions() {
        let e = eval("$eval('1 + 1')", &Bindings::new()).unwrap_err();
        assert_eq!(e.code(), Some("T1006"));
        assert_eq!(eval("$type($eval)", &Bindings::new()), Ok(None));
        let plain = Options {
            dialect: Dialect::Jsonata,
            ..Options::default()
        };
        let expr = Expression::compile_with("$eval('1 + 1')", &plain).unwrap();
        assert_eq!(
            expr.evaluate_input(None, &Bindings::new()),
            Ok(Some(json!(2)))
        );
    }

    #[test]
    fn regular_expressions_as_recorded_on_aws() {
        // tier1_pure/v2.evaluate_jsonata...test_base_jsonata_regular_expressions_*
        let b = Bindings::new();
        assert_eq!(
            eval(r#"$contains("hello$world", /^hello\$/)"#, &b),
            Ok(Some(json!(true)))
        );
        assert_eq!(
            eval(r#"$contains("hello$world", /^hello\ /)"#, &b),
            Ok(Some(json!(false)))
        );
        assert_eq!(
            eval(r#"$contains('hello$world', /^hello\$/)"#, &b),
            Ok(Some(json!(true)))
        );
    }

    #[test]
    fn aws_functions_are_callable_and_usable_as_values() {
        let b = Bindings::new().with_random_seed(1);
        assert_eq!(
            eval("$partition([1,2,3], 2)", &b),
            Ok(Some(json!([[1, 2], [3]])))
        );
        assert_eq!(eval("$range(1, 9, 9)", &b), Ok(Some(json!(1))));
        assert_eq!(
            eval("($h := $hash; $h('input data', 'MD5'))", &b),
            Ok(Some(json!("812f45842bc6d66ee14572ce20db8e86")))
        );
        assert_eq!(
            eval("$map(['1', '[2]'], $parse)", &b),
            Ok(Some(json!([1, [2]])))
        );
        assert_eq!(eval("$random(42)", &b), Ok(Some(json!(0.7275636800328681))));
        let r = eval("$random()", &b).unwrap().unwrap().as_f64().unwrap();
        assert!((0.0..1.0).contains(&r));
        let u = eval("$uuid()", &b).unwrap().unwrap();
        assert_eq!(u.as_str().map(str::len), Some(36));
        assert_eq!(eval("$count($shuffle([1..10]))", &b), Ok(Some(json!(10))));
    }

    #[test]
    fn randomness_comes_only_from_the_seed() {
        let run = |seed| {
            let b = Bindings::new().with_random_seed(seed);
            eval("[$random(), $uuid(), $shuffle([1..20])]", &b).unwrap()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        assert!(eval("$random()", &Bindings::new()).is_err());
        assert!(eval("$uuid()", &Bindings::new()).is_err());
    }

    #[test]
    fn the_clock_is_the_callers() {
        let b = Bindings::new().with_now_millis(1_700_000_000_000);
        assert_eq!(eval("$millis()", &b), Ok(Some(json!(1_700_000_000_000i64))));
        assert_eq!(
            eval("$now()", &b),
            Ok(Some(json!("2023-11-14T22:13:20.000Z")))
        );
        assert_eq!(
            eval("$now('[Y0001]-[M01]-[D01]')", &b),
            Ok(Some(json!("2023-11-14")))
        );
        assert_eq!(
            eval("($f := $millis; $f())", &b),
            Ok(Some(json!(1_700_000_000_000i64)))
        );
        assert!(eval("$now()", &Bindings::new()).is_err());
    }

    #[test]
    fn functions_are_unsupported_results() {
        assert_eq!(
            eval("$fn := function($x){$x}", &Bindings::new()),
            Err(JsonataError::UnsupportedResult)
        );
        assert_eq!(
            eval("{'a': 1, 'f': $uppercase}", &Bindings::new()),
            Ok(Some(json!({"a": 1})))
        );
    }

    #[test]
    fn hostile_expressions_end_with_errors() {
        let quick = Options {
            limits: Limits {
                time_limit: Some(Duration::from_millis(200)),
                ..Limits::default()
            },
            ..Options::default()
        };
        let run = |text: &str| {
            Expression::compile_with(text, &quick)
                .unwrap()
                .evaluate_input(None, &Bindings::new())
                .unwrap_err()
        };
        let e = run("($f := function($n){ $n + $f($n + 1) }; $f(0))");
        assert!(e.is_limit(), "{e:?}");
        let e = run("($f := function($n){ $f($n + 1) }; $f(0))");
        assert!(e.is_limit(), "{e:?}");
        let e = run("($f := function($n){ $n = 0 ? 1 : $f($n - 1) + $f($n - 1) }; $f(60))");
        assert!(e.is_limit(), "{e:?}");
    }

    #[test]
    fn syntax_errors_have_codes_and_positions() {
        let e = Expression::compile("$states.input.(").unwrap_err();
        assert_eq!(e.code(), Some("S0207"));
        assert_eq!(e.position(), Some(15));
        let e = Expression::compile("1 + )").unwrap_err();
        assert_eq!(e.position(), Some(5), "{e:?}");
    }
}

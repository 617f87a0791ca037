//! JSONata templates: JSON values in which every string that starts with `{%` and
//! ends with `%}` is an expression (AWS's rule: no space before `{%` or after `%}`;
//! `" {% x %} "` is a plain string). Keys are never expressions.

use baton_json::{Str, Value};

use crate::adapter::{Needs, Session};
use crate::{Bindings, Expression, JsonataError, Options};

/// A template compiled once: its expressions parsed, its constant parts kept as they
/// are (shared, not copied, on each evaluation).
#[derive(Debug)]
pub struct Template {
    root: Node,
    needs: Needs,
    options: Options,
}

#[derive(Debug)]
enum Node {
    Constant(Value),
    Expression(Box<Expression>),
    Array(Vec<Node>),
    Object(Vec<(Str, Node)>),
}

/// A template expression that failed, with AWS's wording. `field` is the path of the
/// failing value below the template, its keys and indices joined with `/` (empty for
/// the template itself); [`under`](TemplateError::under) puts the state's field name in
/// front, giving AWS's `'Output/result'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The expression gave JSONata's undefined, which JSON cannot hold.
    #[error(
        "The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined)."
    )]
    Undefined {
        /// The expression's text, between `{%` and `%}`, trimmed.
        expression: String,
        /// Where it sits.
        field: String,
    },
    /// The expression gave a function.
    #[error(
        "The JSONata expression '{expression}' specified for the field '{field}' returned an unsupported result type."
    )]
    UnsupportedResult {
        /// The expression's text, between `{%` and `%}`, trimmed.
        expression: String,
        /// Where it sits.
        field: String,
    },
    /// The evaluation failed. AWS writes `. ` before a coded error and `: ` before the
    /// message of a bound, which has no code.
    #[error(
        "The JSONata expression '{expression}' specified for the field '{field}' threw an error during evaluation{}{error}",
        error.aws_separator()
    )]
    Evaluation {
        /// The expression's text, between `{%` and `%}`, trimmed.
        expression: String,
        /// Where it sits.
        field: String,
        /// What went wrong.
        error: JsonataError,
    },
}

impl TemplateError {
    /// The same error with `root` (a state's field name, e.g. `Output`) in front of
    /// its field path.
    pub fn under(mut self, root: &str) -> TemplateError {
        let field = match &mut self {
            TemplateError::Undefined { field, .. }
            | TemplateError::UnsupportedResult { field, .. }
            | TemplateError::Evaluation { field, .. } => field,
        };
        *field = if field.is_empty() {
            root.to_owned()
        } else {
            format!("{root}/{field}")
        };
        self
    }

    /// The path of the failing value, joined with `/`.
    pub fn field(&self) -> &str {
        match self {
            TemplateError::Undefined { field, .. }
            | TemplateError::UnsupportedResult { field, .. }
            | TemplateError::Evaluation { field, .. } => field,
        }
    }

    /// The failing expression's text.
    pub fn expression(&self) -> &str {
        match self {
            TemplateError::Undefined { expression, .. }
            | TemplateError::UnsupportedResult { expression, .. }
            | TemplateError::Evaluation { expression, .. } => expression,
        }
    }
}

/// The expression inside `text` if it is a template string: `{%`, the expression, `%}`.
pub fn expression_text(text: &str) -> Option<&str> {
    if text.len() < 4 {
        return None;
    }
    text.strip_prefix("{%")?.strip_suffix("%}")
}

impl Template {
    /// Compiles the expressions of `value` as Step Functions does, with the default
    /// limits. A syntax error comes with the JSON Pointer of its string (`""` for the
    /// value itself, `/Output/items/0` below it).
    pub fn compile(value: &Value) -> Result<Template, (String, JsonataError)> {
        Template::compile_with(value, &Options::default())
    }

    /// Compiles with the given dialect and limits.
    pub fn compile_with(
        value: &Value,
        options: &Options,
    ) -> Result<Template, (String, JsonataError)> {
        let mut needs = Needs::default();
        let mut pointer = String::new();
        let root = compile_node(value, options, &mut needs, &mut pointer)?;
        Ok(Template {
            root,
            needs,
            options: options.clone(),
        })
    }

    /// `true` when an expression of the template calls `$eval`, which Step Functions
    /// forbids.
    pub fn calls_eval(&self) -> bool {
        self.needs.calls_eval()
    }

    /// The names (without `$`) of the variables the template's expressions mention: the
    /// only ones an evaluation needs bound.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.needs.variable_names()
    }

    /// `true` when an evaluation can read `$states.<member>` (see
    /// [`Expression::reads_states_member`]).
    pub fn reads_states_member(&self, member: &str) -> bool {
        self.needs.reads_member("states", member)
    }

    /// The expression, when the whole template is one `{% expr %}` string.
    pub fn expression(&self) -> Option<&Expression> {
        match &self.root {
            Node::Expression(e) => Some(e),
            _ => None,
        }
    }

    /// `true` when the template holds no expression: it evaluates to itself.
    pub fn is_constant(&self) -> bool {
        matches!(self.root, Node::Constant(_))
    }

    /// Evaluates the template as a state's field, with `$` undefined.
    pub fn evaluate(&self, bindings: &Bindings) -> Result<Value, TemplateError> {
        self.evaluate_input(None, bindings)
    }

    /// Evaluates the template with `$` bound to `input` (undefined when `None`). The
    /// input and variables are converted once for all of the template's expressions.
    pub fn evaluate_input(
        &self,
        input: Option<&Value>,
        bindings: &Bindings,
    ) -> Result<Value, TemplateError> {
        if let Node::Constant(value) = &self.root {
            return Ok(value.clone());
        }
        let mut eval = Eval {
            template: self,
            input,
            bindings,
            session: None,
        };
        let mut path = Vec::new();
        eval.node(&self.root, &mut path)
    }
}

/// Where a value sits below the template: a key or an index.
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// The path of a failing value, its steps joined with `/`.
fn field(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for (i, step) in path.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        match step {
            Step::Key(key) => out.push_str(key),
            Step::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// One evaluation of a template: its expressions evaluated directly where they can
/// be, the others by jsonata-core in one session (set up on the first one).
struct Eval<'a> {
    template: &'a Template,
    input: Option<&'a Value>,
    bindings: &'a Bindings,
    session: Option<Session>,
}

impl Eval<'_> {
    fn expression(&mut self, expression: &Expression) -> Result<Option<Value>, JsonataError> {
        if let Some(Ok(result)) = expression.evaluate_fast(self.bindings) {
            return Ok(result);
        }
        let t = self.template;
        let (input, bindings) = (self.input, self.bindings);
        self.session
            .get_or_insert_with(|| {
                Session::new(
                    &t.needs,
                    input,
                    bindings,
                    &t.options.limits,
                    t.options.dialect,
                )
            })
            .run(expression.compiled())
    }

    fn node<'n>(
        &mut self,
        node: &'n Node,
        path: &mut Vec<Step<'n>>,
    ) -> Result<Value, TemplateError> {
        match node {
            Node::Constant(value) => Ok(value.clone()),
            Node::Expression(expression) => {
                let expression_text = || expression.text().to_owned();
                let field = || field(path);
                match self.expression(expression) {
                    Ok(Some(value)) => Ok(value),
                    Ok(None) => Err(TemplateError::Undefined {
                        expression: expression_text(),
                        field: field(),
                    }),
                    Err(JsonataError::UnsupportedResult) => Err(TemplateError::UnsupportedResult {
                        expression: expression_text(),
                        field: field(),
                    }),
                    Err(error) => Err(TemplateError::Evaluation {
                        expression: expression_text(),
                        field: field(),
                        error,
                    }),
                }
            }
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    let value = self.node(item, path);
                    path.pop();
                    out.push(value?);
                }
                Ok(Value::array(out))
            }
            Node::Object(entries) => {
                let mut out =
                    baton_json::Map::with_capacity_and_hasher(entries.len(), Default::default());
                for (key, item) in entries {
                    path.push(Step::Key(key));
                    let value = self.node(item, path);
                    path.pop();
                    out.insert(key.clone(), value?);
                }
                Ok(Value::object(out))
            }
        }
    }
}

fn push_pointer(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn compile_node(
    value: &Value,
    options: &Options,
    needs: &mut Needs,
    pointer: &mut String,
) -> Result<Node, (String, JsonataError)> {
    let node = match value {
        Value::String(s) => match expression_text(s) {
            Some(text) => {
                let expression = Expression::compile_with(text.trim(), options)
                    .map_err(|e| (pointer.clone(), e))?;
                needs.merge(&expression.compiled().needs);
                Node::Expression(Box::new(expression))
            }
            None => Node::Constant(value.clone()),
        },
        Value::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                push_pointer(pointer, &i.to_string());
                nodes.push(compile_node(item, options, needs, pointer)?);
                pointer.truncate(len);
            }
            if nodes.iter().all(|n| matches!(n, Node::Constant(_))) {
                Node::Constant(value.clone())
            } else {
                Node::Array(nodes)
            }
        }
        Value::Object(map) => {
            let mut nodes = Vec::with_capacity(map.len());
            for (key, item) in map.iter() {
                let len = pointer.len();
                push_pointer(pointer, key);
                nodes.push((key.clone(), compile_node(item, options, needs, pointer)?));
                pointer.truncate(len);
            }
            if nodes.iter().all(|(_, n)| matches!(n, Node::Constant(_))) {
                Node::Constant(value.clone())
            } else {
                Node::Object(nodes)
            }
        }
        other => Node::Constant(other.clone()),
    };
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::States;
    use baton_json::json;

    fn states(input: Value) -> Bindings {
        Bindings::new().with_states(States {
            input,
            context: json!({"State": {"Name": "State0"}}),
            ..States::default()
        })
    }

    #[test]
    fn only_whole_strings_are_expressions() {
        // tier1_pure/v2.outputdecl...BASE_LITERALS: none of these is evaluated.
        let literal = json!({
            "constant_not_jsonata": " {% states.input %} ",
            "constant_varpath_states": "$states.input",
            "constant_jp_input.$": "$",
            "constant_if": "States.Format('Format:{}', 101)",
            "lst": [null, 0, 0.1, true, [], {"constant": 0}, " {% states.input %} "]
        });
        let t = Template::compile(&literal).unwrap();
        assert!(t.is_constant());
        assert_eq!(t.evaluate(&Bindings::new()), Ok(literal));
        assert_eq!(expression_text("{%%}"), Some(""));
        assert_eq!(expression_text("{%}"), None);
    }

    #[test]
    fn evaluates_nested_expressions() {
        // tier1_pure/v2.outputdecl...BASE_EXPR
        let t = Template::compile(&json!({
            "ja_states_context": "{% $states.context %}",
            "ja_states_input": "{% $states.input %}",
            "ja_var_access": "{% $var_input_value %}",
            "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
            "list": ["{% 1 + 1 %}", "x"]
        }))
        .unwrap();
        let input = json!({"input_value": "string literal", "input_values": [1, 2, 3]});
        let b = states(input.clone())
            .with_var("var_input_value", json!("string literal"))
            .with_var("var_constant_1", json!(1));
        assert_eq!(
            t.evaluate(&b),
            Ok(json!({
                "ja_states_context": {"State": {"Name": "State0"}},
                "ja_states_input": input,
                "ja_var_access": "string literal",
                "ja_expr": 7,
                "list": [2, "x"]
            }))
        );
    }

    #[test]
    fn undefined_is_an_error_naming_the_field_as_aws_does() {
        // tier1_pure/v2.assign...test_undefined_reference_BASE_UNDEFINED_OUTPUT_FIELD
        let t = Template::compile(&json!({"result": "{% $doesNotExist %}"})).unwrap();
        let e = t.evaluate(&Bindings::new()).unwrap_err().under("Output");
        assert_eq!(
            e.to_string(),
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."
        );
        let t = Template::compile(&json!({"a": [1, {"b/c": "{% $doesNotExist %}"}]})).unwrap();
        let e = t.evaluate(&Bindings::new()).unwrap_err().under("Output");
        assert_eq!(e.field(), "Output/a/1/b/c");
        // ...BASE_UNDEFINED_OUTPUT
        let t = Template::compile(&json!("{% $doesNotExist %}")).unwrap();
        let e = t.evaluate(&Bindings::new()).unwrap_err().under("Output");
        assert_eq!(
            e.to_string(),
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
        );
    }

    #[test]
    fn evaluation_errors_are_worded_as_aws_does() {
        // tier1_pure/v2.intrinsic_functions...test_math_random_seeded
        let t = Template::compile(&json!({
            "FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"
        }))
        .unwrap();
        let e = t
            .evaluate(&states(json!({"FunctionInput": "fst"})))
            .unwrap_err()
            .under("Output");
        assert_eq!(
            e.to_string(),
            "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
        );
    }

    #[test]
    fn memory_errors_are_worded_as_aws_does() {
        // Measured on AWS with TestState (floci-io/floci#2737): a bound's message has no
        // code and follows a colon.
        let t = Template::compile(&json!({"r": "{% [1..900000] ~> $count() %}"})).unwrap();
        let e = t.evaluate(&Bindings::new()).unwrap_err().under("Output");
        assert_eq!(
            e.to_string(),
            "The JSONata expression '[1..900000] ~> $count()' specified for the field 'Output/r' threw an error during evaluation: Expression evaluation memory limit exceeded: Check for excessive memory usage"
        );
    }

    #[test]
    fn function_results_are_unsupported_as_aws_says() {
        // tier1_pure/v2.scenarios...test_map_state_items_eval_jsonata_fail_function
        let t = Template::compile(&json!("{% $fn := function($x){$x} %}")).unwrap();
        let e = t.evaluate(&Bindings::new()).unwrap_err().under("Items");
        assert_eq!(
            e.to_string(),
            "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type."
        );
    }

    #[test]
    fn syntax_errors_carry_a_pointer() {
        let (pointer, e) = Template::compile(&json!({"a": [1, {"b/c": "{% 1 + %}"}]})).unwrap_err();
        assert_eq!(pointer, "/a/1/b~1c");
        assert_eq!(e.code(), Some("S0207"));
    }

    #[test]
    fn choice_conditions_as_recorded_on_aws() {
        // tier1_pure/v2.scenarios...CHOICE_STATE_AWS_SCENARIO_JSONATA
        let b = states(json!({"type": "Private", "value": 22}));
        let cond = |text: &str| Template::compile(&json!(text)).unwrap().evaluate(&b);
        assert_eq!(
            cond("{% $not($states.input.type = 'Private') %}"),
            Ok(json!(false))
        );
        assert_eq!(cond("{% $states.input.value = 0 %}"), Ok(json!(false)));
        assert_eq!(
            cond("{% $states.input.value >= 20 and $states.input.value < 30 %}"),
            Ok(json!(true))
        );
        // ...ESCAPE_SEQUENCES_JSONATA_COMPARISON_OUTPUT
        let b = states(json!("\""));
        let t = Template::compile(&json!("{% $states.input = '\\\"' %}")).unwrap();
        assert_eq!(t.evaluate(&b), Ok(json!(true)));
    }
}

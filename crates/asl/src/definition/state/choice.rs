//! `Choice`: picks the next state by the first rule that matches its input.

use crate::jsonata::{Expr, JsonataTemplate};
use baton_json::{Map, Str, Value};

use super::StateParser;
use crate::choice::Condition;
use crate::definition::dynamic::jsonata_template;
use crate::definition::fields::{Fields, wrong_type};
use crate::definition::query_language::wrong_language;
use crate::definition::{Payload, QueryLanguage};
use crate::diagnostic::{Diagnostics, Pointer};

/// A Choice state.
#[derive(Debug, Clone)]
pub struct Choice {
    /// `Choices`, tried in order.
    pub choices: Vec<ChoiceRule>,
    /// `Default`: where to go when no rule matches (else `States.NoChoiceMatched`).
    pub default: Option<Str>,
}

/// A top-level Choice rule: a condition and where it leads.
#[derive(Debug, Clone)]
pub struct ChoiceRule {
    /// The test.
    pub condition: RuleCondition,
    /// `Next`.
    pub next: Str,
    /// `Assign`: variables set when this rule is taken.
    pub assign: Option<Payload>,
    /// `Output` (JSONata): the state's output when this rule is taken.
    pub output: Option<JsonataTemplate>,
    /// Where the rule is in the definition.
    pub location: Pointer,
}

/// A rule's test, in the state's query language.
#[derive(Debug, Clone)]
pub enum RuleCondition {
    /// A JSONPath comparison (or And/Or/Not of them).
    JsonPath(Condition),
    /// `Condition`: a JSONata expression that must yield a boolean.
    Jsonata(Expr),
}

/// Fields a top-level rule has besides its test.
const RULE_FIELDS: [&str; 4] = ["Next", "Assign", "Output", "Comment"];

pub(super) fn parse(cx: &mut StateParser<'_, '_>) -> Choice {
    cx.f.require(&["Choices"], cx.d);
    let at = cx.f.at_field("Choices");
    let mut choices = Vec::new();
    if let Some(items) = cx.f.array("Choices", cx.d) {
        if items.is_empty() {
            cx.d.schema(&at, "Value cannot be empty");
        }
        for (i, item) in items.iter().enumerate() {
            if let Some(rule) = parse_rule(item, &at.index(i), cx.ql, cx.d) {
                choices.push(rule);
            }
        }
    }
    let default = cx.f.string("Default", cx.d).map(Str::from);
    Choice { choices, default }
}

fn parse_rule(
    value: &Value,
    at: &Pointer,
    ql: QueryLanguage,
    d: &mut Diagnostics,
) -> Option<ChoiceRule> {
    let mut f = Fields::of(value, at, d)?;
    // Recorded on AWS: `These fields are required: [Next]` at the rule.
    f.require(&["Next"], d);
    let next = f.string("Next", d).map(Str::from);
    f.string("Comment", d);
    let assign_at = f.at_field("Assign");
    let assign = f
        .take("Assign")
        .map(|v| Payload::compile(v, ql, &assign_at, d));
    let output = match f.take("Output") {
        Some(v) if ql == QueryLanguage::Jsonata => {
            JsonataTemplate::compile(v, &f.at_field("Output"), d)
        }
        Some(_) => {
            wrong_language("Output", ql, at, d);
            None
        }
        None => None,
    };
    let condition = match ql {
        QueryLanguage::Jsonata => {
            f.require(&["Condition"], d);
            let cond_at = f.at_field("Condition");
            let condition = match f.take("Condition") {
                Some(Value::String(t)) => jsonata_template(t, "Condition", &cond_at, d),
                // A constant condition (recorded on AWS): `true` or `false` as written.
                Some(Value::Bool(b)) => crate::jsonata::compile_expr(&b.to_string(), &cond_at, d),
                Some(other) => {
                    wrong_type(&cond_at, "string", other, d);
                    None
                }
                None => None,
            };
            f.finish(d);
            RuleCondition::Jsonata(condition?)
        }
        QueryLanguage::JsonPath => {
            if f.has("Condition") {
                wrong_language("Condition", ql, at, d);
            }
            // The comparison itself is parsed by `choice`, from the rule without the
            // fields that only top-level rules have.
            let Value::Object(map) = value else {
                return None;
            };
            let body: Map = map
                .iter()
                .filter(|(k, _)| !RULE_FIELDS.contains(&&***k) && &***k != "Condition")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            f.take_rest();
            f.finish(d);
            RuleCondition::JsonPath(Condition::parse(&Value::object(body), at, d)?)
        }
    };
    Some(ChoiceRule {
        condition,
        next: next?,
        assign,
        output,
        location: at.clone(),
    })
}

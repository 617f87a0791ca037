//! Times compiled expressions and templates: `cargo run --release -p baton-jsonata
//! --example bench`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use baton_json::{Value, json};
use baton_jsonata::{Bindings, Expression, States, Template};

fn time(name: &str, mut f: impl FnMut()) {
    // Warm up, then run for about half a second.
    for _ in 0..100 {
        f();
    }
    let mut runs = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) {
        for _ in 0..100 {
            f();
        }
        runs += 100;
    }
    let per = start.elapsed().as_secs_f64() / runs as f64;
    println!("{name:<58} {:>10.2} µs", per * 1e6);
}

fn states(input: Value) -> Bindings {
    Bindings::new()
        .with_states(States {
            input,
            context: json!({
                "Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:e", "Name": "e"},
                "State": {"Name": "S", "EnteredTime": "2024-01-01T00:00:00Z"}
            }),
            ..States::default()
        })
        .with_var("limit", json!(10))
        .with_random_seed(1)
}

fn main() {
    let small = states(json!({"order": {"id": "o-1", "total": 42, "items": [1, 2, 3]}}));
    let items: Vec<Value> = (0..1000)
        .map(|i| json!({"id": i, "price": i as f64 * 1.5, "tags": ["a", "b"]}))
        .collect();
    let large = states(json!({"items": items}));

    let path = Expression::compile("$states.input.order.id").unwrap();
    time("compile $states.input.order.id", || {
        black_box(Expression::compile(black_box("$states.input.order.id")).unwrap());
    });
    time("evaluate $states.input.order.id (small input)", || {
        black_box(path.evaluate_input(None, &small).unwrap());
    });
    let literal = Expression::compile("1 + 2").unwrap();
    time("evaluate 1 + 2 (no variables)", || {
        black_box(literal.evaluate_input(None, &small).unwrap());
    });
    let cond = Expression::compile(
        "$states.input.order.total > $limit and $exists($states.input.order.id)",
    )
    .unwrap();
    time("evaluate a Choice condition", || {
        black_box(cond.evaluate_input(None, &small).unwrap());
    });
    let aws = Expression::compile("$partition($states.input.order.items, 2)").unwrap();
    time("evaluate $partition(...) (host function)", || {
        black_box(aws.evaluate_input(None, &small).unwrap());
    });
    let uuid = Expression::compile("$uuid()").unwrap();
    time("evaluate $uuid()", || {
        black_box(uuid.evaluate_input(None, &small).unwrap());
    });
    let sum = Expression::compile("$sum($states.input.items.price)").unwrap();
    time("evaluate $sum over 1,000 items (same input again)", || {
        black_box(sum.evaluate_input(None, &large).unwrap());
    });
    let count = Expression::compile("$count($states.input.items)").unwrap();
    time(
        "evaluate $count over 1,000 items (same input again)",
        || {
            black_box(count.evaluate_input(None, &large).unwrap());
        },
    );
    let template = Template::compile(&json!({
        "id": "{% $states.input.order.id %}",
        "total": "{% $states.input.order.total * 2 %}",
        "state": "{% $states.context.State.Name %}",
        "constant": {"a": [1, 2, 3]},
        "items": "{% $states.input.order.items[$ > 1] %}"
    }))
    .unwrap();
    time("evaluate a template of 4 expressions (small input)", || {
        black_box(template.evaluate(&small).unwrap());
    });
}

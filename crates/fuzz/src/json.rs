//! JSON through every codec: `baton-json`'s parser and writer, the runtime's journal and
//! task requests; and state machine definitions.

use baton_asl::definition::{ParseOptions, parse_text};
use baton_engine::Input;
use baton_json::{MAX_DEPTH, Value};
use baton_runtime::{journal, task_request};

/// Bytes as a JSON document. A document that parses is within [`MAX_DEPTH`], writes as
/// text that parses again to an equal document (through `baton-json` and through
/// `serde_json`), and reads back from the journal (as a task's result) and from a task
/// request (as its input) as itself. A document serde_json reads (within its own bound)
/// `baton-json` reads too, as the same document.
pub fn json_codecs(data: &[u8]) {
    let parsed = Value::from_json_slice(data);
    if let Ok(plain) = serde_json::from_slice::<serde_json::Value>(data) {
        let ours = parsed
            .as_ref()
            .unwrap_or_else(|e| panic!("serde_json reads it, baton-json does not: {e}"));
        assert!(
            ours.json_eq(&Value::from(plain)),
            "baton-json and serde_json read different documents"
        );
    }
    let Ok(value) = parsed else {
        return;
    };
    assert!(
        value.depth() <= MAX_DEPTH,
        "a document deeper than the bound"
    );

    let text = value.to_json_string();
    let again = Value::from_json_str(&text).expect("what baton-json writes, it reads");
    assert!(
        again.json_eq(&value),
        "{text} reads back as another document"
    );
    assert_eq!(again.to_json_string(), text, "writing is stable");
    assert_eq!(again.depth(), value.depth());
    let pretty = Value::from_json_str(&value.to_json_pretty()).expect("pretty text reads");
    assert!(pretty.json_eq(&value));

    // Through serde: a document as deep as the bound goes out and comes back.
    let serde_text = serde_json::to_string(&value).expect("serialises");
    let from_serde = Value::from_json_str(&serde_text).expect("what serde writes reads back");
    assert!(from_serde.json_eq(&value));

    // The journal keeps a task's result one level down in its entry.
    let entry = journal::encode(&Input::TaskSucceeded {
        id: 7,
        output: value.clone(),
    });
    match journal::decode(&entry).expect("a journal entry reads back") {
        Input::TaskSucceeded { id, output } => {
            assert_eq!(id, 7);
            assert!(
                output.json_eq(&value),
                "the journal changed a task's result"
            );
        }
        other => panic!("the journal read back another input: {other:?}"),
    }
    // Any text as a journal entry or a task request: read or refused, never a panic.
    let lossy = String::from_utf8_lossy(data);
    if let Ok(input) = journal::decode(&lossy) {
        let written = journal::encode(&input);
        journal::decode(&written).expect("a journal entry written reads back");
    }
    if let Some(request) = task_request::decode(&lossy) {
        let written = task_request::encode(&request);
        let back = task_request::decode(&written).expect("a task request written reads back");
        assert_eq!(task_request::encode(&back), written);
    }
}

/// Bytes as a state machine definition (JSON or YAML): parsed with every problem
/// reported, never a panic; a definition with no error parses the same again from the
/// JSON it is.
pub fn asl_definition(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_text(text, None, ParseOptions::default());
    let first = parsed.diagnostics.aws_message();
    let again = parse_text(text, None, ParseOptions::default());
    assert_eq!(
        again.diagnostics.aws_message(),
        first,
        "parsing is deterministic"
    );
}

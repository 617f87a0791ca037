//! Incremental scanners: bytes in, in chunks of any size; items out as soon as they are
//! whole. A JSON array is split into its elements (strings, escapes and depth tracked),
//! JSON Lines into lines, CSV into records (quoted fields may span lines).

use std::collections::VecDeque;

use baton_json::{MAX_DEPTH, Map, Str, Value};

use super::{MAX_ITEM_BYTES, ReadError};

/// Splits one kind of text into items.
#[derive(Debug)]
pub(crate) enum Splitter {
    /// A JSON array.
    Json(JsonArray),
    /// JSON Lines.
    Lines(Lines),
    /// CSV records made into objects.
    Csv(CsvItems),
}

impl Splitter {
    /// Takes the next bytes; whole items go to `out`.
    pub(crate) fn push(
        &mut self,
        bytes: &[u8],
        out: &mut VecDeque<Value>,
    ) -> Result<(), ReadError> {
        match self {
            Splitter::Json(s) => s.push(bytes, out),
            Splitter::Lines(s) => s.push(bytes, out),
            Splitter::Csv(s) => s.push(bytes, out),
        }
    }

    /// The text has ended: the last item, or why the text was incomplete.
    pub(crate) fn finish(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        match self {
            Splitter::Json(s) => s.finish(),
            Splitter::Lines(s) => s.finish(out),
            Splitter::Csv(s) => s.finish(out),
        }
    }
}

fn parse(bytes: &[u8]) -> Result<Value, ReadError> {
    Value::from_json_slice_within(bytes, MAX_DEPTH)
        .map_err(|e| ReadError::InvalidJson(e.to_string()))
}

fn bounded(len: usize) -> Result<(), ReadError> {
    if len as u64 > MAX_ITEM_BYTES {
        Err(ReadError::ItemTooLarge)
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonState {
    /// Before the `[`.
    Start,
    /// Where an element begins (`]` allowed only right after `[`).
    BeforeElement { may_close: bool },
    /// Inside an element.
    Element,
    /// After the closing `]`: whitespace only.
    End,
}

/// Splits a JSON array into its elements without holding more than one element's text.
#[derive(Debug)]
pub(crate) struct JsonArray {
    state: JsonState,
    depth: usize,
    in_string: bool,
    escape: bool,
    element: Vec<u8>,
}

impl JsonArray {
    pub(crate) fn new() -> JsonArray {
        JsonArray {
            state: JsonState::Start,
            depth: 0,
            in_string: false,
            escape: false,
            element: Vec::new(),
        }
    }

    fn emit(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        let v = parse(&self.element)?;
        self.element.clear();
        out.push_back(v);
        Ok(())
    }

    fn push(&mut self, bytes: &[u8], out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        for &b in bytes {
            match self.state {
                JsonState::Start => match b {
                    b' ' | b'\t' | b'\n' | b'\r' => {}
                    b'[' => self.state = JsonState::BeforeElement { may_close: true },
                    // An object, a scalar (or not JSON at all): nothing to map over.
                    _ => return Err(ReadError::NotIterable),
                },
                JsonState::BeforeElement { may_close } => match b {
                    b' ' | b'\t' | b'\n' | b'\r' => {}
                    b']' if may_close => self.state = JsonState::End,
                    b']' | b',' => {
                        return Err(ReadError::InvalidJson(
                            "a value is missing in the array".into(),
                        ));
                    }
                    _ => {
                        self.state = JsonState::Element;
                        self.depth = 0;
                        self.in_string = false;
                        self.escape = false;
                        self.element_byte(b, out)?;
                    }
                },
                JsonState::Element => self.element_byte(b, out)?,
                JsonState::End => {
                    if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                        return Err(ReadError::InvalidJson("characters follow the array".into()));
                    }
                }
            }
        }
        bounded(self.element.len())
    }

    fn element_byte(&mut self, b: u8, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        if self.in_string {
            self.element.push(b);
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Ok(());
        }
        match b {
            b'"' => {
                self.in_string = true;
                self.element.push(b);
            }
            b'[' | b'{' => {
                self.depth += 1;
                // The element sits one level inside the array.
                if self.depth + 1 > MAX_DEPTH {
                    return Err(ReadError::TooDeep);
                }
                self.element.push(b);
            }
            b']' | b'}' if self.depth == 0 => {
                if b == b'}' {
                    return Err(ReadError::InvalidJson("unbalanced '}'".into()));
                }
                self.emit(out)?;
                self.state = JsonState::End;
            }
            b']' | b'}' => {
                self.depth -= 1;
                self.element.push(b);
            }
            b',' if self.depth == 0 => {
                self.emit(out)?;
                self.state = JsonState::BeforeElement { may_close: false };
            }
            _ => self.element.push(b),
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        match self.state {
            JsonState::End => Ok(()),
            // An empty object: no JSON at all.
            JsonState::Start => Err(ReadError::InvalidJson("the object is empty".into())),
            _ => Err(ReadError::InvalidJson(
                "the array ends before its closing ']'".into(),
            )),
        }
    }
}

/// Splits JSON Lines: one value per line; blank lines skipped.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    line: Vec<u8>,
}

impl Lines {
    fn take_line(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        let text = self.line.trim_ascii();
        if !text.is_empty() {
            out.push_back(parse(text)?);
        }
        self.line.clear();
        Ok(())
    }

    fn push(&mut self, bytes: &[u8], out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..at]);
            bounded(self.line.len())?;
            self.take_line(out)?;
            rest = &rest[at + 1..];
        }
        self.line.extend_from_slice(rest);
        bounded(self.line.len())
    }

    fn finish(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        self.take_line(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Splits CSV into records as Python's `csv` module reads them (AWS's recorded results
/// agree): a quote opens a quoted field only at the field's start, `""` inside one is a
/// quote, line ends (`\n`, `\r\n`, `\r`) inside quotes are kept, text after a closing
/// quote is kept. Empty lines are skipped.
#[derive(Debug)]
pub(crate) struct CsvRecords {
    delimiter: u8,
    state: CsvState,
    field: Vec<u8>,
    record: Vec<String>,
    record_bytes: usize,
}

impl CsvRecords {
    pub(crate) fn new(delimiter: u8) -> CsvRecords {
        CsvRecords {
            delimiter,
            state: CsvState::FieldStart,
            field: Vec::new(),
            record: Vec::new(),
            record_bytes: 0,
        }
    }

    fn end_field(&mut self) -> Result<(), ReadError> {
        self.record_bytes += self.field.len() + 1;
        bounded(self.record_bytes)?;
        self.record
            .push(String::from_utf8_lossy(&self.field).into_owned());
        self.field.clear();
        self.state = CsvState::FieldStart;
        Ok(())
    }

    fn end_record(&mut self, out: &mut Vec<Vec<String>>) {
        out.push(std::mem::take(&mut self.record));
        self.record_bytes = 0;
        self.state = CsvState::FieldStart;
    }

    /// Takes bytes; whole records go to `out`.
    pub(crate) fn push(
        &mut self,
        bytes: &[u8],
        out: &mut Vec<Vec<String>>,
    ) -> Result<(), ReadError> {
        let d = self.delimiter;
        for &b in bytes {
            let newline = b == b'\n' || b == b'\r';
            match self.state {
                CsvState::FieldStart => {
                    if b == b'"' {
                        self.state = CsvState::Quoted;
                    } else if b == d {
                        self.end_field()?;
                    } else if newline {
                        // A line with nothing on it (or the `\n` of a `\r\n`) is no record.
                        if !self.record.is_empty() {
                            self.end_field()?;
                            self.end_record(out);
                        }
                    } else {
                        self.field.push(b);
                        self.state = CsvState::Unquoted;
                    }
                }
                CsvState::Unquoted => {
                    if b == d {
                        self.end_field()?;
                    } else if newline {
                        self.end_field()?;
                        self.end_record(out);
                    } else {
                        self.field.push(b);
                    }
                }
                CsvState::Quoted => {
                    if b == b'"' {
                        self.state = CsvState::QuoteInQuoted;
                    } else {
                        self.field.push(b);
                    }
                }
                CsvState::QuoteInQuoted => {
                    if b == b'"' {
                        self.field.push(b);
                        self.state = CsvState::Quoted;
                    } else if b == d {
                        self.end_field()?;
                    } else if newline {
                        self.end_field()?;
                        self.end_record(out);
                    } else {
                        self.field.push(b);
                        self.state = CsvState::Unquoted;
                    }
                }
            }
        }
        bounded(self.record_bytes + self.field.len())
    }

    /// The text has ended: the last record, if it had no line end.
    pub(crate) fn finish(&mut self, out: &mut Vec<Vec<String>>) -> Result<(), ReadError> {
        if self.state != CsvState::FieldStart || !self.record.is_empty() {
            self.end_field()?;
            self.end_record(out);
        }
        Ok(())
    }
}

/// How CSV records become items.
#[derive(Debug)]
pub(crate) enum Columns {
    /// The first record names the columns.
    FirstRow,
    /// The columns are named.
    Given(Vec<Str>),
}

/// CSV records as objects keyed by the columns' names, every value a string: fields
/// beyond the columns dropped, missing ones `""`.
#[derive(Debug)]
pub(crate) struct CsvItems {
    records: CsvRecords,
    columns: Columns,
    /// The columns' indices in the order their names go into an item.
    order: Vec<usize>,
    sorted: bool,
    batch: Vec<Vec<String>>,
}

impl CsvItems {
    /// `sorted`: keys in sorted order (as Step Functions gives a CSV file's items), else in
    /// the columns' order (an S3 inventory's).
    pub(crate) fn new(
        delimiter: u8,
        columns: Columns,
        sorted: bool,
    ) -> Result<CsvItems, ReadError> {
        let mut items = CsvItems {
            records: CsvRecords::new(delimiter),
            columns: Columns::FirstRow,
            order: Vec::new(),
            sorted,
            batch: Vec::new(),
        };
        if let Columns::Given(names) = columns {
            items.set_columns(names)?;
        }
        Ok(items)
    }

    fn set_columns(&mut self, names: Vec<Str>) -> Result<(), ReadError> {
        let mut seen = std::collections::HashSet::new();
        if !names.iter().all(|n| seen.insert(n.clone())) {
            return Err(ReadError::DuplicateHeaders);
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        if self.sorted {
            // As Java orders strings: by UTF-16 code units.
            order.sort_by(|&a, &b| names[a].encode_utf16().cmp(names[b].encode_utf16()));
        }
        self.order = order;
        self.columns = Columns::Given(names);
        Ok(())
    }

    fn make(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        for record in std::mem::take(&mut self.batch) {
            let Columns::Given(names) = &self.columns else {
                self.set_columns(record.into_iter().map(Str::from).collect())?;
                continue;
            };
            let mut item = Map::default();
            for &i in &self.order {
                let value = record.get(i).map(String::as_str).unwrap_or("");
                item.insert(names[i].clone(), Value::string(value));
            }
            out.push_back(Value::object(item));
        }
        Ok(())
    }

    fn push(&mut self, bytes: &[u8], out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        self.records.push(bytes, &mut self.batch)?;
        self.make(out)
    }

    fn finish(&mut self, out: &mut VecDeque<Value>) -> Result<(), ReadError> {
        self.records.finish(&mut self.batch)?;
        self.make(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` in chunks of `chunk` bytes.
    fn split(mut s: Splitter, text: &str, chunk: usize) -> Result<Vec<Value>, ReadError> {
        let mut out = VecDeque::new();
        for piece in text.as_bytes().chunks(chunk.max(1)) {
            s.push(piece, &mut out)?;
        }
        s.finish(&mut out)?;
        Ok(out.into_iter().collect())
    }

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    fn all_chunkings(s: impl Fn() -> Splitter, text: &str) -> Result<Vec<Value>, ReadError> {
        let whole = split(s(), text, text.len() + 1);
        for n in [1, 2, 3, 5, 7, 16] {
            let parts = split(s(), text, n);
            assert_eq!(
                parts
                    .as_ref()
                    .map(|v| Value::array(v.clone()).to_json_string())
                    .map_err(|e| e.to_string()),
                whole
                    .as_ref()
                    .map(|v| Value::array(v.clone()).to_json_string())
                    .map_err(|e| e.to_string()),
                "chunks of {n}"
            );
        }
        whole
    }

    #[test]
    fn a_json_array_is_split_at_any_chunk_boundary() {
        let text =
            r#" [ {"a": "x,]}\"[{", "b": [1, {"c": null}]}, 2.5e3 , "s\\\"", [[]], true, {} ] "#;
        let items = all_chunkings(|| Splitter::Json(JsonArray::new()), text).unwrap();
        assert_eq!(
            Value::array(items),
            json(r#"[{"a":"x,]}\"[{","b":[1,{"c":null}]},2500.0,"s\\\"",[[]],true,{}]"#)
        );
        assert!(
            all_chunkings(|| Splitter::Json(JsonArray::new()), "[]")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn what_is_not_an_array_is_refused() {
        for text in [r#"{"a": [1]}"#, "1", "\"s\""] {
            assert!(matches!(
                split(Splitter::Json(JsonArray::new()), text, 3),
                Err(ReadError::NotIterable)
            ));
        }
        for text in ["[1,]", "[,1]", "[1 2]", "[1", "[1]x", "[{]", ""] {
            assert!(
                matches!(
                    split(Splitter::Json(JsonArray::new()), text, 2),
                    Err(ReadError::InvalidJson(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn an_item_without_its_end_is_refused_once_it_passes_the_item_bound() {
        // A line that never ends (a binary object read as JSON Lines): refused as soon as
        // it is over the bound, not held whole.
        let mut s = Splitter::Lines(Lines::default());
        let mut out = VecDeque::new();
        let block = vec![b'x'; 1024 * 1024];
        let mut fed = 0u64;
        let refused = loop {
            match s.push(&block, &mut out) {
                Ok(()) => fed += block.len() as u64,
                Err(e) => break e,
            }
            assert!(fed <= MAX_ITEM_BYTES, "still reading after {fed} bytes");
        };
        assert!(matches!(refused, ReadError::ItemTooLarge));
        assert!(refused.to_string().contains(&MAX_ITEM_BYTES.to_string()));
    }

    #[test]
    fn deep_nesting_is_refused_cleanly() {
        let deep = format!("[{}{}]", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(matches!(
            split(Splitter::Json(JsonArray::new()), &deep, 4096),
            Err(ReadError::TooDeep)
        ));
        let ok = format!(
            "[{}{}]",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(
            split(Splitter::Json(JsonArray::new()), &ok, 4096)
                .unwrap()
                .len(),
            1
        );
        // Unbalanced and deep in a JSON Lines line: the parser's bound.
        let line = "[".repeat(MAX_DEPTH + 5);
        assert!(split(Splitter::Lines(Lines::default()), &line, 100).is_err());
    }

    #[test]
    fn json_lines_skip_blank_lines() {
        let text = "{\"a\":1}\r\n\n  \n[2]\n\"x\"";
        let items = all_chunkings(|| Splitter::Lines(Lines::default()), text).unwrap();
        assert_eq!(Value::array(items), json(r#"[{"a":1},[2],"x"]"#));
        assert!(matches!(
            split(Splitter::Lines(Lines::default()), "{\"a\":1}\n{oops}\n", 4),
            Err(ReadError::InvalidJson(_))
        ));
    }

    fn csv(columns: Columns) -> Splitter {
        Splitter::Csv(CsvItems::new(b',', columns, true).unwrap())
    }

    fn given(names: &[&str]) -> Columns {
        Columns::Given(names.iter().map(|n| Str::from(*n)).collect())
    }

    const BODY: &str =
        "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";

    /// AWS's recorded results (the conformance corpus's item reader cases).
    #[test]
    fn recorded_csv_cases() {
        let first_row = format!("Col1,Col2,Col3\n{BODY}");
        let items = all_chunkings(|| csv(Columns::FirstRow), &first_row).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"Col1":"Value1","Col2":"Value2","Col3":"Value3"},{"Col1":"Value4","Col2":"Value5","Col3":"Value6"},{"Col1":"","Col2":"","Col3":""},{"Col1":"true","Col2":"1","Col3":"'HelloWorld'"},{"Col1":"Null","Col2":"None","Col3":""},{"Col1":"   ","Col2":"","Col3":""}]"#
        );
        let items = all_chunkings(|| csv(given(&["H1", "H2", "H3"])), BODY).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"H1":"Value1","H2":"Value2","H3":"Value3"},{"H1":"Value4","H2":"Value5","H3":"Value6"},{"H1":"","H2":"","H3":""},{"H1":"true","H2":"1","H3":"'HelloWorld'"},{"H1":"Null","H2":"None","H3":""},{"H1":"   ","H2":"","H3":""}]"#
        );
        let extra = "H1,\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";
        let items = all_chunkings(|| csv(Columns::FirstRow), extra).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"":"Value5","H1":"Value4"},{"":"","H1":""},{"":"1","H1":"true"},{"":"None","H1":"Null"},{"":"","H1":"   "}]"#
        );
        let items = all_chunkings(|| csv(given(&["H1"])), BODY).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"H1":"Value1"},{"H1":"Value4"},{"H1":""},{"H1":"true"},{"H1":"Null"},{"H1":"   "}]"#
        );
        assert!(matches!(
            CsvItems::new(b',', given(&["H1", "H1", "H3"]), true),
            Err(ReadError::DuplicateHeaders)
        ));
        assert!(matches!(
            split(csv(Columns::FirstRow), "a,b,a\n1,2,3\n", 100),
            Err(ReadError::DuplicateHeaders)
        ));
    }

    #[test]
    fn csv_quotes_line_ends_and_delimiters() {
        let text =
            "a,b\r\n\"x, \"\"quoted\"\"\",\"two\r\nlines\"\r\n\r\n\"\",plain\"q\"\rlast,\"q\"after";
        let items = all_chunkings(|| csv(Columns::FirstRow), text).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"a":"x, \"quoted\"","b":"two\r\nlines"},{"a":"","b":"plain\"q\""},{"a":"last","b":"qafter"}]"#
        );
        for (d, text) in [
            (b'|', "a|b\n1|2"),
            (b';', "a;b\n1;2"),
            (b'\t', "a\tb\n1\t2"),
            (b' ', "a b\n1 2"),
        ] {
            let items = split(
                Splitter::Csv(CsvItems::new(d, Columns::FirstRow, true).unwrap()),
                text,
                1,
            )
            .unwrap();
            assert_eq!(
                Value::array(items).to_json_string(),
                r#"[{"a":"1","b":"2"}]"#
            );
        }
        // An empty file, or a header alone: no items.
        assert!(split(csv(Columns::FirstRow), "", 1).unwrap().is_empty());
        assert!(
            split(csv(Columns::FirstRow), "a,b\n", 1)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn inventory_columns_keep_their_order() {
        let s =
            Splitter::Csv(CsvItems::new(b',', given(&["Bucket", "Key", "Size"]), false).unwrap());
        let items = split(s, "\"b\",\"k/1\",\"3\"\n", 2).unwrap();
        assert_eq!(
            Value::array(items).to_json_string(),
            r#"[{"Bucket":"b","Key":"k/1","Size":"3"}]"#
        );
    }
}

#!/usr/bin/env python3
"""Generate crates/api/src/model.rs and crates/api/src/operations.rs from AWS's model.

The model is botocore's `stepfunctions/2016-11-23/service-2.json`. Give the generator the
model file (`.json` or `.json.gz`) or a botocore wheel; with no argument it reads the model of
the installed `botocore` package:

    pip download botocore --no-deps -d /tmp/bc
    python3 crates/api/tools/generate.py /tmp/bc/botocore-*.whl
    cargo fmt -p baton-api

Python 3 standard library only. The output is checked in: building Baton needs no Python.
"""

import gzip
import hashlib
import html
import importlib.util
import json
import os
import re
import sys
import zipfile

MODEL_PATH = "botocore/data/stepfunctions/2016-11-23/service-2.json"
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")

# Patterns in the model, each with the Rust function in `src/pattern.rs` that implements it.
# A pattern the generator does not know stops it: a person adds its matcher.
PATTERNS = {
    "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$": "character_restricted_name",
    "[!-~]+": "visible_ascii",
    "\\p{ASCII}*": "ascii",
}

# String shapes that hold payloads (execution input and output, task results): their maximum
# length is the server's configured payload limit, measured in UTF-8 bytes as AWS documents.
PAYLOAD_SHAPES = {"SensitiveData"}

# Lists whose items a backend may hand over as JSON text already in AWS's shape.
PASSTHROUGH_LISTS = {"HistoryEventList"}

# The order in which AWS lists an enum's values in a validation message, where it was
# recorded and differs from the model's order.
ENUM_MESSAGE_ORDER = {
    # Recorded from AWS (ListExecutions with statusFilter 'succeeded').
    "ExecutionStatus": ["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"],
}

# Errors of the AWS JSON protocol itself, which the model does not list: name, HTTP status,
# documentation.
PROTOCOL_ERRORS = [
    ("SerializationException", 400, "The request body is not JSON, or a member has the wrong JSON type."),
    ("UnknownOperationException", 400, "The `X-Amz-Target` header names no operation of this service."),
    ("RequestEntityTooLarge", 413, "The request body is larger than the server accepts."),
    ("RequestTimeout", 408, "The request body did not arrive in the time the server allows."),
    ("InternalFailure", 500, "The server failed in a way the client cannot fix."),
    ("NotImplemented", 501, "The server knows the operation but does not implement it yet."),
]

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}


def load(argv):
    if len(argv) > 1:
        path = argv[1]
        if path.endswith(".whl") or path.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                for candidate in (MODEL_PATH, MODEL_PATH + ".gz"):
                    if candidate in names:
                        raw = z.read(candidate)
                        if candidate.endswith(".gz"):
                            raw = gzip.decompress(raw)
                        return raw, os.path.basename(path)
            sys.exit(f"{path} holds no {MODEL_PATH}")
        with open(path, "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
        return raw, os.path.basename(path)
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("usage: generate.py [service-2.json | service-2.json.gz | botocore-*.whl]")
    base = os.path.dirname(list(spec.submodule_search_locations)[0])
    for candidate in (MODEL_PATH, MODEL_PATH + ".gz"):
        full = os.path.join(base, candidate)
        if os.path.exists(full):
            with open(full, "rb") as f:
                raw = f.read()
            if full.endswith(".gz"):
                raw = gzip.decompress(raw)
            return raw, "the installed botocore"
    sys.exit("the installed botocore has no Step Functions model")


# ---------------------------------------------------------------------------------------------
# Names and documentation


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = s.lower()
    return f"r#{s}" if s in RUST_KEYWORDS else s


def camel(name):
    if "_" in name or name.isupper():
        return "".join(p[:1].upper() + p[1:].lower() for p in name.split("_") if p)
    return name[:1].upper() + name[1:]


def doc_text(raw):
    """The first paragraph of the model's HTML documentation, as plain Markdown text."""
    if not raw:
        return ""
    m = re.search(r"<p>(.*?)</p>", raw, re.S)
    text = m.group(1) if m else raw
    text = re.sub(r"<code>(.*?)</code>", lambda c: "`" + re.sub(r"<[^>]+>", "", c.group(1)).strip() + "`", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = re.sub(r"\s+", " ", text).strip()
    # Markdown: keep brackets and angle brackets literal.
    out = []
    in_code = False
    for ch in text:
        if ch == "`":
            in_code = not in_code
            out.append(ch)
        elif not in_code and ch in "[]<>*_\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    if in_code:
        out.append("`")
    return "".join(out)


def doc_lines(text, indent=""):
    words = text.split(" ")
    lines, line = [], ""
    for w in words:
        if line and len(indent) + 4 + len(line) + 1 + len(w) > 96:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return [f"{indent}/// {l}" for l in lines]


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# The model


class Model:
    def __init__(self, model):
        self.model = model
        self.shapes = model["shapes"]
        self.ops = model["operations"]
        self.exceptions = sorted(n for n, s in self.shapes.items() if s.get("exception"))
        self.structures = sorted(
            n for n, s in self.shapes.items() if s["type"] == "structure" and not s.get("exception")
        )
        self.enums = sorted(n for n, s in self.shapes.items() if s["type"] == "string" and "enum" in s)
        # Shapes reachable from inputs and outputs, in a stable order, for the schema table.
        self.schema_order = sorted(n for n, s in self.shapes.items() if not s.get("exception"))
        self.schema_index = {n: i for i, n in enumerate(self.schema_order)}
        for n, s in self.shapes.items():
            if "pattern" in s and s["pattern"] not in PATTERNS:
                sys.exit(f"shape {n}: pattern {s['pattern']!r} has no matcher in PATTERNS")
        self.check_enum_orders()

    def check_enum_orders(self):
        for name, order in ENUM_MESSAGE_ORDER.items():
            if sorted(order) != sorted(self.shapes[name]["enum"]):
                sys.exit(f"ENUM_MESSAGE_ORDER[{name}] no longer lists the model's values")

    def rust_type(self, shape_name):
        s = self.shapes[shape_name]
        t = s["type"]
        if t == "string":
            return shape_name if "enum" in s else "String"
        if t == "boolean":
            return "bool"
        if t == "integer":
            return "i32"
        if t == "long":
            return "i64"
        if t == "float":
            return "f32"
        if t == "double":
            return "f64"
        if t == "timestamp":
            return "Timestamp"
        if t == "blob":
            return "String"  # base64 text on the wire; the model has none today
        if t == "structure":
            return shape_name
        if t == "list":
            inner = self.rust_type(s["member"]["shape"])
            if shape_name in PASSTHROUGH_LISTS:
                inner = f"Passthrough<{inner}>"
            return f"Vec<{inner}>"
        if t == "map":
            return f"IndexMap<String, {self.rust_type(s['value']['shape'])}>"
        sys.exit(f"unknown shape type {t} ({shape_name})")

    def has_default(self, shape_name, seen=()):
        """Whether a Rust `Default` can be derived for the structure."""
        s = self.shapes[shape_name]
        for mname, m in s["members"].items():
            if mname not in s.get("required", []):
                continue
            ms = self.shapes[m["shape"]]
            if ms["type"] == "string" and "enum" in ms:
                return False
            if ms["type"] == "structure" and (m["shape"] in seen or not self.has_default(m["shape"], seen + (shape_name,))):
                return False
        return True


# ---------------------------------------------------------------------------------------------
# model.rs


def gen_model(m, source, digest):
    out = []
    w = out.append
    w(HEADER.format(source=source, digest=digest))
    w("use indexmap::IndexMap;")
    w("use serde::{Deserialize, Serialize};")
    w("")
    w("use crate::passthrough::Passthrough;")
    w("use crate::schema::{Kind, Member, Shape, ShapeId, Shaped};")
    w("use crate::timestamp::Timestamp;")
    w("")

    # Enums: plain Rust enums, no catch-all variant. Requests are validated against the
    # model's value set before they are decoded (an unknown value is AWS's
    # ValidationException), so a backend only ever sees modeled values and matches
    # exhaustively; responses are made by the backend from the same enums.
    w("// ---- Enums " + "-" * 84)
    w("")
    for name in m.enums:
        s = m.shapes[name]
        doc = doc_text(s.get("documentation")) or f"The values of AWS's `{name}`."
        out.extend(doc_lines(doc))
        w("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]")
        w(f"pub enum {name} {{")
        for v in s["enum"]:
            w(f"    /// `{v}`")
            w(f"    #[serde(rename = {rust_str(v)})]")
            w(f"    {camel(v)},")
        w("}")
        w("")
        w(f"impl {name} {{")
        w("    /// Every value, in the model's order.")
        w(f"    pub const VALUES: &'static [{name}] = &[" + ", ".join(f"{name}::{camel(v)}" for v in s["enum"]) + "];")
        w("")
        w("    /// The value as AWS writes it.")
        w("    pub fn as_str(self) -> &'static str {")
        w("        match self {")
        for v in s["enum"]:
            w(f"            {name}::{camel(v)} => {rust_str(v)},")
        w("        }")
        w("    }")
        w("")
        w("    /// The value AWS writes as `s`, if any.")
        w("    pub fn parse(s: &str) -> Option<Self> {")
        w("        match s {")
        for v in s["enum"]:
            w(f"            {rust_str(v)} => Some({name}::{camel(v)}),")
        w("            _ => None,")
        w("        }")
        w("    }")
        w("}")
        w("")
        w(f"impl std::fmt::Display for {name} {{")
        w("    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {")
        w("        f.write_str(self.as_str())")
        w("    }")
        w("}")
        w("")

    # Structures.
    w("// ---- Structures " + "-" * 79)
    w("")
    for name in m.structures:
        s = m.shapes[name]
        required = set(s.get("required", []))
        doc = doc_text(s.get("documentation"))
        if not doc:
            if name.endswith("Input"):
                doc = f"The request of {name[:-5]}."
            elif name.endswith("Output"):
                doc = f"The response of {name[:-6]}."
            else:
                doc = f"AWS's `{name}` structure."
        out.extend(doc_lines(doc))
        derives = "Debug, Clone, PartialEq, Serialize, Deserialize"
        if m.has_default(name):
            derives += ", Default"
        w(f"#[derive({derives})]")
        w(f"pub struct {name} {{")
        for mname, mem in s["members"].items():
            rtype = m.rust_type(mem["shape"])
            mdoc = doc_text(mem.get("documentation")) or doc_text(m.shapes[mem["shape"]].get("documentation"))
            if not mdoc:
                mdoc = f"`{mname}`."
            if mname in required:
                mdoc += " Required."
            out.extend(doc_lines(mdoc, "    "))
            if mname in required:
                w(f"    #[serde(rename = {rust_str(mname)})]")
                w(f"    pub {snake(mname)}: {rtype},")
            else:
                w(f"    #[serde(rename = {rust_str(mname)}, default, skip_serializing_if = \"Option::is_none\")]")
                w(f"    pub {snake(mname)}: Option<{rtype}>,")
        w("}")
        w("")
        w(f"impl {name} {{")
        req = [k for k in s["members"] if k in required]
        w("    /// A value with the required members given and the others absent.")
        args = ", ".join(f"{snake(k)}: {m.rust_type(s['members'][k]['shape'])}" for k in req)
        w(f"    pub fn new({args}) -> Self {{")
        w(f"        {name} {{")
        for k in s["members"]:
            w(f"            {snake(k)}{'' if k in required else ': None'},")
        w("        }")
        w("    }")
        w("}")
        w("")
        w(f"impl Shaped for {name} {{")
        w(f"    const SHAPE: ShapeId = ShapeId({m.schema_index[name]});")
        w("}")
        w("")

    # Schema.
    w("// ---- Schema " + "-" * 83)
    w("")
    w("/// Every shape of the model with its constraints, indexed by [`ShapeId`].")
    w("pub static SHAPES: &[Shape] = &[")
    for name in m.schema_order:
        s = m.shapes[name]
        w(f"    // {m.schema_index[name]}")
        w("    Shape {")
        w(f"        name: {rust_str(name)},")
        w(f"        sensitive: {'true' if s.get('sensitive') else 'false'},")
        w(f"        kind: {schema_kind(m, name, s)},")
        w("    },")
    w("];")
    w("")

    # Errors.
    w("// ---- Errors " + "-" * 83)
    w("")
    w("/// The name of an error response (`__type`): every exception in the model, then the")
    w("/// errors of the AWS JSON protocol itself.")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]")
    w("pub enum ErrorCode {")
    for name in m.exceptions:
        doc = doc_text(m.shapes[name].get("documentation")) or f"`{name}`."
        out.extend(doc_lines(doc, "    "))
        w(f"    {name},")
    for name, _, doc in PROTOCOL_ERRORS:
        out.extend(doc_lines(doc + " (Not in the model: an error of the protocol.)", "    "))
        w(f"    {name},")
    w("}")
    w("")
    w("impl ErrorCode {")
    w("    /// Every code: the model's exceptions, then the protocol's errors.")
    all_codes = m.exceptions + [p[0] for p in PROTOCOL_ERRORS]
    w("    pub const ALL: &'static [ErrorCode] = &[" + ", ".join(f"ErrorCode::{c}" for c in all_codes) + "];")
    w("")
    w("    /// The name as it appears in `__type`.")
    w("    pub fn name(self) -> &'static str {")
    w("        match self {")
    for c in all_codes:
        w(f"            ErrorCode::{c} => {rust_str(c)},")
    w("        }")
    w("    }")
    w("")
    w("    /// The HTTP status AWS answers with. The model's exceptions carry no `error` trait:")
    w("    /// they are client errors, 400.")
    w("    pub fn status(self) -> u16 {")
    w("        match self {")
    for name, status, _ in PROTOCOL_ERRORS:
        w(f"            ErrorCode::{name} => {status},")
    w("            _ => 400,")
    w("        }")
    w("    }")
    w("")
    w("    /// Whether the model lists this exception (rather than the protocol).")
    w("    pub fn is_modeled(self) -> bool {")
    w("        !matches!(self, " + " | ".join(f"ErrorCode::{p[0]}" for p in PROTOCOL_ERRORS) + ")")
    w("    }")
    w("")
    w("    /// The code named `name`, if any.")
    w("    pub fn parse(name: &str) -> Option<Self> {")
    w("        ErrorCode::ALL.iter().copied().find(|c| c.name() == name)")
    w("    }")
    w("}")
    w("")
    w("impl std::fmt::Display for ErrorCode {")
    w("    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {")
    w("        f.write_str(self.name())")
    w("    }")
    w("}")
    return "\n".join(out) + "\n"


def opt(v, conv=str):
    return "None" if v is None else f"Some({conv(v)})"


def float_lit(v):
    f = float(v)
    return repr(f) if "." in repr(f) or "e" in repr(f) else f"{f}.0"


def schema_kind(m, name, s):
    t = s["type"]
    if t == "string":
        pattern = s.get("pattern")
        pat = "None" if pattern is None else f"Some(crate::pattern::Pattern {{ source: {rust_str(pattern)}, matches: crate::pattern::{PATTERNS[pattern]} }})"
        values = s.get("enum", [])
        order = ENUM_MESSAGE_ORDER.get(name, values)
        return (
            "Kind::String { "
            f"min: {opt(s.get('min'))}, max: {opt(s.get('max'))}, pattern: {pat}, "
            f"values: &[{', '.join(rust_str(v) for v in values)}], "
            f"message_order: &[{', '.join(rust_str(v) for v in order)}], "
            f"payload: {'true' if name in PAYLOAD_SHAPES else 'false'} }}"
        )
    if t == "boolean":
        return "Kind::Boolean"
    if t in ("integer", "long"):
        variant = "Integer" if t == "integer" else "Long"
        return f"Kind::{variant} {{ min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"
    if t in ("float", "double"):
        variant = "Float" if t == "float" else "Double"
        return f"Kind::{variant} {{ min: {opt(s.get('min'), float_lit)}, max: {opt(s.get('max'), float_lit)} }}"
    if t == "timestamp":
        return "Kind::Timestamp"
    if t == "blob":
        return "Kind::Blob"
    if t == "structure":
        required = set(s.get("required", []))
        members = ", ".join(
            f"Member {{ name: {rust_str(k)}, shape: ShapeId({m.schema_index[v['shape']]}), required: {'true' if k in required else 'false'} }}"
            for k, v in s["members"].items()
        )
        return f"Kind::Structure {{ members: &[{members}] }}"
    if t == "list":
        return (
            f"Kind::List {{ member: ShapeId({m.schema_index[s['member']['shape']]}), "
            f"min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"
        )
    if t == "map":
        return (
            f"Kind::Map {{ key: ShapeId({m.schema_index[s['key']['shape']]}), "
            f"value: ShapeId({m.schema_index[s['value']['shape']]}), "
            f"min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"
        )
    sys.exit(f"unknown shape type {t}")


# ---------------------------------------------------------------------------------------------
# operations.rs


def gen_operations(m, source, digest):
    out = []
    w = out.append
    ops = sorted(m.ops)
    w(HEADER.format(source=source, digest=digest))
    w("use std::future::Future;")
    w("")
    w("use crate::context::RequestContext;")
    w("use crate::error::ApiError;")
    w("use crate::model::*;")
    w("use crate::schema::{ShapeId, Shaped};")
    w("")
    w("/// One action of the Step Functions API.")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]")
    w("pub enum Operation {")
    for name in ops:
        out.extend(doc_lines(doc_text(m.ops[name].get("documentation")) or f"`{name}`.", "    "))
        w(f"    {name},")
    w("}")
    w("")
    w("impl Operation {")
    w(f"    /// Every operation, by name ({len(ops)}).")
    w("    pub const ALL: &'static [Operation] = &[" + ", ".join(f"Operation::{n}" for n in ops) + "];")
    w("")
    w("    /// The name as it appears after `AWSStepFunctions.` in `X-Amz-Target`.")
    w("    pub fn name(self) -> &'static str {")
    w("        match self {")
    for n in ops:
        w(f"            Operation::{n} => {rust_str(n)},")
    w("        }")
    w("    }")
    w("")
    w("    /// The operation called `name`, if any.")
    w("    pub fn parse(name: &str) -> Option<Self> {")
    w("        match name {")
    for n in ops:
        w(f"            {rust_str(n)} => Some(Operation::{n}),")
    w("            _ => None,")
    w("        }")
    w("    }")
    w("")
    w("    /// The name of the input shape.")
    w("    pub fn input_type(self) -> &'static str {")
    w("        match self {")
    for n in ops:
        w(f"            Operation::{n} => {rust_str(m.ops[n]['input']['shape'])},")
    w("        }")
    w("    }")
    w("")
    w("    /// The name of the output shape.")
    w("    pub fn output_type(self) -> &'static str {")
    w("        match self {")
    for n in ops:
        w(f"            Operation::{n} => {rust_str(m.ops[n]['output']['shape'])},")
    w("        }")
    w("    }")
    w("")
    w("    /// The input shape, for validation.")
    w("    pub fn input_shape(self) -> ShapeId {")
    w("        match self {")
    for n in ops:
        w(f"            Operation::{n} => <{m.ops[n]['input']['shape']} as Shaped>::SHAPE,")
    w("        }")
    w("    }")
    w("")
    w("    /// The errors the model lists for this operation.")
    w("    pub fn errors(self) -> &'static [ErrorCode] {")
    w("        match self {")
    for n in ops:
        errs = ", ".join(f"ErrorCode::{e['shape']}" for e in m.ops[n].get("errors", []))
        w(f"            Operation::{n} => &[{errs}],")
    w("        }")
    w("    }")
    w("")
    w("    /// The host prefix the model gives the operation's endpoint (`sync-` for")
    w("    /// StartSyncExecution), if any.")
    w("    pub fn host_prefix(self) -> Option<&'static str> {")
    w("        match self {")
    for n in ops:
        hp = m.ops[n].get("endpoint", {}).get("hostPrefix")
        if hp:
            w(f"            Operation::{n} => Some({rust_str(hp)}),")
    w("            _ => None,")
    w("        }")
    w("    }")
    w("}")
    w("")
    w("impl std::fmt::Display for Operation {")
    w("    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {")
    w("        f.write_str(self.name())")
    w("    }")
    w("}")
    w("")

    # Backend trait.
    w("/// The service behind the API: one method per action, each taking the validated request")
    w("/// and the request's context and returning the response or an AWS error.")
    w("///")
    w("/// Every method has a default that answers [`ErrorCode::NotImplemented`], so a backend")
    w("/// implements the actions it supports and grows one action at a time. Implement the")
    w("/// methods with `async fn`; the futures must be `Send`.")
    w("///")
    w("/// The router is generic over the backend rather than holding a `dyn Backend`: the")
    w("/// methods are plain `async fn`s with no boxing, and a server has one backend type.")
    w("pub trait Backend: Send + Sync + 'static {")
    for i, n in enumerate(ops):
        op = m.ops[n]
        if i:
            w("")
        out.extend(doc_lines(f"`{n}`: " + (doc_text(op.get("documentation")) or "."), "    "))
        errs = ", ".join(f"`{e['shape']}`" for e in op.get("errors", []))
        if errs:
            w("    ///")
            out.extend(doc_lines(f"Errors the model lists: {errs}.", "    "))
        w("    fn " + snake(n) + "(")
        w("        &self,")
        w("        ctx: RequestContext,")
        w(f"        input: {op['input']['shape']},")
        w(f"    ) -> impl Future<Output = Result<{op['output']['shape']}, ApiError>> + Send {{")
        w("        let _ = (ctx, input);")
        w(f"        async {{ Err(ApiError::not_implemented(Operation::{n})) }}")
        w("    }")
    w("}")
    w("")

    # Dispatch.
    w("/// Decodes the request body for `op`, calls the backend and encodes its response.")
    w("pub(crate) async fn dispatch<B: Backend>(")
    w("    backend: &B,")
    w("    op: Operation,")
    w("    ctx: RequestContext,")
    w("    body: serde_json::Value,")
    w(") -> Result<Vec<u8>, ApiError> {")
    w("    let limits = ctx.limits();")
    w("    match op {")
    for n in ops:
        op = m.ops[n]
        w(f"        Operation::{n} => {{")
        w(f"            let input: {op['input']['shape']} = crate::decode::decode(body, &limits)?;")
        w(f"            crate::decode::encode(&backend.{snake(n)}(ctx, input).await?)")
        w("        }")
    w("    }")
    w("}")
    return "\n".join(out) + "\n"


HEADER = """\
// @generated by crates/api/tools/generate.py from AWS's Step Functions model
// (botocore `stepfunctions/2016-11-23/service-2.json`, from {source}, sha256 {digest}).
// Do not edit: change the generator and run
//     python3 crates/api/tools/generate.py <botocore wheel | service-2.json[.gz]>
//     cargo fmt -p baton-api
//! Generated from AWS's model: see the header above.
#![allow(clippy::all)]
"""


def main(argv):
    raw, source = load(argv)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    model = Model(json.loads(raw))
    meta = model.model["metadata"]
    assert meta["protocol"] == "json" and meta["jsonVersion"] == "1.0", meta
    assert meta["targetPrefix"] == "AWSStepFunctions", meta
    with open(os.path.join(SRC, "model.rs"), "w") as f:
        f.write(gen_model(model, source, digest))
    with open(os.path.join(SRC, "operations.rs"), "w") as f:
        f.write(gen_operations(model, source, digest))
    print(
        f"{len(model.ops)} operations, {len(model.structures)} structures, {len(model.enums)} enums, "
        f"{len(model.exceptions)} exceptions, {len(model.schema_order)} shapes in the schema"
    )


if __name__ == "__main__":
    main(sys.argv)

//! A distributed Map's dataset: its items read by an `ItemReader`, grouped by an
//! `ItemBatcher`, and its children's results written by a `ResultWriter`.
//!
//! Reading and writing are IO: the engine asks for them as task calls whose
//! [`ResourceUse`] is `ItemReader` or `ResultWriter` (no Task events in the history; the
//! Map Run's events frame them), and carries on when the outcome comes back as
//! `TaskSucceeded` / `TaskFailed`. Items are read a page at a time while children run
//! (`request_items`), results written a part at a time as children end
//! (`request_write`), so that a Map Run holds neither all its items nor all its results.
//! Batching is pure and happens here, as the pages come in.

use std::collections::BTreeMap;

use baton_asl::definition::state::{ItemBatcher, ItemReader, Map, MapCount, ResultWriter};
use baton_asl::definition::{Payload, Resource, ResourceUse, State};
use baton_asl::error_name::{ITEM_READER_FAILED, RESULT_WRITER_FAILED};
use baton_json::{Map as JsonMap, Str, Value};

use crate::dataflow::evaluate;
use crate::effect::{Effect, TaskRequest, WorkId};
use crate::error::Failure;
use crate::execution::{Execution, FrameId, Sink, Work};
use crate::jsonata::{self, EvalFailure, StatesVars};
use crate::time::Millis;

/// AWS's largest `MaxItems`: a larger one reads at most this many.
pub(crate) const MAX_ITEMS: u64 = 100_000_000;

/// A batch's size in bytes when `MaxInputBytesPerBatch` is not given (AWS's payload
/// limit, the most a child's input may be).
const DEFAULT_BATCH_BYTES: u64 = 262_144;

/// Why a Map's dataset could not be set up: a failure, or a JSONata evaluation error.
pub(crate) enum SetupError {
    Fail(Failure),
    Eval(EvalFailure),
}

impl From<Failure> for SetupError {
    fn from(f: Failure) -> SetupError {
        SetupError::Fail(f)
    }
}

impl From<EvalFailure> for SetupError {
    fn from(e: EvalFailure) -> SetupError {
        SetupError::Eval(e)
    }
}

/// What a Map Run reads, batches and writes, evaluated when the state starts.
#[derive(Debug, Default)]
pub(crate) struct Dataset {
    /// The reader's call, made for each page from the Map Run's start on.
    pub(crate) read: Option<ReadCall>,
    /// The reader's call in flight.
    pub(crate) reading: Option<WorkId>,
    /// How items are grouped.
    pub(crate) batcher: Option<Batcher>,
    /// Where each batch starts among the items (one entry per child); empty without a
    /// batcher.
    pub(crate) batches: Vec<u32>,
    /// The last batch so far: its items and bytes.
    open: (u64, u64),
    /// The writer's resource and its bucket and prefix, evaluated; `None` without a
    /// writer resource.
    pub(crate) write: Option<(Resource, Value)>,
    /// The writer's call in flight.
    pub(crate) writing: Option<WorkId>,
    /// What the writer answered (`ResultWriterDetails`).
    pub(crate) written: Option<Value>,
    /// `WriterConfig.Transformation`.
    pub(crate) transformation: Option<String>,
    /// `WriterConfig` as written (for the writer).
    pub(crate) writer_config: Option<Value>,
    /// The records of children running or ended and not written yet, by slot, when the
    /// results are written or shown with their metadata.
    pub(crate) records: Option<BTreeMap<u32, ChildRecord>>,
    /// Records ended and not written yet.
    pub(crate) ended: usize,
    /// The result files written so far, by category (`{"SUCCEEDED": [...], ...}`).
    pub(crate) files: Value,
    /// The writer's last call (which writes the manifest) went out.
    pub(crate) final_write: bool,
}

/// Records written out at a time while a Map Run runs, so that its results never pile up
/// in memory.
pub(crate) const PART_RECORDS: usize = 1000;

/// The evaluated reader call.
#[derive(Debug)]
pub(crate) struct ReadCall {
    resource: Resource,
    input: Value,
    /// A failure to report once the Map Run has started (AWS checks MaxItems there).
    failure: Option<Failure>,
}

/// `ItemBatcher`, evaluated.
#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    max_items: u64,
    max_bytes: u64,
    batch_input: Option<Value>,
}

/// One child of a Map Run, as a ResultWriter reports it.
#[derive(Debug, Clone)]
pub(crate) struct ChildRecord {
    input: Value,
    started: Millis,
    stopped: Option<Millis>,
    outcome: Option<Result<Value, Failure>>,
    aborted: bool,
}

/// Items asked of a reader at a time.
pub(crate) const PAGE_ITEMS: u64 = 1000;

impl Dataset {
    /// The number of children that can start with `items` items known; `complete` once
    /// they are all known (the last batch may still grow until then).
    pub(crate) fn children(&self, items: usize, complete: bool) -> usize {
        if self.batcher.is_none() {
            items
        } else if complete {
            self.batches.len()
        } else {
            self.batches.len().saturating_sub(1)
        }
    }

    /// Groups `items`, which follow the `first` items already grouped, into batches
    /// (with a batcher).
    pub(crate) fn batch_more<'a>(&mut self, first: usize, items: impl Iterator<Item = &'a Value>) {
        let Some(b) = &self.batcher else {
            return;
        };
        let extra = b.batch_input.as_ref().map_or(0, Value::encoded_len);
        let (mut count, mut bytes) = self.open;
        for (i, item) in (first..).zip(items) {
            let size = item.encoded_len() + 1;
            if count == 0 || count >= b.max_items || bytes + size > b.max_bytes {
                self.batches.push(u32::try_from(i).unwrap_or(u32::MAX));
                count = 0;
                bytes = extra;
            }
            count += 1;
            bytes += size;
        }
        self.open = (count, bytes);
    }

    /// Groups `items` into batches, from the start.
    #[cfg(test)]
    pub(crate) fn batch(&mut self, items: &[Value]) {
        self.batches.clear();
        self.open = (0, 0);
        self.batch_more(0, items.iter());
    }

    /// The items of child `slot`: its index range among the items.
    pub(crate) fn range(&self, slot: usize, items: usize) -> (usize, usize) {
        if self.batcher.is_none() {
            return (slot, slot + 1);
        }
        let start = self.batches.get(slot).map_or(items, |&s| s as usize);
        let end = self.batches.get(slot + 1).map_or(items, |&s| s as usize);
        (start, end)
    }

    /// The input of a batch child: `{"BatchInput": ..., "Items": [...]}`.
    pub(crate) fn batch_input(&self, items: Vec<Value>) -> Value {
        let mut m = JsonMap::default();
        if let Some(b) = self.batcher.as_ref().and_then(|b| b.batch_input.clone()) {
            m.insert("BatchInput".into(), b);
        }
        m.insert("Items".into(), Value::array(items));
        Value::object(m)
    }

    /// Notes that child `slot` started with `input`.
    pub(crate) fn child_started(&mut self, slot: usize, input: &Value, now: Millis) {
        if let Some(r) = &mut self.records {
            r.insert(
                u32::try_from(slot).unwrap_or(u32::MAX),
                ChildRecord {
                    input: input.clone(),
                    started: now,
                    stopped: None,
                    outcome: None,
                    aborted: false,
                },
            );
        }
    }

    /// Takes the records of the children that ended, for the writer.
    fn take_ended(&mut self) -> Vec<(u32, ChildRecord)> {
        let Some(records) = &mut self.records else {
            return Vec::new();
        };
        let ended: Vec<u32> = records
            .iter()
            .filter(|(_, r)| r.stopped.is_some())
            .map(|(&slot, _)| slot)
            .collect();
        self.ended = 0;
        ended
            .into_iter()
            .filter_map(|slot| records.remove(&slot).map(|r| (slot, r)))
            .collect()
    }

    /// Notes how child `slot` ended.
    pub(crate) fn child_ended(
        &mut self,
        slot: usize,
        outcome: Option<Result<Value, Failure>>,
        now: Millis,
    ) {
        let slot = u32::try_from(slot).unwrap_or(u32::MAX);
        if let Some(r) = self.records.as_mut().and_then(|r| r.get_mut(&slot))
            && r.stopped.is_none()
        {
            r.stopped = Some(now);
            r.aborted = outcome.is_none();
            r.outcome = outcome;
            self.ended += 1;
        }
    }
}

impl Execution {
    /// Evaluates a distributed Map's reader, batcher and writer when the state starts.
    pub(crate) fn dataset(
        &mut self,
        fid: FrameId,
        state: &State,
        map: &Map,
        effective: &Value,
    ) -> Result<Dataset, SetupError> {
        let mut d = Dataset::default();
        if let Some(reader) = &map.item_reader {
            d.read = Some(self.read_call(fid, state, reader, effective)?);
        }
        if let Some(batcher) = &map.item_batcher {
            d.batcher = Some(self.batcher(fid, state, batcher, effective)?);
        }
        if let Some(writer) = &map.result_writer {
            self.writer(fid, state, writer, effective, &mut d)?;
        }
        Ok(d)
    }

    fn read_call(
        &mut self,
        fid: FrameId,
        state: &State,
        reader: &ItemReader,
        effective: &Value,
    ) -> Result<ReadCall, SetupError> {
        let arguments = self.dataset_arguments(
            fid,
            state,
            reader.parameters.as_ref(),
            effective,
            "Arguments",
        )?;
        let mut failure = None;
        let max_items = match &reader.config.max_items {
            None => 0,
            Some(c) => match self.dataset_count(fid, state, c, effective, "MaxItems")? {
                Some(n) if n >= 0 => (n as u64).min(MAX_ITEMS),
                _ => {
                    failure = Some(Failure::new(
                        ITEM_READER_FAILED,
                        "field MaxItems must be positive",
                    ));
                    0
                }
            },
        };
        let mut config = reader.config.raw.clone();
        if let Some(m) = config.as_object_mut() {
            m.shift_remove("MaxItems");
            m.shift_remove("MaxItemsPath");
        }
        let mut input = JsonMap::default();
        input.insert("Arguments".into(), arguments);
        input.insert("ReaderConfig".into(), config);
        if max_items > 0 {
            input.insert("MaxItems".into(), max_items.into());
        }
        Ok(ReadCall {
            resource: resource_of(&reader.resource),
            input: Value::object(input),
            failure,
        })
    }

    fn batcher(
        &mut self,
        fid: FrameId,
        state: &State,
        batcher: &ItemBatcher,
        effective: &Value,
    ) -> Result<Batcher, SetupError> {
        let positive = |this: &mut Self, c: &Option<MapCount>, field: &str| match c {
            None => Ok(None),
            Some(c) => match this.dataset_count(fid, state, c, effective, field)? {
                Some(n) if n > 0 => Ok(Some(n as u64)),
                _ => {
                    let (_, at, _) = this.state_env(fid, state);
                    Err(SetupError::Fail(
                        at.runtime(format!("field {field} must be positive")),
                    ))
                }
            },
        };
        let max_items = positive(self, &batcher.max_items_per_batch, "MaxItemsPerBatch")?;
        let max_bytes = positive(
            self,
            &batcher.max_input_bytes_per_batch,
            "MaxInputBytesPerBatch",
        )?;
        let batch_input = match &batcher.batch_input {
            None => None,
            Some(p) => Some(self.dataset_payload(fid, state, p, effective, "BatchInput")?),
        };
        Ok(Batcher {
            max_items: max_items.unwrap_or(u64::MAX),
            max_bytes: max_bytes.unwrap_or(DEFAULT_BATCH_BYTES),
            batch_input,
        })
    }

    fn writer(
        &mut self,
        fid: FrameId,
        state: &State,
        writer: &ResultWriter,
        effective: &Value,
        d: &mut Dataset,
    ) -> Result<(), SetupError> {
        d.transformation = writer.transformation.clone();
        if writer.output_type.is_some() || writer.transformation.is_some() {
            let mut c = JsonMap::default();
            if let Some(t) = &writer.output_type {
                c.insert("OutputType".into(), Value::from(t.as_str()));
            }
            if let Some(t) = &writer.transformation {
                c.insert("Transformation".into(), Value::from(t.as_str()));
            }
            d.writer_config = Some(Value::object(c));
        }
        if let Some(resource) = &writer.resource {
            let arguments = self.dataset_arguments(
                fid,
                state,
                writer.parameters.as_ref(),
                effective,
                "Arguments",
            )?;
            d.write = Some((resource_of(resource), arguments));
        }
        if d.write.is_some() || writer.transformation.as_deref() == Some("NONE") {
            d.records = Some(BTreeMap::new());
        }
        Ok(())
    }

    /// A reader's or writer's `Parameters` (JSONPath) / `Arguments` (JSONata).
    fn dataset_arguments(
        &mut self,
        fid: FrameId,
        state: &State,
        payload: Option<&Payload>,
        effective: &Value,
        field: &str,
    ) -> Result<Value, SetupError> {
        match payload {
            None => Ok(Value::object(JsonMap::default())),
            Some(p) => self.dataset_payload(fid, state, p, effective, field),
        }
    }

    fn dataset_payload(
        &mut self,
        fid: FrameId,
        state: &State,
        payload: &Payload,
        effective: &Value,
        field: &str,
    ) -> Result<Value, SetupError> {
        let (_, at, mut scope) = self.state_env(fid, state);
        match payload {
            Payload::Jsonata(t) => {
                let states = StatesVars::input(effective.clone());
                Ok(jsonata::template(t, field, &mut scope, &states, at)?)
            }
            p => Ok(evaluate(p, effective, &mut scope, at)?),
        }
    }

    /// A count field (fixed, `...Path` or JSONata): `None` when it is not an integer.
    fn dataset_count(
        &mut self,
        fid: FrameId,
        state: &State,
        count: &MapCount,
        effective: &Value,
        field: &str,
    ) -> Result<Option<i64>, SetupError> {
        let (_, at, mut scope) = self.state_env(fid, state);
        let v = match count {
            MapCount::Fixed(n) => return Ok(Some(i64::try_from(*n).unwrap_or(i64::MAX))),
            MapCount::Path(p) => p
                .eval(effective, &scope)
                .map_err(|e| at.runtime(e.invalid_path_cause(p.as_str())))?,
            MapCount::Jsonata(e) => {
                let states = StatesVars::input(effective.clone());
                jsonata::expr(e, field, &mut scope, &states, at)?
            }
        };
        Ok(match &v {
            Value::Number(n) => n.as_i64().or_else(|| {
                Some(n.as_f64())
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// Asks for the next page of the Map Run's items (the first after MapRunStarted); a
    /// failure found while setting up (a negative MaxItems) fails the Map Run instead.
    pub(crate) fn request_items(
        &mut self,
        fid: FrameId,
        state: &State,
        sink: &mut impl Sink,
    ) -> Option<Failure> {
        let m = self.children_mut(fid)?.map.as_mut()?;
        let start = m.items.received() as u64;
        let stream = m.map_run_arn.clone().unwrap_or_default();
        let read = m.dataset.read.as_mut()?;
        if let Some(f) = read.failure.take() {
            return Some(f);
        }
        let resource = read.resource.clone();
        let mut input = read.input.clone();
        if let Some(o) = input.as_object_mut() {
            let mut page = JsonMap::default();
            page.insert("Stream".into(), Value::String(stream));
            page.insert("Start".into(), start.into());
            page.insert("Count".into(), PAGE_ITEMS.into());
            o.insert("Page".into(), Value::object(page));
        }
        let id = self.dataset_call(fid, state, resource, ResourceUse::ItemReader, input, sink);
        if let Some(m) = self.children_mut(fid).and_then(|c| c.map.as_mut()) {
            m.dataset.reading = Some(id);
        }
        None
    }

    /// Asks for a reader's or writer's call for frame `fid`'s Map; its outcome comes back
    /// to [`Execution::map_data_done`].
    fn dataset_call(
        &mut self,
        fid: FrameId,
        state: &State,
        resource: Resource,
        purpose: ResourceUse,
        input: Value,
        sink: &mut impl Sink,
    ) -> WorkId {
        let id = self.new_work(Work::MapData(fid));
        sink.effect(Effect::RunTask(TaskRequest {
            id,
            resource,
            purpose,
            input,
            token: None,
            state_name: state.name.clone(),
            timeout_seconds: None,
            heartbeat_seconds: None,
            credentials: None,
        }));
        id
    }

    /// Asks for the results to be written: the records of the children that ended so far
    /// (a part) when `last` is false and they are [`PART_RECORDS`] or more, else, when
    /// `last`, the rest and the manifest. `false` when nothing was asked for (no writer
    /// resource, a write in flight, too few records, or the last write already out).
    pub(crate) fn request_write(
        &mut self,
        fid: FrameId,
        state: &State,
        last: bool,
        sink: &mut impl Sink,
    ) -> bool {
        let Some(m) = self.children_mut(fid).and_then(|c| c.map.as_mut()) else {
            return false;
        };
        let d = &mut m.dataset;
        let Some((resource, arguments)) = d.write.clone() else {
            return false;
        };
        if d.writing.is_some() || d.final_write || (!last && d.ended < PART_RECORDS) {
            return false;
        }
        d.final_write = last;
        let arn = m.map_run_arn.clone().unwrap_or_default();
        let machine = child_machine_arn(&arn);
        let list: Vec<Value> = m
            .dataset
            .take_ended()
            .into_iter()
            .map(|(slot, r)| record_json(&arn, &machine, slot as usize, Some(r)))
            .collect();
        let d = &m.dataset;
        let mut part = JsonMap::default();
        let mut next = JsonMap::default();
        for category in ["SUCCEEDED", "FAILED", "PENDING"] {
            let n = d
                .files
                .get(category)
                .and_then(Value::as_array)
                .map_or(0, <[Value]>::len);
            next.insert(category.into(), (n as u64).into());
        }
        part.insert("Next".into(), Value::object(next));
        part.insert("Final".into(), Value::Bool(last));
        part.insert("Files".into(), d.files.clone());
        let mut input = JsonMap::default();
        input.insert("Arguments".into(), arguments);
        if let Some(w) = &d.writer_config {
            input.insert("WriterConfig".into(), w.clone());
        }
        input.insert("MapRunArn".into(), Value::String(arn));
        input.insert("Results".into(), Value::array(list));
        input.insert("Part".into(), Value::object(part));
        let input = Value::object(input);
        let id = self.dataset_call(fid, state, resource, ResourceUse::ResultWriter, input, sink);
        if let Some(m) = self.children_mut(fid).and_then(|c| c.map.as_mut()) {
            m.dataset.writing = Some(id);
        }
        true
    }

    /// The reader's or the writer's outcome (`id` of frame `fid`'s Map).
    pub(crate) fn map_data_done(
        &mut self,
        id: WorkId,
        fid: FrameId,
        outcome: Result<Value, Failure>,
    ) {
        self.work.remove(&id);
        if !self.frame_exists(fid) {
            return;
        }
        let Some(c) = self.children_mut(fid) else {
            return;
        };
        let Some(m) = c.map.as_mut() else {
            return;
        };
        if m.dataset.reading == Some(id) {
            m.dataset.reading = None;
            match outcome {
                Ok(page) if page.get("Items").is_some_and(Value::is_array) => {
                    let first = m.items.received();
                    let items = page
                        .get("Items")
                        .and_then(Value::as_array)
                        .unwrap_or_default();
                    m.dataset.batch_more(first, items.iter());
                    m.items.extend(items.iter().cloned());
                    // An empty page ends the items whatever it says: no page is asked
                    // for again and again.
                    m.items.complete =
                        items.is_empty() || page.get("End") != Some(&Value::Bool(false));
                    let total = m.dataset.children(m.items.received(), m.items.complete);
                    c.total = total;
                    c.results.resize(total, Value::Null);
                }
                Ok(_) => {
                    c.failure = Some(Failure::new(
                        ITEM_READER_FAILED,
                        "Attempting to map over non-iterable node.",
                    ))
                }
                Err(f) => c.failure = Some(reader_failure(f, ITEM_READER_FAILED)),
            }
        } else if m.dataset.writing == Some(id) {
            m.dataset.writing = None;
            match outcome {
                // A part: the files it wrote, listed in the manifest at the end.
                Ok(written) if written.get("Files").is_some() => {
                    let mut files: JsonMap = m
                        .dataset
                        .files
                        .as_object()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default();
                    if let Some(new) = written.get("Files").and_then(Value::as_object) {
                        for (category, list) in new.iter() {
                            let mut all: Vec<Value> = files
                                .get(category.as_ref())
                                .and_then(Value::as_array)
                                .map(<[Value]>::to_vec)
                                .unwrap_or_default();
                            all.extend(list.as_array().into_iter().flatten().cloned());
                            files.insert(category.clone(), Value::array(all));
                        }
                    }
                    m.dataset.files = Value::object(files);
                }
                Ok(details) => m.dataset.written = Some(details),
                Err(f) => c.failure = Some(reader_failure(f, RESULT_WRITER_FAILED)),
            }
        } else {
            return;
        }
        self.map_run_changed(fid);
        self.push_ready(fid);
    }
}

/// A reader's or writer's `Resource` (validated when the definition was parsed).
fn resource_of(arn: &str) -> Resource {
    Resource::parse(arn).unwrap_or_else(|| Resource::Unknown(arn.to_owned()))
}

/// A reader's or writer's failure as the Map Run reports it: under its own error name
/// unless it already has one of the States.* names.
fn reader_failure(f: Failure, name: &str) -> Failure {
    match f.error.as_deref() {
        Some(e) if e.starts_with("States.") => f,
        _ => Failure {
            error: Some(name.into()),
            cause: f.cause,
        },
    }
}

/// The results as the state's output when they are not written out:
/// `WriterConfig.Transformation` applied (COMPACT, the default, keeps them as they are).
pub(crate) fn transform(
    results: Vec<Value>,
    dataset: &mut Dataset,
    map_run_arn: Option<&Str>,
) -> Value {
    match dataset.transformation.as_deref() {
        Some("FLATTEN") => {
            let mut out = Vec::with_capacity(results.len());
            for r in results {
                match r {
                    Value::Array(a) => out.extend(a.iter().cloned()),
                    other => out.push(other),
                }
            }
            Value::array(out)
        }
        Some("NONE") => {
            let arn = map_run_arn.cloned().unwrap_or_default();
            let machine = child_machine_arn(&arn);
            let records = dataset.records.take().unwrap_or_default();
            Value::array(
                records
                    .into_iter()
                    .map(|(slot, r)| described(record_json(&arn, &machine, slot as usize, Some(r))))
                    .collect(),
            )
        }
        _ => Value::array(results),
    }
}

/// A record as AWS shows a child execution with its metadata (Transformation NONE):
/// input and output as JSON text.
fn described(record: Value) -> Value {
    let Value::Object(m) = record else {
        return record;
    };
    let mut out = JsonMap::default();
    for (k, v) in m.iter() {
        match k.as_ref() {
            "Input" | "Output" => {
                out.insert(k.clone(), Value::from(v.to_json_string()));
                let details = if k.as_ref() == "Input" {
                    "InputDetails"
                } else {
                    "OutputDetails"
                };
                let mut d = JsonMap::default();
                d.insert("Included".into(), Value::Bool(true));
                out.insert(details.into(), Value::object(d));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::object(out)
}

/// The ARN child executions of a Map Run name as their state machine:
/// `...:stateMachine:MACHINE/LABEL`.
fn child_machine_arn(map_run_arn: &str) -> String {
    let base = map_run_arn.replacen(":mapRun:", ":stateMachine:", 1);
    match base.rfind(':') {
        Some(i) => base[..i].to_owned(),
        None => base,
    }
}

/// A child execution's name: a UUID-shaped hash of its Map Run and slot, the same on
/// every replay.
fn child_name(map_run_arn: &str, slot: usize) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    for b in map_run_arn.bytes().chain((slot as u64).to_le_bytes()) {
        a = (a ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let b = a.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ slot as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a as u16) & 0x0fff,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// Child `slot`'s record as the writer takes it; `None`: never started (PENDING).
fn record_json(map_run_arn: &str, machine: &str, slot: usize, r: Option<ChildRecord>) -> Value {
    let name = child_name(map_run_arn, slot);
    let exec = format!(
        "{}:{name}",
        machine.replacen(":stateMachine:", ":execution:", 1)
    );
    let mut m = JsonMap::default();
    m.insert("ExecutionArn".into(), Value::from(exec));
    m.insert("Name".into(), Value::from(name));
    m.insert("StateMachineArn".into(), Value::from(machine));
    let Some(r) = r else {
        m.insert("Status".into(), Value::from("PENDING"));
        return Value::object(m);
    };
    let status = match (&r.outcome, r.aborted) {
        (Some(Ok(_)), _) => "SUCCEEDED",
        (Some(Err(_)), _) => "FAILED",
        (None, true) => "ABORTED",
        (None, false) => "RUNNING",
    };
    m.insert("Status".into(), Value::from(status));
    m.insert("StartDate".into(), Value::from(r.started.to_rfc3339()));
    if let Some(s) = r.stopped {
        m.insert("StopDate".into(), Value::from(s.to_rfc3339()));
    }
    m.insert("Input".into(), r.input);
    match r.outcome {
        Some(Ok(output)) => {
            m.insert("Output".into(), output);
        }
        Some(Err(f)) => {
            if let Some(e) = f.error {
                m.insert("Error".into(), Value::String(e));
            }
            if let Some(c) = f.cause {
                m.insert("Cause".into(), Value::String(c));
            }
        }
        None => {}
    }
    Value::object(m)
}

/// `{"MapRunArn": ..., "ResultWriterDetails": ...}`: a Map's output when its results
/// were written out.
pub(crate) fn written_output(map_run_arn: Option<&Str>, details: Value) -> Value {
    let mut m = JsonMap::default();
    m.insert(
        "MapRunArn".into(),
        Value::String(map_run_arn.cloned().unwrap_or_default()),
    );
    m.insert("ResultWriterDetails".into(), details);
    Value::object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| Value::from(i as u64)).collect()
    }

    #[test]
    fn batches_close_at_their_item_count_or_their_size() {
        let mut d = Dataset {
            batcher: Some(Batcher {
                max_items: 2,
                max_bytes: u64::MAX,
                batch_input: None,
            }),
            ..Dataset::default()
        };
        d.batch(&items(5));
        assert_eq!(d.batches, vec![0, 2, 4]);
        assert_eq!(d.children(5, true), 3);
        // Until every item is known, the last batch may still grow.
        assert_eq!(d.children(5, false), 2);
        assert_eq!(d.range(2, 5), (4, 5));
        d.batcher = Some(Batcher {
            max_items: u64::MAX,
            max_bytes: 4,
            batch_input: None,
        });
        // Each item counts its text and a separator: "0," is 2 bytes.
        d.batch(&items(5));
        assert_eq!(d.batches, vec![0, 2, 4]);
        // An item larger than a batch is a batch of its own.
        d.batcher = Some(Batcher {
            max_items: u64::MAX,
            max_bytes: 1,
            batch_input: None,
        });
        d.batch(&items(3));
        assert_eq!(d.batches, vec![0, 1, 2]);
        d.batch(&[]);
        assert!(d.batches.is_empty());
        assert_eq!(d.children(0, true), 0);
    }

    #[test]
    fn child_names_are_stable_and_distinct() {
        let a = child_name("arn:aws:states:r:1:mapRun:m/l:x", 0);
        assert_eq!(a, child_name("arn:aws:states:r:1:mapRun:m/l:x", 0));
        assert_ne!(a, child_name("arn:aws:states:r:1:mapRun:m/l:x", 1));
        assert_eq!(a.len(), 36);
        assert_eq!(
            child_machine_arn("arn:aws:states:r:1:mapRun:m/l:x"),
            "arn:aws:states:r:1:stateMachine:m/l"
        );
    }

    #[test]
    fn flatten_spreads_array_results() {
        let mut d = Dataset {
            transformation: Some("FLATTEN".into()),
            ..Dataset::default()
        };
        let out = transform(
            vec![
                Value::array(items(2)),
                Value::from(7u64),
                Value::array(vec![]),
            ],
            &mut d,
            None,
        );
        assert_eq!(out.to_json_string(), "[0,1,7]");
    }
}

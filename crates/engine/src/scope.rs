//! The environment expressions are evaluated in: the context object (`$$`), variables
//! visible from a frame, and the execution's random stream.

use baton_asl::Scope;
use baton_json::{Map, Str, Value};

use baton_asl::definition::State;

use crate::dataflow::At;
use crate::execution::{Execution, ExecutionInfo, Frame, FrameId, Pos};
use crate::time::Millis;

/// The next number of an execution's random stream.
pub(crate) fn next_random(state: &mut u64) -> u64 {
    baton_asl::scope::splitmix64(state)
}

/// Evaluation scope of one state in one frame.
pub(crate) struct EvalScope<'a> {
    pub(crate) frames: &'a [Option<Frame>],
    pub(crate) fid: FrameId,
    pub(crate) info: &'a ExecutionInfo,
    pub(crate) rng: &'a mut u64,
    pub(crate) state_name: &'a Str,
    pub(crate) entered_at: Millis,
    /// `$$.State.RetryCount`, for states that retry.
    pub(crate) retry_count: Option<u32>,
    /// `$$.Task.Token`.
    pub(crate) token: Option<&'a Str>,
    /// `$$.Map.Item.Index` and `.Value`, while evaluating a Map's ItemSelector.
    pub(crate) map_item: Option<(u64, &'a Value)>,
    /// The time of the step (JSONata's `$now()`).
    pub(crate) now: Millis,
}

impl<'a> EvalScope<'a> {
    /// The scope of the state active in frame `fid`.
    pub(crate) fn new(
        frames: &'a [Option<Frame>],
        fid: FrameId,
        info: &'a ExecutionInfo,
        rng: &'a mut u64,
        state_name: &'a Str,
    ) -> EvalScope<'a> {
        let entered_at = match frames[fid as usize].as_ref().map(|f| &f.pos) {
            Some(Pos::In(a)) => a.entered_at,
            _ => Millis(0),
        };
        EvalScope {
            frames,
            fid,
            info,
            rng,
            state_name,
            entered_at,
            retry_count: None,
            token: None,
            map_item: None,
            now: Millis(0),
        }
    }
}

impl Execution {
    /// What a state's step works with: its raw input, where it is (for runtime errors),
    /// and the scope its expressions are evaluated in.
    pub(crate) fn state_env<'a, 's: 'a>(
        &'a mut self,
        fid: FrameId,
        state: &'s State,
    ) -> (Value, At<'s>, EvalScope<'a>) {
        let Execution {
            frames,
            info,
            rng,
            now,
            ..
        } = self;
        let (raw, entered_event) = match frames[fid as usize].as_ref().map(|f| &f.pos) {
            Some(Pos::In(a)) => (a.input.clone(), a.entered_event),
            _ => (Value::Null, 0),
        };
        let at = At {
            state: &state.name,
            entered_event,
        };
        let mut scope = EvalScope::new(frames, fid, info, rng, &state.name);
        scope.now = *now;
        (raw, at, scope)
    }
}

impl EvalScope<'_> {
    /// The context object given for the whole run in place of the execution's (TestState's):
    /// the root frame's.
    fn given_context(&self) -> Option<&Value> {
        let mut fid = self.fid;
        loop {
            let frame = self.frames.get(fid as usize)?.as_ref()?;
            match frame.parent {
                Some((parent, _)) => fid = parent,
                None => return frame.given_context.as_ref(),
            }
        }
    }

    /// A given context object with what only the step knows added: `Task.Token` when the
    /// task has one and the given object has no `Task`, and `Map.Item` in an ItemSelector.
    fn complete_given(&self, given: &Value) -> Value {
        let Some(map) = given.as_object() else {
            return given.clone();
        };
        if self.token.is_none() && self.map_item.is_none() {
            return given.clone();
        }
        let mut ctx = map.clone();
        if let Some(token) = self.token
            && !ctx.contains_key("Task")
        {
            let mut task = Map::with_capacity_and_hasher(1, Default::default());
            task.insert("Token".into(), Value::String(token.clone()));
            ctx.insert("Task".into(), Value::object(task));
        }
        if let Some((index, value)) = self.map_item {
            let mut item = Map::with_capacity_and_hasher(2, Default::default());
            item.insert("Index".into(), Value::from(index));
            item.insert("Value".into(), value.clone());
            let mut map = Map::with_capacity_and_hasher(1, Default::default());
            map.insert("Item".into(), Value::object(item));
            ctx.insert("Map".into(), Value::object(map));
        }
        Value::object(ctx)
    }
}

impl Scope for EvalScope<'_> {
    fn context_object(&self) -> Value {
        if let Some(given) = self.given_context() {
            return self.complete_given(given);
        }
        let info = self.info;
        let mut execution = Map::with_capacity_and_hasher(6, Default::default());
        execution.insert("Id".into(), Value::String(info.execution_arn.clone()));
        execution.insert("Input".into(), info.input.clone());
        execution.insert(
            "StartTime".into(),
            Value::from(info.start_time.to_rfc3339()),
        );
        execution.insert("Name".into(), Value::String(info.name.clone()));
        execution.insert("RoleArn".into(), Value::String(info.role_arn.clone()));
        execution.insert(
            "RedriveCount".into(),
            Value::from(u64::from(info.redrive_count)),
        );
        let mut machine = Map::with_capacity_and_hasher(2, Default::default());
        machine.insert("Id".into(), Value::String(info.state_machine_arn.clone()));
        machine.insert(
            "Name".into(),
            Value::String(info.state_machine_name.clone()),
        );
        let mut state = Map::with_capacity_and_hasher(3, Default::default());
        state.insert("Name".into(), Value::String(self.state_name.clone()));
        state.insert(
            "EnteredTime".into(),
            Value::from(self.entered_at.to_rfc3339()),
        );
        if let Some(n) = self.retry_count {
            state.insert("RetryCount".into(), Value::from(u64::from(n)));
        }
        let mut ctx = Map::with_capacity_and_hasher(5, Default::default());
        ctx.insert("Execution".into(), Value::object(execution));
        ctx.insert("StateMachine".into(), Value::object(machine));
        ctx.insert("State".into(), Value::object(state));
        if let Some(token) = self.token {
            let mut task = Map::with_capacity_and_hasher(1, Default::default());
            task.insert("Token".into(), Value::String(token.clone()));
            ctx.insert("Task".into(), Value::object(task));
        }
        if let Some((index, value)) = self.map_item {
            let mut item = Map::with_capacity_and_hasher(2, Default::default());
            item.insert("Index".into(), Value::from(index));
            item.insert("Value".into(), value.clone());
            let mut map = Map::with_capacity_and_hasher(1, Default::default());
            map.insert("Item".into(), Value::object(item));
            ctx.insert("Map".into(), Value::object(map));
        }
        Value::object(ctx)
    }

    fn variable(&self, name: &str) -> Option<Value> {
        let mut fid = Some(self.fid);
        while let Some(id) = fid {
            let frame = self.frames.get(id as usize)?.as_ref()?;
            if let Some(v) = frame.vars.get(name) {
                return Some(v.clone());
            }
            if frame.isolated {
                return None;
            }
            fid = frame.parent.map(|(p, _)| p);
        }
        None
    }

    fn random_u64(&mut self) -> u64 {
        next_random(self.rng)
    }
}

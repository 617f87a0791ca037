//! [`MemoryStore`]: everything in memory, for tests and for runs without a data
//! directory. It follows the same rules as the SQLite backend (the shared test suite runs
//! against both), and nothing survives the process.
//!
//! One `std::sync::Mutex` guards the whole state. Every method does its work while
//! holding it, synchronously, and returns a future that is already complete: the lock is
//! never held across an await, and commits apply in the order `commit` is called.

use std::collections::{BTreeMap, HashMap};
use std::future::ready;
use std::sync::{Mutex, MutexGuard};

use crate::check::{check_commit, check_continues};
use crate::paging::{date_token, limit, parse_date_token, parse_number_token};
use crate::*;

/// A [`Store`] in memory.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    closed: bool,
    /// Creation sequence numbers: they order records created at the same millisecond and
    /// number machines and activities for listing in creation order.
    next_seq: i64,
    executions: HashMap<String, Execution>,
    /// (start date, seq) → ARN: the order executions are listed in, newest last.
    by_start: BTreeMap<(i64, i64), String>,
    map_runs: HashMap<String, (i64, MapRunRecord)>,
    machines: HashMap<String, (i64, StateMachineRecord)>,
    machine_order: BTreeMap<i64, String>,
    versions: HashMap<String, VersionRecord>,
    aliases: BTreeMap<String, AliasRecord>,
    activities: HashMap<String, (i64, ActivityRecord)>,
    activity_order: BTreeMap<i64, String>,
    tags: HashMap<String, BTreeMap<String, String>>,
    triggers: BTreeMap<(TriggerKind, String), TriggerRecord>,
    /// Dead letters in the order added; a letter's number is its index + 1.
    dead_letters: Vec<DeadLetterRecord>,
    deliveries: HashMap<String, DeliveryRecord>,
    express_starts: HashMap<String, ExpressStartRecord>,
    outbox: Vec<OutboxRecord>,
    secret: Option<[u8; 32]>,
}

struct Execution {
    seq: i64,
    record: ExecutionRecord,
    journal: Vec<JournalEntry>,
    events: Vec<EventRecord>,
    timers: BTreeMap<u64, TimerRecord>,
    tasks: BTreeMap<u64, TaskRecord>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Runs `f` on the open state and returns its result as a finished future.
    fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T>,
    ) -> BoxFuture<'_, Result<T>> {
        let result = match self.lock() {
            Ok(mut state) => f(&mut state),
            Err(e) => Err(e),
        };
        Box::pin(ready(result))
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        // A panic while holding the lock leaves the state as the panicking call left it;
        // every mutation checks before it changes anything, so the state is still whole.
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.closed {
            return Err(StoreError::Closed);
        }
        Ok(state)
    }
}

impl State {
    fn seq(&mut self) -> i64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn commit(&mut self, c: ExecutionCommit) -> Result<()> {
        check_commit(&c)?;
        // Check everything before changing anything: a failed commit writes nothing.
        match (&c.create, self.executions.get(&c.execution_arn)) {
            (Some(_), Some(_)) => return Err(StoreError::AlreadyExists(c.execution_arn)),
            (None, None) => return Err(StoreError::NotFound(c.execution_arn)),
            (Some(_), None) => check_continues(&c, 0, 0)?,
            (None, Some(e)) => check_continues(&c, e.record.journal_len, e.record.event_count)?,
        }
        let ExecutionCommit {
            execution_arn,
            create,
            update,
            journal,
            events,
            timers_set,
            timers_cleared,
            tasks_set,
            tasks_cleared,
            map_runs,
            outbox,
        } = c;
        for o in outbox {
            self.outbox.retain(|x| x.id != o.id);
            self.outbox.push(o);
        }
        if let Some(mut record) = create {
            let seq = self.seq();
            record.journal_len = 0;
            record.event_count = 0;
            self.by_start
                .insert((record.start_date, seq), execution_arn.clone());
            self.executions.insert(
                execution_arn.clone(),
                Execution {
                    seq,
                    record,
                    journal: Vec::new(),
                    events: Vec::new(),
                    timers: BTreeMap::new(),
                    tasks: BTreeMap::new(),
                },
            );
        }
        for run in map_runs {
            let seq = match self.map_runs.get(&run.arn) {
                Some((seq, _)) => *seq,
                None => self.seq(),
            };
            self.map_runs.insert(run.arn.clone(), (seq, run));
        }
        let e = self
            .executions
            .get_mut(&execution_arn)
            .expect("checked above");
        let r = &mut e.record;
        let ExecutionUpdate {
            status,
            output,
            error,
            cause,
            stop_date,
            redrive_count,
            redrive_date,
            reopen,
        } = update;
        if let Some(v) = status {
            r.status = v;
        }
        if output.is_some() || reopen {
            r.output = output;
        }
        if error.is_some() || reopen {
            r.error = error;
        }
        if cause.is_some() || reopen {
            r.cause = cause;
        }
        if stop_date.is_some() || reopen {
            r.stop_date = stop_date;
        }
        if let Some(v) = redrive_count {
            r.redrive_count = v;
        }
        if redrive_date.is_some() {
            r.redrive_date = redrive_date;
        }
        r.journal_len += journal.len() as u64;
        r.event_count += events.len() as u64;
        e.journal.extend(journal);
        e.events.extend(events);
        for t in timers_set {
            e.timers.insert(t.work_id, t);
        }
        for id in timers_cleared {
            e.timers.remove(&id);
        }
        for t in tasks_set {
            e.tasks.insert(t.work_id, t);
        }
        for id in tasks_cleared {
            e.tasks.remove(&id);
        }
        Ok(())
    }

    fn execution(&self, arn: &str) -> Result<&Execution> {
        self.executions
            .get(arn)
            .ok_or_else(|| StoreError::NotFound(arn.to_owned()))
    }

    fn list_executions(
        &self,
        filter: &ExecutionFilter,
        page: &Page,
    ) -> Result<Paged<ExecutionRecord>> {
        let before = match &page.token {
            Some(t) => Some(parse_date_token(t)?),
            None => None,
        };
        let matches = |r: &ExecutionRecord| {
            filter.machine_arn.as_ref().is_none_or(|m| {
                r.machine_arn == *m
                    || r.version_arn.as_ref() == Some(m)
                    || r.alias_arn.as_ref() == Some(m)
            }) && filter.status.is_none_or(|s| r.status == s)
                && filter
                    .map_run_arn
                    .as_ref()
                    .is_none_or(|m| r.map_run_arn.as_ref() == Some(m))
                && filter.redriven.is_none_or(|d| (r.redrive_count > 0) == d)
        };
        let range = match before {
            Some(key) => self.by_start.range(..key),
            None => self.by_start.range(..),
        };
        let hits = range
            .rev()
            .map(|(_, arn)| &self.executions[arn])
            .filter(|e| matches(&e.record));
        Ok(paged(
            hits,
            limit(page),
            |e| e.record.clone(),
            |e| date_token(e.record.start_date, e.seq),
        ))
    }

    fn history(&self, arn: &str, reverse: bool, page: &Page) -> Result<Paged<EventRecord>> {
        let events = &self.execution(arn)?.events;
        let after = match &page.token {
            Some(t) => Some(parse_number_token(t)?),
            None => None,
        };
        let token = |e: &&EventRecord| e.id.to_string();
        let n = limit(page);
        // Ids are 1, 2, 3, ...: event `id` is at index `id - 1`.
        Ok(if reverse {
            let end = after.map_or(events.len(), |id| {
                (id.saturating_sub(1) as usize).min(events.len())
            });
            paged(events[..end].iter().rev(), n, |e| (*e).clone(), token)
        } else {
            let start = after.map_or(0, |id| (id as usize).min(events.len()));
            paged(events[start..].iter(), n, |e| (*e).clone(), token)
        })
    }

    fn list_map_runs(&self, execution_arn: &str, page: &Page) -> Result<Paged<MapRunRecord>> {
        self.execution(execution_arn)?;
        let before = match &page.token {
            Some(t) => Some(parse_date_token(t)?),
            None => None,
        };
        let mut runs: Vec<_> = self
            .map_runs
            .values()
            .filter(|(seq, r)| {
                r.execution_arn == execution_arn && before.is_none_or(|b| (r.start_date, *seq) < b)
            })
            .collect();
        runs.sort_by_key(|(seq, r)| std::cmp::Reverse((r.start_date, *seq)));
        Ok(paged(
            runs.into_iter(),
            limit(page),
            |(_, r)| r.clone(),
            |(seq, r)| date_token(r.start_date, *seq),
        ))
    }

    fn delete_tags_of(&mut self, arn: &str) {
        self.tags.remove(arn);
    }
}

/// The first `n` items of `items` and, when more follow, the token of the last one.
fn paged<I: Iterator, T>(
    items: I,
    n: usize,
    item: impl Fn(&I::Item) -> T,
    token: impl Fn(&I::Item) -> String,
) -> Paged<T> {
    let mut items = items.peekable();
    let mut out = Vec::new();
    let mut next = None;
    while let Some(i) = items.next() {
        out.push(item(&i));
        if out.len() == n {
            if items.peek().is_some() {
                next = Some(token(&i));
            }
            break;
        }
    }
    Paged { items: out, next }
}

impl Store for MemoryStore {
    fn commit(&self, commit: ExecutionCommit) -> BoxFuture<'_, Result<()>> {
        self.with(|s| s.commit(commit))
    }

    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>>> {
        self.with(|s| Ok(s.executions.get(arn).map(|e| e.record.clone())))
    }

    fn list_executions(
        &self,
        filter: ExecutionFilter,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<ExecutionRecord>>> {
        self.with(|s| s.list_executions(&filter, &page))
    }

    fn open_executions(&self) -> BoxFuture<'_, Result<Vec<ExecutionRecord>>> {
        self.with(|s| {
            Ok(s.executions
                .values()
                .filter(|e| e.record.status.is_open())
                .map(|e| e.record.clone())
                .collect())
        })
    }

    fn journal(&self, execution_arn: &str) -> BoxFuture<'_, Result<Vec<JournalEntry>>> {
        self.with(|s| Ok(s.execution(execution_arn)?.journal.clone()))
    }

    fn history(
        &self,
        execution_arn: &str,
        reverse: bool,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<EventRecord>>> {
        self.with(|s| s.history(execution_arn, reverse, &page))
    }

    fn timers(&self) -> BoxFuture<'_, Result<Vec<TimerRecord>>> {
        self.with(|s| {
            Ok(s.executions
                .values()
                .flat_map(|e| e.timers.values().cloned())
                .collect())
        })
    }

    fn tasks(&self) -> BoxFuture<'_, Result<Vec<TaskRecord>>> {
        self.with(|s| {
            Ok(s.executions
                .values()
                .flat_map(|e| e.tasks.values().cloned())
                .collect())
        })
    }

    fn map_run(&self, arn: &str) -> BoxFuture<'_, Result<Option<MapRunRecord>>> {
        self.with(|s| Ok(s.map_runs.get(arn).map(|(_, r)| r.clone())))
    }

    fn list_map_runs(
        &self,
        execution_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<MapRunRecord>>> {
        self.with(|s| s.list_map_runs(execution_arn, &page))
    }

    fn create_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            if s.machines.contains_key(&machine.arn) {
                return Err(StoreError::AlreadyExists(machine.arn));
            }
            let seq = s.seq();
            s.machine_order.insert(seq, machine.arn.clone());
            s.machines.insert(machine.arn.clone(), (seq, machine));
            Ok(())
        })
    }

    fn update_state_machine(&self, machine: StateMachineRecord) -> BoxFuture<'_, Result<()>> {
        self.with(|s| match s.machines.get_mut(&machine.arn) {
            Some((_, m)) => {
                *m = machine;
                Ok(())
            }
            None => Err(StoreError::NotFound(machine.arn)),
        })
    }

    fn delete_state_machine(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            let (seq, _) = s
                .machines
                .remove(arn)
                .ok_or_else(|| StoreError::NotFound(arn.to_owned()))?;
            s.machine_order.remove(&seq);
            s.delete_tags_of(arn);
            let versions: Vec<String> = s
                .versions
                .values()
                .filter(|v| v.machine_arn == arn)
                .map(|v| v.arn.clone())
                .collect();
            let aliases: Vec<String> = s
                .aliases
                .values()
                .filter(|a| a.machine_arn == arn)
                .map(|a| a.arn.clone())
                .collect();
            for v in versions {
                s.versions.remove(&v);
                s.delete_tags_of(&v);
            }
            for a in aliases {
                s.aliases.remove(&a);
                s.delete_tags_of(&a);
            }
            Ok(())
        })
    }

    fn state_machine(&self, arn: &str) -> BoxFuture<'_, Result<Option<StateMachineRecord>>> {
        self.with(|s| Ok(s.machines.get(arn).map(|(_, m)| m.clone())))
    }

    fn list_state_machines(&self, page: Page) -> BoxFuture<'_, Result<Paged<StateMachineRecord>>> {
        self.with(|s| {
            let after = match &page.token {
                Some(t) => parse_number_token(t)? as i64,
                None => 0,
            };
            let items = s.machine_order.range(after + 1..);
            Ok(paged(
                items,
                limit(&page),
                |(_, arn)| s.machines[*arn].1.clone(),
                |(seq, _)| seq.to_string(),
            ))
        })
    }

    fn create_version(&self, version: VersionRecord) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            if s.versions.contains_key(&version.arn) {
                return Err(StoreError::AlreadyExists(version.arn));
            }
            if !s.machines.contains_key(&version.machine_arn) {
                return Err(StoreError::NotFound(version.machine_arn));
            }
            s.versions.insert(version.arn.clone(), version);
            Ok(())
        })
    }

    fn version(&self, arn: &str) -> BoxFuture<'_, Result<Option<VersionRecord>>> {
        self.with(|s| Ok(s.versions.get(arn).cloned()))
    }

    fn list_versions(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<VersionRecord>>> {
        self.with(|s| {
            if !s.machines.contains_key(machine_arn) {
                return Err(StoreError::NotFound(machine_arn.to_owned()));
            }
            let before = match &page.token {
                Some(t) => parse_number_token(t)?,
                None => u64::MAX,
            };
            let mut versions: Vec<&VersionRecord> = s
                .versions
                .values()
                .filter(|v| v.machine_arn == machine_arn && v.version < before)
                .collect();
            versions.sort_by_key(|v| std::cmp::Reverse(v.version));
            Ok(paged(
                versions.into_iter(),
                limit(&page),
                |v| (*v).clone(),
                |v| v.version.to_string(),
            ))
        })
    }

    fn delete_version(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            s.versions
                .remove(arn)
                .ok_or_else(|| StoreError::NotFound(arn.to_owned()))?;
            s.delete_tags_of(arn);
            Ok(())
        })
    }

    fn put_alias(&self, alias: AliasRecord) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            if !s.machines.contains_key(&alias.machine_arn) {
                return Err(StoreError::NotFound(alias.machine_arn));
            }
            s.aliases.insert(alias.arn.clone(), alias);
            Ok(())
        })
    }

    fn alias(&self, arn: &str) -> BoxFuture<'_, Result<Option<AliasRecord>>> {
        self.with(|s| Ok(s.aliases.get(arn).cloned()))
    }

    fn list_aliases(
        &self,
        machine_arn: &str,
        page: Page,
    ) -> BoxFuture<'_, Result<Paged<AliasRecord>>> {
        self.with(|s| {
            if !s.machines.contains_key(machine_arn) {
                return Err(StoreError::NotFound(machine_arn.to_owned()));
            }
            let items = s
                .aliases
                .values()
                .filter(|a| a.machine_arn == machine_arn)
                .filter(|a| page.token.as_ref().is_none_or(|t| a.arn > *t));
            Ok(paged(
                items,
                limit(&page),
                |a| (*a).clone(),
                |a| a.arn.clone(),
            ))
        })
    }

    fn delete_alias(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            s.aliases
                .remove(arn)
                .ok_or_else(|| StoreError::NotFound(arn.to_owned()))?;
            s.delete_tags_of(arn);
            Ok(())
        })
    }

    fn create_activity(&self, activity: ActivityRecord) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            if s.activities.contains_key(&activity.arn) {
                return Err(StoreError::AlreadyExists(activity.arn));
            }
            let seq = s.seq();
            s.activity_order.insert(seq, activity.arn.clone());
            s.activities.insert(activity.arn.clone(), (seq, activity));
            Ok(())
        })
    }

    fn activity(&self, arn: &str) -> BoxFuture<'_, Result<Option<ActivityRecord>>> {
        self.with(|s| Ok(s.activities.get(arn).map(|(_, a)| a.clone())))
    }

    fn list_activities(&self, page: Page) -> BoxFuture<'_, Result<Paged<ActivityRecord>>> {
        self.with(|s| {
            let after = match &page.token {
                Some(t) => parse_number_token(t)? as i64,
                None => 0,
            };
            let items = s.activity_order.range(after + 1..);
            Ok(paged(
                items,
                limit(&page),
                |(_, arn)| s.activities[*arn].1.clone(),
                |(seq, _)| seq.to_string(),
            ))
        })
    }

    fn delete_activity(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            let (seq, _) = s
                .activities
                .remove(arn)
                .ok_or_else(|| StoreError::NotFound(arn.to_owned()))?;
            s.activity_order.remove(&seq);
            s.delete_tags_of(arn);
            Ok(())
        })
    }

    fn tags(&self, resource_arn: &str) -> BoxFuture<'_, Result<Vec<Tag>>> {
        self.with(|s| {
            Ok(s.tags.get(resource_arn).map_or_else(Vec::new, |tags| {
                tags.iter()
                    .map(|(key, value)| Tag {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect()
            }))
        })
    }

    fn tag(&self, resource_arn: &str, tags: Vec<Tag>) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            let stored = s.tags.entry(resource_arn.to_owned()).or_default();
            for Tag { key, value } in tags {
                stored.insert(key, value);
            }
            Ok(())
        })
    }

    fn untag(&self, resource_arn: &str, keys: Vec<String>) -> BoxFuture<'_, Result<()>> {
        self.with(|s| {
            if let Some(stored) = s.tags.get_mut(resource_arn) {
                for key in &keys {
                    stored.remove(key);
                }
                if stored.is_empty() {
                    s.tags.remove(resource_arn);
                }
            }
            Ok(())
        })
    }

    fn create_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>> {
        self.with(move |s| {
            let key = (trigger.kind, trigger.name.clone());
            if s.triggers.contains_key(&key) {
                return Err(StoreError::AlreadyExists(trigger.name));
            }
            s.triggers.insert(key, trigger);
            Ok(())
        })
    }

    fn update_trigger(&self, trigger: TriggerRecord) -> BoxFuture<'_, Result<()>> {
        self.with(move |s| {
            let key = (trigger.kind, trigger.name.clone());
            let Some(stored) = s.triggers.get_mut(&key) else {
                return Err(StoreError::NotFound(trigger.name));
            };
            let created = stored.created;
            *stored = TriggerRecord { created, ..trigger };
            Ok(())
        })
    }

    fn delete_trigger(&self, kind: TriggerKind, name: &str) -> BoxFuture<'_, Result<()>> {
        let name = name.to_owned();
        self.with(move |s| match s.triggers.remove(&(kind, name.clone())) {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(name)),
        })
    }

    fn trigger(
        &self,
        kind: TriggerKind,
        name: &str,
    ) -> BoxFuture<'_, Result<Option<TriggerRecord>>> {
        let name = name.to_owned();
        self.with(move |s| Ok(s.triggers.get(&(kind, name)).cloned()))
    }

    fn triggers(&self, kind: TriggerKind) -> BoxFuture<'_, Result<Vec<TriggerRecord>>> {
        self.with(move |s| {
            Ok(s.triggers
                .range((kind, String::new())..)
                .take_while(|((k, _), _)| *k == kind)
                .map(|(_, t)| t.clone())
                .collect())
        })
    }

    fn set_trigger_cursor(
        &self,
        kind: TriggerKind,
        name: &str,
        cursor: i64,
    ) -> BoxFuture<'_, Result<()>> {
        let name = name.to_owned();
        self.with(move |s| match s.triggers.get_mut(&(kind, name.clone())) {
            Some(t) => {
                t.cursor = Some(cursor);
                Ok(())
            }
            None => Err(StoreError::NotFound(name)),
        })
    }

    fn outbox(&self) -> BoxFuture<'_, Result<Vec<OutboxRecord>>> {
        self.with(|s| Ok(s.outbox.clone()))
    }

    fn delete_outbox(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        self.with(move |s| {
            s.outbox.retain(|o| o.id != id);
            Ok(())
        })
    }

    fn add_deliveries(&self, deliveries: Vec<DeliveryRecord>) -> BoxFuture<'_, Result<()>> {
        self.with(move |s| {
            for d in deliveries {
                s.deliveries.insert(d.id.clone(), d);
            }
            Ok(())
        })
    }

    fn delete_delivery(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        self.with(move |s| {
            s.deliveries.remove(&id);
            Ok(())
        })
    }

    fn deliveries(&self) -> BoxFuture<'_, Result<Vec<DeliveryRecord>>> {
        self.with(|s| {
            let mut all: Vec<DeliveryRecord> = s.deliveries.values().cloned().collect();
            all.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
            Ok(all)
        })
    }

    fn add_express_start(&self, start: ExpressStartRecord) -> BoxFuture<'_, Result<()>> {
        self.with(move |s| {
            s.express_starts.insert(start.arn.clone(), start);
            Ok(())
        })
    }

    fn delete_express_start(&self, arn: &str) -> BoxFuture<'_, Result<()>> {
        let arn = arn.to_owned();
        self.with(move |s| {
            s.express_starts.remove(&arn);
            Ok(())
        })
    }

    fn express_starts(&self) -> BoxFuture<'_, Result<Vec<ExpressStartRecord>>> {
        self.with(|s| {
            let mut all: Vec<ExpressStartRecord> = s.express_starts.values().cloned().collect();
            all.sort_by(|a, b| (a.at, &a.arn).cmp(&(b.at, &b.arn)));
            Ok(all)
        })
    }

    fn add_dead_letter(&self, letter: DeadLetterRecord) -> BoxFuture<'_, Result<u64>> {
        self.with(move |s| {
            let seq = s.dead_letters.len() as u64 + 1;
            s.dead_letters.push(DeadLetterRecord { seq, ..letter });
            Ok(seq)
        })
    }

    fn list_dead_letters(&self, page: Page) -> BoxFuture<'_, Result<Paged<DeadLetterRecord>>> {
        self.with(move |s| {
            let before = match &page.token {
                Some(t) => parse_number_token(t)?,
                None => u64::MAX,
            };
            let n = limit(&page);
            let mut items: Vec<DeadLetterRecord> = s
                .dead_letters
                .iter()
                .rev()
                .filter(|l| l.seq < before)
                .take(n + 1)
                .cloned()
                .collect();
            let next = if items.len() > n {
                items.truncate(n);
                items.last().map(|l| l.seq.to_string())
            } else {
                None
            };
            Ok(Paged { items, next })
        })
    }

    fn secret(&self) -> BoxFuture<'_, Result<[u8; 32]>> {
        self.with(|s| {
            if let Some(secret) = s.secret {
                return Ok(secret);
            }
            let secret = random_secret()?;
            s.secret = Some(secret);
            Ok(secret)
        })
    }

    fn close(&self) -> BoxFuture<'_, Result<()>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.closed = true;
        Box::pin(ready(Ok(())))
    }
}

/// 32 bytes from the operating system's random source.
pub(crate) fn random_secret() -> Result<[u8; 32]> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| StoreError::Backend(format!("no random bytes for the secret: {e}")))?;
    Ok(secret)
}

//! Evaluation: definite paths walk borrowed values and fail with Jayway's messages;
//! indefinite paths collect every match and never fail for a missing step.

use baton_json::{Map, Value};

use super::error::{render, write_seg};
use super::{Path, PathError, Seg, Shape};
use crate::intrinsic::render::java_class;

/// The hot path: a definite path of fields and indexes, no function. `None` when a step
/// is missing (the slow path then builds the error).
#[inline]
pub(super) fn definite_fast<'a>(segs: &[Seg], doc: &'a Value) -> Option<&'a Value> {
    let mut node = doc;
    for seg in segs {
        node = match seg {
            Seg::Field(name) => node.get(name)?,
            Seg::Index(i) => match node {
                Value::Array(items) => items.get(effective_index(*i, items.len())?)?,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(node)
}

/// The position an index designates in an array of `len` (negative counts from the end).
#[inline]
pub(super) fn effective_index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    usize::try_from(i).ok().filter(|&i| i < len)
}

/// Evaluates `path` on `doc`; `root` is what `$` means inside filters.
pub(super) fn eval(path: &Path, doc: &Value, root: &Value) -> Result<Value, PathError> {
    match path.shape() {
        Shape::Definite => definite(path, doc),
        Shape::Indefinite => {
            let mut out = Vec::new();
            collect(path, path.segs(), doc, root, &mut out)?;
            Ok(Value::array(out))
        }
        Shape::ScanFunction => {
            let mut out = Vec::new();
            collect_plain(path.segs(), doc, root, &mut out);
            match path.function() {
                Some(f) => f.apply(&Value::array(out)),
                None => Ok(Value::array(out)),
            }
        }
    }
}

/// A definite path, step by step, with Jayway's message at the first missing step.
fn definite(path: &Path, doc: &Value) -> Result<Value, PathError> {
    let segs = path.segs();
    let mut node = doc;
    let last = segs.len().saturating_sub(1);
    for (i, seg) in segs.iter().enumerate() {
        let leaf = i == last && path.function().is_none();
        node = match seg {
            Seg::Field(name) => match node {
                Value::Object(map) => match map.get(&**name) {
                    Some(v) => v,
                    None if leaf => return Err(no_results(path)),
                    None => {
                        let mut at = render(&segs[..i], None);
                        write_seg(&mut at, seg);
                        return Err(PathError::NotFound {
                            message: format!("Missing property in path {at}"),
                        });
                    }
                },
                other => return Err(not_an_object(seg, &segs[..i], other)),
            },
            Seg::Index(n) => match node {
                Value::Array(items) => match effective_index(*n, items.len()) {
                    Some(k) => &items[k],
                    None => return Err(no_results(path)),
                },
                Value::Null => {
                    return Err(PathError::NotFound {
                        message: format!("The path {} is null", render(&segs[..i], None)),
                    });
                }
                other => {
                    let mut token = String::new();
                    write_seg(&mut token, seg);
                    return Err(PathError::NotFound {
                        message: format!(
                            "Filter: {token} can only be applied to arrays. Current context is: {}",
                            crate::intrinsic::render::java_string(other)
                        ),
                    });
                }
            },
            Seg::Fields(names) => {
                // Only ever the last step of a definite path.
                let Value::Object(map) = node else {
                    return Err(not_an_object(seg, &segs[..i], node));
                };
                let mut merged = Map::with_capacity_and_hasher(names.len(), Default::default());
                for name in names.iter() {
                    if let Some((k, v)) = map.get_key_value(&**name) {
                        merged.insert(k.clone(), v.clone());
                    }
                }
                return Ok(Value::object(merged));
            }
            _ => unreachable_step(),
        };
    }
    match path.function() {
        Some(f) => f.apply(node),
        None => Ok(node.clone()),
    }
}

/// A definite path holds only fields and indexes (and a last `['a','b']`); any other
/// step reads as `null`.
#[cold]
fn unreachable_step() -> &'static Value {
    static NULL: Value = Value::Null;
    &NULL
}

fn no_results(path: &Path) -> PathError {
    PathError::NotFound {
        message: format!(
            "No results for path: {}",
            render(path.segs(), path.function())
        ),
    }
}

fn not_an_object(seg: &Seg, before: &[Seg], found: &Value) -> PathError {
    let mut token = String::new();
    write_seg(&mut token, seg);
    PathError::NotFound {
        message: format!(
            "Expected to find an object with property {token} in path {} but found '{}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.",
            render(before, None),
            java_class(found)
        ),
    }
}

/// Collects the matches of `segs` below `node`, then applies the path's function (if
/// any) to each.
fn collect(
    path: &Path,
    segs: &[Seg],
    node: &Value,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), PathError> {
    let mut matches = Vec::new();
    collect_plain(segs, node, root, &mut matches);
    match path.function() {
        None => out.extend(matches),
        Some(f) => {
            for m in &matches {
                out.push(f.apply(m)?);
            }
        }
    }
    Ok(())
}

/// Collects the matches of `segs` below `node` into `out`.
pub(super) fn collect_plain(segs: &[Seg], node: &Value, root: &Value, out: &mut Vec<Value>) {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(node.clone());
        return;
    };
    match seg {
        Seg::Field(name) => {
            if let Some(v) = node.get(name) {
                collect_plain(rest, v, root, out);
            }
        }
        Seg::Index(i) => {
            if let Value::Array(items) = node
                && let Some(k) = effective_index(*i, items.len())
            {
                collect_plain(rest, &items[k], root, out);
            }
        }
        Seg::Fields(names) => {
            if let Value::Object(map) = node {
                if rest.is_empty() {
                    let mut merged = Map::with_capacity_and_hasher(names.len(), Default::default());
                    for name in names.iter() {
                        if let Some((k, v)) = map.get_key_value(&**name) {
                            merged.insert(k.clone(), v.clone());
                        }
                    }
                    out.push(Value::object(merged));
                } else {
                    for name in names.iter() {
                        if let Some(v) = map.get(&**name) {
                            collect_plain(rest, v, root, out);
                        }
                    }
                }
            }
        }
        Seg::Indexes(list) => {
            if let Value::Array(items) = node {
                for i in list.iter() {
                    if let Some(k) = effective_index(*i, items.len()) {
                        collect_plain(rest, &items[k], root, out);
                    }
                }
            }
        }
        Seg::Slice(from, to) => {
            if let Value::Array(items) = node {
                for k in slice_indexes(*from, *to, items.len()) {
                    if let Some(k) = effective_index(k, items.len()) {
                        collect_plain(rest, &items[k], root, out);
                    }
                }
            }
        }
        Seg::Wildcard => match node {
            Value::Object(map) => {
                for v in map.values() {
                    collect_plain(rest, v, root, out);
                }
            }
            Value::Array(items) => {
                for v in items.iter() {
                    collect_plain(rest, v, root, out);
                }
            }
            _ => {}
        },
        Seg::Filter(filter) => match node {
            Value::Object(_) if filter.accept(node, root) => collect_plain(rest, node, root, out),
            Value::Array(items) => {
                for v in items.iter() {
                    if filter.accept(v, root) {
                        collect_plain(rest, v, root, out);
                    }
                }
            }
            _ => {}
        },
        Seg::Scan => scan(rest, node, root, out),
    }
}

/// Jayway's deep scan: at every object and array below (and including) `node`, applies
/// the step after `..` where it can apply.
fn scan(segs: &[Seg], node: &Value, root: &Value, out: &mut Vec<Value>) {
    let Some(target) = segs.first() else {
        return;
    };
    match node {
        Value::Object(map) => {
            let matches = match target {
                Seg::Field(name) => map.contains_key(&**name),
                Seg::Fields(names) => {
                    segs.len() > 1 || names.iter().all(|n| map.contains_key(&**n))
                }
                Seg::Wildcard => true,
                Seg::Filter(f) => f.accept(node, root),
                _ => false,
            };
            if matches {
                collect_plain(segs, node, root, out);
            }
            for v in map.values() {
                scan(segs, v, root, out);
            }
        }
        Value::Array(items) => {
            let matches = match target {
                Seg::Index(_) | Seg::Indexes(_) | Seg::Slice(..) | Seg::Wildcard => true,
                Seg::Filter(f) => f.accept(node, root),
                _ => false,
            };
            if matches {
                if segs.len() == 1 {
                    collect_plain(segs, node, root, out);
                } else {
                    // Jayway applies the steps after the target to every element.
                    for v in items.iter() {
                        collect_plain(&segs[1..], v, root, out);
                    }
                }
            }
            for v in items.iter() {
                scan(segs, v, root, out);
            }
        }
        _ => {}
    }
}

/// The indexes a slice visits, as Jayway computes them (negative bounds count from the
/// end for `[n:]` and `[:n]`; `[a:b]` takes them as written).
fn slice_indexes(from: Option<i64>, to: Option<i64>, len: usize) -> std::ops::Range<i64> {
    let len = len as i64;
    match (from, to) {
        (Some(f), None) => {
            let f = if f < 0 { len + f } else { f }.max(0);
            if len == 0 || f >= len { 0..0 } else { f..len }
        }
        (Some(f), Some(t)) => {
            // Indexes below `-len` designate nothing: skip them rather than count them.
            let f = f.max(-len);
            let t = t.min(len);
            if f >= t || len == 0 { 0..0 } else { f..t }
        }
        (None, Some(t)) => {
            if len == 0 {
                return 0..0;
            }
            let t = if t < 0 { len + t } else { t }.min(len);
            0..t.max(0)
        }
        (None, None) => 0..0,
    }
}

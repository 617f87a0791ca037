//! ResultPath: writing a value at a reference path inside a document.
//!
//! The target is checked first without touching it, so a failure leaves it intact and
//! the error can quote it; the write then copies only the containers on the path that are
//! shared ([`Value::as_object_mut`] is copy-on-write).

use baton_json::{Map, Value};

use super::eval::effective_index;
use super::{Path, PathError, Root, Seg};

pub(super) fn set(path: &Path, mut target: Value, value: Value) -> Result<Value, PathError> {
    if path.root() != &Root::Input || !path.is_reference() {
        return Err(PathError::NotReference {
            path: path.as_str().into(),
        });
    }
    let segs = path.segs();
    if segs.is_empty() {
        return Ok(value);
    }
    if !applies(segs, &target) {
        return Err(PathError::ResultPathMatchFailure {
            cause: format!(
                "Unable to apply ReferencePath {} to input {}",
                path.as_str(),
                target.to_json_string()
            ),
        });
    }
    write(&mut target, segs, value);
    Ok(target)
}

/// `true` when every step can be taken or created: fields need objects (a missing member
/// is created as an empty object, unless an index follows), indexes need an existing
/// element.
fn applies(segs: &[Seg], target: &Value) -> bool {
    let mut node = target;
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Seg::Field(name) => {
                let Value::Object(map) = node else {
                    return false;
                };
                match map.get(&**name) {
                    Some(v) => node = v,
                    // Created from here on: only fields can follow.
                    None => return segs[i + 1..].iter().all(|s| matches!(s, Seg::Field(_))),
                }
            }
            Seg::Index(n) => {
                let Value::Array(items) = node else {
                    return false;
                };
                match effective_index(*n, items.len()) {
                    Some(k) => node = &items[k],
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    true
}

/// Writes `value` at `segs` below `node`; [`applies`] has checked that it can.
fn write(node: &mut Value, segs: &[Seg], value: Value) {
    let Some((seg, rest)) = segs.split_first() else {
        *node = value;
        return;
    };
    match seg {
        Seg::Field(name) => {
            let Some(map) = node.as_object_mut() else {
                return;
            };
            if rest.is_empty() {
                map.insert(name.clone(), value);
            } else {
                let child = map
                    .entry(name.clone())
                    .or_insert_with(|| Value::object(Map::default()));
                write(child, rest, value);
            }
        }
        Seg::Index(n) => {
            let Some(items) = node.as_array_mut() else {
                return;
            };
            if let Some(k) = effective_index(*n, items.len()) {
                write(&mut items[k], rest, value);
            }
        }
        _ => {}
    }
}

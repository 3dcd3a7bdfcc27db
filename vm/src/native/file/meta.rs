//! `file`: directories and metadata (`list_dir`, `stat`, `exists`,
//! `mkdir_p`, `delete`, `rename`, `copy`, ...), each on the dirty I/O
//! schedulers like every file call.

use std::os::unix::fs::MetadataExt;

use super::errors::{io_error, ok};
use super::path_arg;
use crate::interp::Exception;
use crate::native::Ctx;
use crate::value::{Atom, MapData, Value};

/// `:ok` or `(:error, reason)`.
fn done(r: std::io::Result<()>) -> Value {
    match r {
        Ok(()) => Value::OK,
        Err(e) => io_error(&e),
    }
}

/// A call on one path that gives `:ok` or an error.
pub(super) fn unary(
    ctx: &mut Ctx<'_>,
    a: &[Value],
    f: fn(&str) -> std::io::Result<()>,
) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    Ok(ctx.dirty_io(Box::new(move || Ok(done(f(&path))))))
}

/// A call on two paths (`rename`, `copy`) that gives `:ok` or an error.
pub(super) fn binary_op(
    ctx: &mut Ctx<'_>,
    a: &[Value],
    f: fn(&str, &str) -> std::io::Result<()>,
) -> Result<Value, Exception> {
    let from = path_arg(&a[0])?;
    let to = path_arg(&a[1])?;
    Ok(ctx.dirty_io(Box::new(move || Ok(done(f(&from, &to))))))
}

/// `file.rm_rf(path)`: a file, or a directory and everything under it;
/// `:ok` also when nothing was there.
pub(super) fn rm_rf(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    unary(ctx, a, |p| match std::fs::symlink_metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
    })
}

/// `file.list_dir(path)`: `(:ok, names)`, sorted, without `.` and `..`.
pub(super) fn list_dir(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    Ok(ctx.dirty_io(Box::new(move || {
        let names = std::fs::read_dir(&path).and_then(|entries| {
            let mut names = Vec::new();
            for e in entries {
                names.push(e?.file_name().into_encoded_bytes());
            }
            Ok(names)
        });
        Ok(match names {
            Ok(mut names) => {
                names.sort();
                ok(Value::list(
                    names.into_iter().map(Value::binary).collect::<Vec<_>>(),
                ))
            }
            Err(e) => io_error(&e),
        })
    })))
}

fn type_atom(t: std::fs::FileType) -> Value {
    Value::atom(if t.is_file() {
        "regular"
    } else if t.is_dir() {
        "directory"
    } else if t.is_symlink() {
        "symlink"
    } else {
        "other"
    })
}

/// `file.stat(path)` (following symbolic links) and `file.lstat(path)`
/// (not): `(:ok, #{:size, :type, :mtime, :mode})`.
pub(super) fn stat(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    let follow = a[1].is_true();
    Ok(ctx.dirty_io(Box::new(move || {
        let m = if follow {
            std::fs::metadata(&path)
        } else {
            std::fs::symlink_metadata(&path)
        };
        Ok(match m {
            Ok(m) => {
                let mut map = MapData::new();
                map.insert(Value::atom("size"), Value::Int(m.len() as i64));
                map.insert(Value::atom("type"), type_atom(m.file_type()));
                map.insert(Value::atom("mtime"), Value::Int(m.mtime()));
                map.insert(Value::atom("mode"), Value::Int(i64::from(m.mode())));
                ok(Value::map(map))
            }
            Err(e) => io_error(&e),
        })
    })))
}

/// `file.__kind(path)`: the type of what `path` names (following links),
/// or `nil` when nothing is there (or it cannot be seen): the answer of
/// `exists`, `is_dir` and `is_file`.
pub(super) fn kind(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let path = path_arg(&a[0])?;
    Ok(ctx.dirty_io(Box::new(move || {
        Ok(match std::fs::metadata(&path) {
            Ok(m) => type_atom(m.file_type()),
            Err(_) => Value::Atom(Atom::NIL),
        })
    })))
}

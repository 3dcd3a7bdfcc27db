//! File and OS failures as values: an `std::io::Error` becomes the POSIX
//! atom Erlang's `file` module gives (`:enoent`, `:eacces`, ...), so a
//! program matches `(:error, :enoent)` whatever the platform's message.

use crate::value::{Atom, Value};

/// The names of the errno values a file or process call can give, as
/// Erlang spells them (`erl_posix_msg`).
const NAMES: &[(i32, &str)] = &[
    (libc::EPERM, "eperm"),
    (libc::ENOENT, "enoent"),
    (libc::ESRCH, "esrch"),
    (libc::EINTR, "eintr"),
    (libc::EIO, "eio"),
    (libc::ENXIO, "enxio"),
    (libc::E2BIG, "e2big"),
    (libc::ENOEXEC, "enoexec"),
    (libc::EBADF, "ebadf"),
    (libc::ECHILD, "echild"),
    (libc::EAGAIN, "eagain"),
    (libc::ENOMEM, "enomem"),
    (libc::EACCES, "eacces"),
    (libc::EFAULT, "efault"),
    (libc::EBUSY, "ebusy"),
    (libc::EEXIST, "eexist"),
    (libc::EXDEV, "exdev"),
    (libc::ENODEV, "enodev"),
    (libc::ENOTDIR, "enotdir"),
    (libc::EISDIR, "eisdir"),
    (libc::EINVAL, "einval"),
    (libc::ENFILE, "enfile"),
    (libc::EMFILE, "emfile"),
    (libc::ETXTBSY, "etxtbsy"),
    (libc::EFBIG, "efbig"),
    (libc::ENOSPC, "enospc"),
    (libc::ESPIPE, "espipe"),
    (libc::EROFS, "erofs"),
    (libc::EMLINK, "emlink"),
    (libc::EPIPE, "epipe"),
    (libc::ENAMETOOLONG, "enametoolong"),
    (libc::ENOTEMPTY, "enotempty"),
    (libc::ELOOP, "eloop"),
    (libc::EDQUOT, "edquot"),
    (libc::ENOTSUP, "enotsup"),
    (libc::ETIMEDOUT, "etimedout"),
    (libc::ESTALE, "estale"),
];

/// The POSIX atom of an I/O error: its errno's name, else a name for its
/// kind (`:einval` for data that is not what was asked, `:eio`), else
/// `:unknown`.
pub fn posix(e: &std::io::Error) -> Atom {
    if let Some(code) = e.raw_os_error() {
        if let Some((_, name)) = NAMES.iter().find(|(c, _)| *c == code) {
            return Atom::new(name);
        }
        return Atom::new("unknown");
    }
    use std::io::ErrorKind as K;
    Atom::new(match e.kind() {
        K::NotFound => "enoent",
        K::PermissionDenied => "eacces",
        K::AlreadyExists => "eexist",
        K::InvalidInput | K::InvalidData => "einval",
        K::UnexpectedEof | K::WriteZero => "eio",
        K::BrokenPipe => "epipe",
        K::TimedOut => "etimedout",
        K::OutOfMemory => "enomem",
        _ => "unknown",
    })
}

/// `(:error, reason)`.
pub fn error(reason: Atom) -> Value {
    Value::tuple(vec![Value::Atom(Atom::ERROR), Value::Atom(reason)])
}

/// `(:error, posix(e))`.
pub fn io_error(e: &std::io::Error) -> Value {
    error(posix(e))
}

/// `(:ok, v)`.
pub fn ok(v: Value) -> Value {
    Value::tuple(vec![Value::Atom(Atom::OK), v])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values_get_erlangs_names() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(posix(&e), Atom::new("enoent"));
        let e = std::io::Error::from_raw_os_error(libc::ENOTEMPTY);
        assert_eq!(posix(&e), Atom::new("enotempty"));
        let e = std::io::Error::from_raw_os_error(100_000);
        assert_eq!(posix(&e), Atom::new("unknown"));
        let e = std::io::Error::new(std::io::ErrorKind::InvalidData, "x");
        assert_eq!(posix(&e), Atom::new("einval"));
    }
}

//! Node names and cookies, as `erl` makes them: `--sname a` fills in the
//! short host name, `--name a` the full one; the cookie comes from the
//! flag, else `REEF_COOKIE`, else `~/.erlang.cookie` (created, mode 0400,
//! with a random cookie when missing).

use std::io::Write;
use std::path::PathBuf;

/// A node name is `alive@host`: both parts non-empty, the alive part
/// letters, digits, `_` and `-` (what EPMD accepts).
pub fn check(name: &str) -> Result<(), String> {
    let Some((alive, host)) = name.split_once('@') else {
        return Err(format!("node name {name:?} has no '@host' part"));
    };
    if alive.is_empty() || host.is_empty() || host.contains('@') {
        return Err(format!("node name {name:?} is not of the form alive@host"));
    }
    if alive.len() > 255
        || !alive
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "node name {name:?}: the part before '@' may only hold letters, digits, '_' and '-'"
        ));
    }
    Ok(())
}

/// The full node name for `--sname` (`long: false`) or `--name`
/// (`long: true`): a name without a host part gets this machine's.
pub fn full(name: &str, long: bool) -> Result<String, String> {
    let full = if name.contains('@') {
        name.to_string()
    } else {
        let host = hostname();
        let host = if long {
            host
        } else {
            host.split('.').next().unwrap_or("localhost").to_string()
        };
        format!("{name}@{host}")
    };
    if !long {
        if let Some((_, host)) = full.split_once('@') {
            if host.contains('.') {
                return Err(format!(
                    "--sname {name}: a short name's host part cannot contain '.' (use --name)"
                ));
            }
        }
    }
    check(&full)?;
    Ok(full)
}

/// This machine's host name (`localhost` if it has none).
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is valid for writes of its length; gethostname writes
    // at most that many bytes and we read only up to the first NUL.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(s) if !s.is_empty() => s.to_string(),
        _ => "localhost".into(),
    }
}

/// The cookie to use when none was given: `REEF_COOKIE`, else the
/// contents of `~/.erlang.cookie`, created as `erl` does when missing.
pub fn default_cookie() -> Result<String, String> {
    if let Ok(c) = std::env::var("REEF_COOKIE") {
        if !c.is_empty() {
            return Ok(c);
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .ok_or("no cookie: give --cookie, set REEF_COOKIE, or set HOME for ~/.erlang.cookie")?;
    let path = home.join(".erlang.cookie");
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            let c = s.trim().to_string();
            if c.is_empty() {
                return Err(format!("{} is empty", path.display()));
            }
            Ok(c)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let cookie = random_cookie();
            write_cookie(&path, &cookie)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            Ok(cookie)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Twenty upper-case letters, as `erl` makes them.
fn random_cookie() -> String {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        ^ (u64::from(std::process::id()) << 32);
    let mut s = String::with_capacity(20);
    for _ in 0..20 {
        // xorshift64*
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        s.push((b'A' + (r >> 59) as u8 % 26) as char);
    }
    s
}

fn write_cookie(path: &std::path::Path, cookie: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o400)
        .open(path)?;
    f.write_all(cookie.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(full("a@127.0.0.1", true).unwrap(), "a@127.0.0.1");
        assert!(full("a", false).unwrap().starts_with("a@"));
        assert!(!full("a", false)
            .unwrap()
            .split('@')
            .nth(1)
            .unwrap()
            .contains('.'));
        assert!(full("a@b.c", false).is_err());
        assert!(check("@x").is_err());
        assert!(check("a b@x").is_err());
        assert!(check("a@").is_err());
    }

    #[test]
    fn cookies_are_letters() {
        let c = random_cookie();
        assert_eq!(c.len(), 20);
        assert!(c.bytes().all(|b| b.is_ascii_uppercase()));
    }
}

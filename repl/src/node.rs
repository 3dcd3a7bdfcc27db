//! The node flags (`--sname`, `--name`, `--cookie`, `--dist-port`,
//! `--no-epmd`, `--net-tick`) and `reef epmd`, the port mapper a node
//! starts (detached, as `epmd -daemon`) when none answers.

use std::process::ExitCode;

use lexopt::prelude::*;
use std::sync::Arc;
use std::time::Duration;

use reef_vm::dist::{names, NodeConfig};

#[derive(Default)]
pub struct NodeFlags {
    name: Option<(String, bool)>,
    cookie: Option<String>,
    port: Option<u16>,
    no_epmd: bool,
    net_tick: Option<u64>,
}

impl NodeFlags {
    /// Whether `flag` is one of ours.
    pub fn takes(flag: &str) -> bool {
        matches!(
            flag,
            "sname" | "name" | "cookie" | "dist-port" | "no-epmd" | "net-tick"
        )
    }

    pub fn set(&mut self, flag: &str, parser: &mut lexopt::Parser) -> Result<(), lexopt::Error> {
        match flag {
            "sname" | "name" if self.name.is_some() => {
                return Err("give one of --name and --sname, once".into())
            }
            "sname" => self.name = Some((parser.value()?.string()?, false)),
            "name" => self.name = Some((parser.value()?.string()?, true)),
            "cookie" => self.cookie = Some(parser.value()?.string()?),
            "dist-port" => self.port = Some(parser.value()?.parse()?),
            "no-epmd" => self.no_epmd = true,
            "net-tick" => {
                let v: u64 = parser.value()?.parse()?;
                if v == 0 {
                    return Err("--net-tick needs a number of seconds above 0".into());
                }
                self.net_tick = Some(v);
            }
            _ => unreachable!("`takes` lists the flags"),
        }
        Ok(())
    }

    /// `--cookie`, if given (`reef top` connects with it).
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The node to start, if a name was given.
    pub fn config(&self) -> Result<Option<NodeConfig>, String> {
        let Some((name, long)) = &self.name else {
            if self.cookie.is_some() || self.port.is_some() || self.no_epmd {
                return Err("--cookie, --dist-port and --no-epmd need --name or --sname".into());
            }
            return Ok(None);
        };
        let full = names::full(name, *long)?;
        let cookie = match &self.cookie {
            Some(c) => c.clone(),
            None => names::default_cookie()?,
        };
        let mut cfg = NodeConfig::new(&full, &cookie);
        cfg.port = self.port;
        cfg.epmd = !self.no_epmd;
        if self.no_epmd && self.port.is_none() {
            return Err("--no-epmd needs --dist-port (other nodes must know the port)".into());
        }
        if let Some(t) = self.net_tick {
            cfg.net_tick = Duration::from_secs(t);
        }
        cfg.start_epmd = Some(Arc::new(start_epmd_daemon));
        Ok(Some(cfg))
    }
}

/// EPMD's port: `ERL_EPMD_PORT`, else 4369.
pub fn default_epmd_port() -> u16 {
    std::env::var("ERL_EPMD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(4369)
}

/// Starts `reef epmd --daemon` on `port`, detached from this program so
/// that it outlives it (as `epmd -daemon`).
fn start_epmd_daemon(port: u16) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["epmd", "--daemon", "--port", &port.to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        // Its own session: no terminal's signals reach it.
        .process_group(0);
    let mut child = cmd.spawn()?;
    // The daemon forks nothing: reap it from a thread if it ends early
    // (say, another EPMD took the port first).
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// `reef epmd`: serves until killed.
pub fn epmd(port: u16, daemon: bool) -> ExitCode {
    if daemon {
        // SAFETY: setsid has no memory-safety preconditions; it fails
        // harmlessly if this process already leads a group.
        unsafe {
            libc::setsid();
        }
    }
    let addr = std::net::SocketAddr::from(([0, 0, 0, 0], port));
    match reef_vm::dist::epmd_server::run(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("reef epmd: cannot serve on port {port}: {e}");
            ExitCode::FAILURE
        }
    }
}

//! The process table: pid -> entry, and the registry of names.
//!
//! An [`Entry`] is the part of a process other threads may touch: a lock
//! around the process itself (absent while a scheduler thread runs it)
//! and the signals that came meanwhile. The table is split in shards so
//! that spawning and looking up pids on several threads rarely contend.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rustc_hash::FxHashMap;

use crate::process::Process;
use crate::signal::Signal;
use crate::value::{Atom, Pid};

pub struct Entry {
    pub pid: Pid,
    slot: Mutex<Slot>,
    /// For a host mailbox (a pid the embedding program receives on): the
    /// host waits on this for a message.
    pub(crate) host: Option<Box<crate::embed::mailbox::HostWait>>,
    /// It has a registered name (so its end must take the registry lock).
    named: AtomicBool,
    /// Published for readers that must not wait for a running process
    /// (the memory monitor, `process.info`): its memory estimate in bytes
    /// (set at each slice's end, raised as messages arrive) ...
    pub(crate) memory: AtomicUsize,
    /// ... and its mailbox's length at its last scheduling point (the
    /// queue is then `queued + inbox.len()`, an upper bound while it runs).
    pub(crate) queued: AtomicUsize,
    /// `process.flag(:max_queue, n)`, mirrored at each slice's end so a
    /// sender can tell without the lock that it need not look (0: none).
    pub(crate) max_queue: AtomicUsize,
}

pub struct Slot {
    /// The process, when no scheduler thread is running it.
    pub body: Option<Box<Process>>,
    /// Signals that came while it ran (applied when its slice ends), or a
    /// host mailbox's messages.
    pub inbox: Vec<Signal>,
    /// It has ended: signals to it go to the dead-letter rules.
    pub dead: bool,
    /// Senders parked because its queue was full, oldest first.
    pub senders: std::collections::VecDeque<Pid>,
    /// Its reductions and current function at its last slice's end, for
    /// `process.info` of a process that stays running (`reef top`
    /// watching a busy loop).
    pub last_seen: (u64, Option<(crate::value::Atom, crate::value::Atom, u32)>),
}

impl Slot {
    /// Messages queued for it now: its mailbox (or, while it runs, its
    /// length at the slice's start) and the signals waiting in the inbox.
    pub fn queue_len(&self, e: &Entry) -> usize {
        match &self.body {
            Some(b) => b.mailbox.len() + self.inbox.len(),
            None => e.queued.load(Ordering::Relaxed) + self.inbox.len(),
        }
    }

    /// Whether a plain message from another process must wait: its
    /// queue holds `max_queue` messages, and it is not parked in a receive
    /// without a timeout (then none of its messages matches, and only a
    /// new message can let it make room).
    pub fn is_full(&self, e: &Entry) -> bool {
        let max = e.max_queue.load(Ordering::Relaxed);
        max > 0
            && !self.body.as_ref().is_some_and(|b| b.wants_a_message())
            && self.queue_len(e) >= max
    }
}

impl Entry {
    pub fn new(pid: Pid, body: Option<Box<Process>>, host: bool) -> Arc<Entry> {
        Arc::new(Entry {
            pid,
            slot: Mutex::new(Slot {
                body,
                inbox: Vec::new(),
                dead: false,
                senders: Default::default(),
                last_seen: (0, None),
            }),
            host: host.then(Default::default),
            named: AtomicBool::new(false),
            memory: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            max_queue: AtomicUsize::new(0),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Slot> {
        // A panic while holding the lock is a VM bug; the slot itself is
        // still consistent, so go on rather than poison every later send.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn host_wait<'a>(
        &self,
        guard: MutexGuard<'a, Slot>,
        timeout: std::time::Duration,
    ) -> MutexGuard<'a, Slot> {
        match &self.host {
            Some(h) => h.wait(guard, timeout),
            None => guard,
        }
    }
}

const SHARDS: usize = 64;

/// One shard of the table.
type Shard = RwLock<FxHashMap<Pid, Arc<Entry>>>;

pub struct ProcTable {
    shards: Box<[Shard]>,
    count: AtomicUsize,
    names: RwLock<Registry>,
}

#[derive(Default)]
struct Registry {
    by_name: FxHashMap<Atom, Pid>,
    by_pid: FxHashMap<Pid, Atom>,
}

impl Default for ProcTable {
    fn default() -> ProcTable {
        ProcTable {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            count: AtomicUsize::new(0),
            names: RwLock::default(),
        }
    }
}

impl ProcTable {
    fn shard(&self, pid: Pid) -> &Shard {
        &self.shards[(pid.0 as usize) % SHARDS]
    }

    pub fn insert(&self, e: Arc<Entry>) {
        let mut shard = self.shard(e.pid).write().unwrap_or_else(|e| e.into_inner());
        if shard.insert(e.pid, e).is_none() {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn get(&self, pid: Pid) -> Option<Arc<Entry>> {
        self.shard(pid)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&pid)
            .cloned()
    }

    /// Takes an ended process out of the table and the registry.
    pub fn remove(&self, pid: Pid) -> Option<Arc<Entry>> {
        let e = self
            .shard(pid)
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&pid);
        if let Some(entry) = &e {
            self.count.fetch_sub(1, Ordering::Relaxed);
            if entry.named.load(Ordering::SeqCst) {
                let mut names = self.names.write().unwrap_or_else(|e| e.into_inner());
                if let Some(name) = names.by_pid.remove(&pid) {
                    names.by_name.remove(&name);
                }
            }
        }
        e
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Every entry, in pid order.
    pub fn entries(&self) -> Vec<Arc<Entry>> {
        let mut all: Vec<Arc<Entry>> = Vec::with_capacity(self.len());
        for shard in self.shards.iter() {
            all.extend(
                shard
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .values()
                    .cloned(),
            );
        }
        all.sort_by_key(|e| e.pid);
        all
    }

    /// Names `pid`, which must be alive, not named yet, and the name free.
    pub fn register(&self, name: Atom, pid: Pid) -> bool {
        let mut names = self.names.write().unwrap_or_else(|e| e.into_inner());
        if names.by_name.contains_key(&name) || names.by_pid.contains_key(&pid) {
            return false;
        }
        // Checked under the registry lock: a process that ends takes its
        // name out after it is marked dead, so it cannot be named after.
        let Some(e) = self.get(pid) else {
            return false;
        };
        let slot = e.lock();
        if slot.dead {
            return false;
        }
        // Set before the process can be seen dead by `remove` (which marks
        // it dead under the same lock first, then reads this flag).
        e.named.store(true, Ordering::SeqCst);
        drop(slot);
        names.by_name.insert(name, pid);
        names.by_pid.insert(pid, name);
        true
    }

    pub fn unregister(&self, name: Atom) -> bool {
        let mut names = self.names.write().unwrap_or_else(|e| e.into_inner());
        match names.by_name.remove(&name) {
            Some(pid) => {
                names.by_pid.remove(&pid);
                true
            }
            None => false,
        }
    }

    pub fn whereis(&self, name: Atom) -> Option<Pid> {
        self.names
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_name
            .get(&name)
            .copied()
    }

    pub fn name_of(&self, pid: Pid) -> Option<Atom> {
        self.names
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_pid
            .get(&pid)
            .copied()
    }
}

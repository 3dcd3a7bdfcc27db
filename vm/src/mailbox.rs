//! A process's mailbox: messages in arrival order, and the cursor of the
//! receive in progress (selective receive scans from the oldest message;
//! the one that matches is removed and the others stay, in order).
//!
//! Messages in the mailbox are already copies in the receiving process's
//! heap. Senders never touch it while the process runs: their signals
//! wait in the process's table entry (`proc_table.rs`) until its slice
//! ends.

use std::collections::VecDeque;

use crate::value::{Ref, Value};

/// A message on its way to another process: a deep copy
/// (`value::copy::deep_copy`) that shares no `Rc` node with anything else.
pub struct Message {
    value: Value,
    /// Its size in words (`value::size`), counted toward the receiver's
    /// memory when it arrives.
    words: usize,
}

// SAFETY: a `Message` is only made from a fresh deep copy (see
// `Message::copy_of`), so no `Rc` in it is reachable from any other place;
// moving it to another thread moves every refcount it touches.
unsafe impl Send for Message {}

impl Message {
    /// Copies `v` into a message for another process.
    pub fn copy_of(v: &Value) -> Message {
        let value = crate::value::copy::deep_copy(v);
        let words = words_of(&value);
        Message { value, words }
    }

    /// Its size in words (its terms, not its slot in the queue).
    pub fn words(&self) -> usize {
        self.words
    }

    /// A message of a term built fresh for it, without copying.
    ///
    /// # Safety
    /// No `Rc` node of `v` may be reachable from anywhere else (it was
    /// built by the caller from values it owns exclusively).
    pub(crate) unsafe fn from_fresh(value: Value) -> Message {
        let words = words_of(&value);
        Message { value, words }
    }

    pub fn into_value(self) -> Value {
        self.value
    }
}

/// The words of a message: small flat tuples (most messages) are counted
/// here without allocating; anything else by `value::size`.
fn words_of(v: &Value) -> usize {
    fn flat(v: &Value) -> Option<usize> {
        match v {
            Value::Int(_)
            | Value::Float(_)
            | Value::Atom(_)
            | Value::Nil
            | Value::Pid(_)
            | Value::Ref(_) => Some(0),
            Value::Str(s) => Some(2 + s.len().div_ceil(8)),
            _ => None,
        }
    }
    if let Some(w) = flat(v) {
        return w;
    }
    if let Value::Tuple(t) = v {
        let inner: Option<usize> = t.iter().map(flat).sum();
        if let Some(w) = inner {
            return 1 + 2 * t.len() + w;
        }
    }
    let mut s = crate::value::size::Sizer::default();
    s.add(v);
    s.words
}

#[derive(Default)]
pub struct Mailbox {
    messages: VecDeque<Value>,
    /// Index of the message the current receive looks at.
    cursor: usize,
    /// The receive marker: a reference this process made, and how many
    /// messages were queued then. No older message can hold the
    /// reference, so a receive that only matches messages holding it
    /// starts there (BEAM's receive-marker optimisation: a request/reply
    /// with a fresh reference costs O(1) however long the mailbox).
    marker: Option<(Ref, usize)>,
}

impl Mailbox {
    pub fn push(&mut self, msg: Value) {
        self.messages.push_back(msg);
    }

    /// The message under the cursor, if any is left.
    #[inline]
    pub fn current(&self) -> Option<&Value> {
        self.messages.get(self.cursor)
    }

    /// Moves the cursor to the first message at or after it that is a
    /// tuple of `arity` elements tagged with `tag`, and returns it.
    #[inline]
    pub fn scan_tagged(&mut self, arity: usize, tag: crate::value::Atom) -> Option<&Value> {
        let from = self.cursor.min(self.messages.len());
        let skipped = self
            .messages
            .range(from..)
            .position(|m| m.is_tagged(arity, tag));
        match skipped {
            Some(k) => {
                self.cursor = from + k;
                self.messages.get(self.cursor)
            }
            None => {
                self.cursor = self.messages.len();
                None
            }
        }
    }

    /// Moves the cursor past the current message. The cursor never goes
    /// past the end: bytecode may run `RecvSkip` on an empty mailbox (the
    /// validator does not prove receive sequencing), and every other
    /// method relies on `cursor <= len`.
    #[inline]
    pub fn skip(&mut self) {
        if self.cursor < self.messages.len() {
            self.cursor += 1;
        }
    }

    /// Removes the message under the cursor and resets the cursor.
    pub fn accept(&mut self) -> Option<Value> {
        let msg = if self.cursor == 0 {
            self.messages.pop_front()
        } else {
            self.messages.remove(self.cursor)
        };
        if let (Some(_), Some((_, pos))) = (&msg, &mut self.marker) {
            if self.cursor < *pos {
                *pos -= 1;
            }
        }
        self.cursor = 0;
        msg
    }

    /// Remembers that reference `r` was made now.
    pub fn set_marker(&mut self, r: Ref) {
        self.marker = Some((r, self.messages.len()));
    }

    /// A receive whose every clause needs `r` in the message starts past
    /// the messages older than `r`.
    #[inline]
    pub fn use_marker(&mut self, r: Ref) {
        if let Some((mr, pos)) = self.marker {
            if mr == r && self.cursor < pos {
                self.cursor = pos.min(self.messages.len());
            }
        }
    }

    /// Removes the oldest message for which `pred` holds.
    pub fn remove_first(&mut self, pred: impl Fn(&Value) -> bool) {
        if let Some(i) = self.messages.iter().position(pred) {
            self.cursor = i;
            self.accept();
        }
    }

    /// The messages, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.messages.iter()
    }

    /// Bytes of the queue itself (not the terms).
    pub fn bytes(&self) -> usize {
        self.messages.capacity() * std::mem::size_of::<Value>()
    }

    /// Back to the oldest message (a receive timed out or starts over).
    pub fn reset_cursor(&mut self) {
        self.cursor = 0;
    }

    /// Whether a message has arrived past the cursor (a parked receive has
    /// something new to look at).
    pub fn has_unseen(&self) -> bool {
        self.cursor < self.messages.len()
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Takes every message out, oldest first.
    pub fn drain(&mut self) -> Vec<Value> {
        self.cursor = 0;
        self.marker = None;
        self.messages.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_knows_its_size() {
        use crate::value::size::Sizer;
        let flat = Value::tuple(vec![Value::atom("ping"), Value::Int(1), Value::str("abc")]);
        let nested = Value::tuple(vec![Value::atom("x"), Value::list(vec![Value::Int(1); 10])]);
        for v in [flat, nested, Value::Int(3), Value::str("hello")] {
            let mut s = Sizer::default();
            s.add(&v);
            assert_eq!(Message::copy_of(&v).words(), s.words, "{v}");
        }
    }

    #[test]
    fn selective_receive_keeps_the_others_in_order() {
        let mut mb = Mailbox::default();
        for i in 0..4 {
            mb.push(Value::Int(i));
        }
        mb.skip();
        mb.skip();
        assert!(matches!(mb.accept(), Some(Value::Int(2))));
        assert!(matches!(mb.current(), Some(Value::Int(0))));
        let rest: Vec<_> = mb.drain().into_iter().map(|v| v.to_string()).collect();
        assert_eq!(rest, ["0", "1", "3"]);
    }

    #[test]
    fn the_receive_marker_skips_older_messages_and_follows_removals() {
        let mut mb = Mailbox::default();
        mb.push(Value::Int(0));
        mb.push(Value::Int(1));
        let r = Ref(7);
        mb.set_marker(r);
        mb.push(Value::Int(2));
        // Taking an older message out moves the marker with the queue.
        mb.skip();
        assert!(matches!(mb.accept(), Some(Value::Int(1))));
        mb.use_marker(Ref(8)); // another reference: no effect
        assert!(matches!(mb.current(), Some(Value::Int(0))));
        mb.use_marker(r);
        assert!(matches!(mb.current(), Some(Value::Int(2))));
    }

    #[test]
    fn skipping_an_empty_mailbox_then_scanning_does_not_panic() {
        use crate::value::Atom;
        let mut mb = Mailbox::default();
        mb.skip();
        mb.skip();
        assert!(mb.scan_tagged(2, Atom::new("x")).is_none());
        assert!(mb.current().is_none());
        assert!(mb.accept().is_none());
        mb.push(Value::tuple(vec![Value::atom("x"), Value::Int(1)]));
        assert!(mb.has_unseen());
        assert!(mb.scan_tagged(2, Atom::new("x")).is_some());
    }

    #[test]
    fn scanning_for_a_tag_skips_other_messages_and_keeps_them() {
        use crate::value::Atom;
        let mut mb = Mailbox::default();
        let want = Atom::new("want");
        mb.push(Value::tuple(vec![Value::atom("junk"), Value::Int(1)]));
        mb.push(Value::Int(2));
        mb.push(Value::tuple(vec![Value::Atom(want)]));
        mb.push(Value::tuple(vec![Value::Atom(want), Value::Int(3)]));
        let hit = mb.scan_tagged(2, want).map(|v| v.to_string());
        assert_eq!(hit.as_deref(), Some("(:want, 3)"));
        mb.accept();
        assert_eq!(mb.len(), 3);
        assert!(mb.scan_tagged(2, want).is_none());
        assert!(!mb.has_unseen());
    }
}

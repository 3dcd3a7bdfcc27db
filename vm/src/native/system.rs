//! `system`: the VM as a whole, as Erlang's `erlang:system_info/1`,
//! `erlang:statistics/1` and `erlang:memory/0` show it: schedulers and
//! how busy they have been, memory, the process count. `reef top` reads
//! these on any node by RPC (spec 8.16, 14.6).

use std::sync::atomic::Ordering;

use crate::exports::NativeFn;
use crate::value::{MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("schedulers", 0, |ctx, _| {
        Ok(Value::Int(ctx.rt.scheduler.count() as i64))
    }),
    ("process_count", 0, |ctx, _| {
        Ok(Value::Int(ctx.rt.scheduler.table.len() as i64))
    }),
    // `[(id, busy_us, total_us)]`, one per scheduler thread, as
    // `statistics(scheduler_wall_time)`: the utilisation over an interval
    // is the difference of `busy_us` over the difference of `total_us`.
    ("scheduler_wall_time", 0, |ctx, _| {
        let rows: Vec<Value> = ctx
            .rt
            .scheduler
            .wall_time()
            .into_iter()
            .enumerate()
            .map(|(i, (busy, total))| {
                Value::tuple(vec![
                    Value::Int(i as i64 + 1),
                    Value::Int(busy as i64),
                    Value::Int(total as i64),
                ])
            })
            .collect();
        Ok(Value::list(rows))
    }),
    // `#{total: bytes, processes: bytes}`: the program's resident set
    // (0 where the OS does not say), and the sum of every process's
    // published estimate (`process.info(p, :memory)` without the walk).
    ("memory", 0, |ctx, _| {
        let processes: usize = ctx
            .rt
            .scheduler
            .table
            .entries()
            .iter()
            .map(|e| e.memory.load(Ordering::Relaxed))
            .sum();
        let total = crate::ceiling::rss_bytes().unwrap_or(0);
        let mut m = MapData::new();
        m.insert(Value::atom("total"), Value::Int(total as i64));
        m.insert(Value::atom("processes"), Value::Int(processes as i64));
        Ok(Value::map(m))
    }),
];

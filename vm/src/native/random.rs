//! `random` (spec 8.14): pseudo-random numbers from a generator that
//! belongs to the calling process (`Process::rng`, fastrand's wyrand), as
//! Erlang's `rand` keeps its state in the process dictionary. A process
//! that never called `random.seed` draws from a generator seeded from the
//! OS on first use; `random.seed(n)` makes its sequence reproducible and
//! touches no other process. Not for cryptography.

use super::{int, list, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::Value;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("seed", 1, |ctx, a| {
        let n = match &a[0] {
            Value::Int(i) => *i as u64,
            // A big seed folds its bytes into 64 bits.
            Value::BigInt(b) => b.to_signed_bytes_le().chunks(8).fold(0u64, |acc, c| {
                let mut w = [0u8; 8];
                w[..c.len()].copy_from_slice(c);
                acc.rotate_left(7) ^ u64::from_le_bytes(w)
            }),
            _ => return Err(Exception::badarg()),
        };
        ctx.proc.rng = Some(Box::new(fastrand::Rng::with_seed(n)));
        Ok(Value::OK)
    }),
    ("uniform", 0, |ctx, _| Ok(Value::Float(rng(ctx).f64()))),
    ("int", 2, |ctx, a| {
        let (lo, hi) = (int(&a[0])?, int(&a[1])?);
        if lo > hi {
            return Err(Exception::badarg());
        }
        Ok(Value::Int(rng(ctx).i64(lo..=hi)))
    }),
    ("shuffle", 1, |ctx, a| {
        let mut xs = list(&a[0])?;
        ctx.charge(xs.len() / 4);
        rng(ctx).shuffle(&mut xs);
        Ok(Value::list(xs))
    }),
    ("pick", 1, |ctx, a| {
        let xs = list(&a[0])?;
        ctx.charge(xs.len() / 4);
        if xs.is_empty() {
            return Err(Exception::badarg());
        }
        let i = rng(ctx).usize(..xs.len());
        Ok(xs[i].clone())
    }),
];

/// The calling process's generator, made on first use.
fn rng<'c>(ctx: &'c mut Ctx<'_>) -> &'c mut fastrand::Rng {
    ctx.proc
        .rng
        .get_or_insert_with(|| Box::new(fastrand::Rng::new()))
}

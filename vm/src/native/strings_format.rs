//! `strings`, the natives added with the data stdlib (spec 8.5):
//! splitting into tokens and lines, padding, integers in other bases,
//! floats with a fixed number of decimals. Lengths count characters, as
//! in the rest of `strings`.

use num_bigint::BigInt;
use num_traits::Num;

use super::{index, int, string};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::Value;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("tokens", 2, |ctx, a| {
        let (s, seps) = (string(&a[0])?, string(&a[1])?);
        ctx.charge(s.len() / 64);
        let parts: Vec<Value> = s
            .split(|c| seps.contains(c))
            .filter(|t| !t.is_empty())
            .map(Value::str)
            .collect();
        Ok(Value::list(parts))
    }),
    ("word_count", 1, |ctx, a| {
        // Words as `wc` counts them: runs of anything but ASCII white
        // space. Counted without building a string per word.
        let s = string(&a[0])?;
        ctx.charge(s.len() / 64);
        let n = count_words(s.as_bytes());
        Ok(Value::Int(n as i64))
    }),
    ("lines", 1, |ctx, a| {
        let s = string(&a[0])?;
        ctx.charge(s.len() / 64);
        Ok(Value::list(s.lines().map(Value::str).collect::<Vec<_>>()))
    }),
    ("pad_left", 2, |ctx, a| pad(ctx, &a[0], &a[1], " ", true)),
    ("pad_left", 3, |ctx, a| {
        pad(ctx, &a[0], &a[1], string(&a[2])?, true)
    }),
    ("pad_right", 2, |ctx, a| pad(ctx, &a[0], &a[1], " ", false)),
    ("pad_right", 3, |ctx, a| {
        pad(ctx, &a[0], &a[1], string(&a[2])?, false)
    }),
    ("from_int", 2, |_, a| {
        let base = base(&a[1])?;
        let text = match &a[0] {
            Value::Int(i) => BigInt::from(*i).to_str_radix(base),
            Value::BigInt(b) => b.to_str_radix(base),
            _ => return Err(Exception::badarg()),
        };
        Ok(Value::str(text.to_uppercase()))
    }),
    ("to_int", 2, |_, a| {
        let (s, base) = (string(&a[0])?, base(&a[1])?);
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
            return Err(Exception::badarg());
        }
        BigInt::from_str_radix(s, base)
            .map(Value::from_bigint)
            .map_err(|_| Exception::badarg())
    }),
    ("from_float", 2, |_, a| {
        let x = match &a[0] {
            Value::Float(x) => *x,
            _ => return Err(Exception::badarg()),
        };
        let d = index(&a[1])?;
        if d > 253 {
            return Err(Exception::badarg());
        }
        Ok(Value::str(format!("{x:.d$}")))
    }),
];

/// A base from 2 to 36.
fn base(v: &Value) -> Result<u32, Exception> {
    match int(v)? {
        b @ 2..=36 => Ok(b as u32),
        _ => Err(Exception::badarg()),
    }
}

/// `s` padded to `n` characters with `fill` (one character) on the left
/// or the right; a longer `s` is returned as it is.
fn pad(
    ctx: &mut super::Ctx<'_>,
    s: &Value,
    n: &Value,
    fill: &str,
    left: bool,
) -> Result<Value, Exception> {
    let (text, n) = (string(s)?, index(n)?);
    let mut chars = fill.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Err(Exception::badarg());
    };
    let have = text.chars().count();
    if have >= n {
        return Ok(s.clone());
    }
    let extra = n - have;
    let bytes = text.len() as u128 + extra as u128 * c.len_utf8() as u128;
    if bytes > crate::heap::MAX_TERM_BYTES as u128 {
        return Err(crate::heap::system_limit());
    }
    ctx.reserve(2 + (bytes as usize).div_ceil(8))?;
    let fill: String = std::iter::repeat_n(c, extra).collect();
    Ok(Value::str(if left {
        fill + text
    } else {
        format!("{text}{fill}")
    }))
}

/// ASCII white space as `wc` sees it: space, `\t`, `\n`, vertical tab,
/// form feed, `\r`.
static SPACE: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[0x0b] = true;
    t[0x0c] = true;
    t[b'\r' as usize] = true;
    t
};

/// Words in `bytes`: a word starts where a non-space follows a space (or
/// the start). Eight bytes at a time (a mask of their white space, then
/// the starts counted with one popcount), the tail byte by byte.
fn count_words(bytes: &[u8]) -> usize {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut n = 0usize;
    // Whether the byte before the current one was white space.
    let mut after_space = true;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let y = x & LO7;
        // High bit of each byte: the byte is 0x20 ...
        let t = x ^ 0x2020_2020_2020_2020;
        let is_20 = !(((t & LO7) + LO7) | t) & HI;
        // ... or in 0x09..=0x0d (and ASCII): y >= 9 and y < 14.
        let ge9 = (y + 0x7777_7777_7777_7777) & HI;
        let lt14 = !(y + 0x7272_7272_7272_7272) & HI;
        let space = (is_20 | (ge9 & lt14 & !x)) & HI;
        // One bit per byte, byte i at bit i.
        let mask = ((space >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
        let before = (mask << 1) | u32::from(after_space);
        n += (!mask & before & 0xff).count_ones() as usize;
        after_space = mask & 0x80 != 0;
    }
    for &b in chunks.remainder() {
        let space = SPACE[b as usize];
        n += usize::from(after_space & !space);
        after_space = space;
    }
    n
}

#[cfg(test)]
mod tests {
    /// The eight-at-a-time count agrees with the byte-by-byte one on
    /// every white-space class, non-ASCII bytes and every alignment.
    #[test]
    fn count_words_agrees_with_a_byte_by_byte_count() {
        let alphabet: &[u8] = b" \t\n\x0b\x0c\rab\x08\x0e\x1f!\x7f\x80\xa0\xff";
        let mut seed = 12345u64;
        for len in 0..200 {
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            let mut slow = 0;
            let mut after_space = true;
            for &b in &text {
                let space = super::SPACE[b as usize];
                slow += usize::from(after_space && !space);
                after_space = space;
            }
            assert_eq!(super::count_words(&text), slow, "{text:?}");
        }
    }
}

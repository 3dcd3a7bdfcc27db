//! The ETF codec against eetf, an independent one: what we write, eetf
//! reads; what eetf writes back, we read to the same value. Generated
//! values cover every shape a native function's arguments may take.

use std::collections::BTreeMap;

use proptest::prelude::*;
use reef_native::{from_etf, to_etf, Binary};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "snake_case")]
enum Event {
    Tick,
    Moved(i64),
    Resized(u32, u32),
    Renamed { from: String, to: String },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Record {
    id: u64,
    name: String,
    score: f64,
    tags: Vec<String>,
    raw: Binary,
    parent: Option<i128>,
    events: Vec<Event>,
    counts: BTreeMap<String, i64>,
    pair: (bool, i32),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Tick),
        any::<i64>().prop_map(Event::Moved),
        (any::<u32>(), any::<u32>()).prop_map(|(w, h)| Event::Resized(w, h)),
        (".{0,8}", ".{0,8}").prop_map(|(from, to)| Event::Renamed { from, to }),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (
        any::<u64>(),
        ".{0,12}",
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        prop::collection::vec("[a-z]{0,6}", 0..4),
        prop::collection::vec(any::<u8>(), 0..16),
        any::<Option<i128>>(),
        prop::collection::vec(event(), 0..4),
        prop::collection::btree_map("[a-z]{1,4}", any::<i64>(), 0..4),
        (any::<bool>(), any::<i32>()),
    )
        .prop_map(
            |(id, name, score, tags, raw, parent, events, counts, pair)| Record {
                id,
                name,
                score,
                tags,
                raw: Binary(raw),
                parent,
                events,
                counts,
                pair,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trips_through_eetf(r in record()) {
        let ours = to_etf(&r).unwrap();
        prop_assert_eq!(from_etf::<Record>(&ours).unwrap(), r.clone());
        let theirs = eetf::Term::decode(&ours[..]).unwrap();
        let mut again = Vec::new();
        theirs.encode(&mut again).unwrap();
        prop_assert_eq!(from_etf::<Record>(&again).unwrap(), r);
    }

    /// Bytes that are no term, or not this shape, are errors: never a
    /// panic, whatever they hold.
    #[test]
    fn arbitrary_bytes_never_panic(mut b in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Some(first) = b.first_mut() {
            *first = 131;
        }
        let _ = from_etf::<Record>(&b);
        let _ = from_etf::<Vec<Event>>(&b);
        let _ = from_etf::<(String, Binary, Option<u8>)>(&b);
    }
}

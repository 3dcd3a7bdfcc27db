//! The atom table's limit (its own test binary: the table is the
//! program's, shared by every VM in it).

use reef_vm::internals::atom_count;
use reef_vm::Vm;

#[test]
fn to_atom_stops_at_the_limit_with_system_limit() {
    let room = 5_000;
    let limit = atom_count() + room;
    let vm = Vm::builder()
        .env_path(false)
        .stdout(std::io::sink())
        .max_atoms(limit)
        .build();
    let src = r#"
pub fn main() {
  let made = try { flood(0) } catch { (:error, e) => e }
  let long = try { to_atom(strings.repeat("a", 256)) } catch { (:error, e) => e }
  let again = to_atom("fresh_atom_0")
  let missing = try { strings.to_existing_atom("never_made_here") } catch { (:error, e) => e }
  (made, long, again, missing)
}

fn flood(n) {
  to_atom("fresh_atom_#{n}")
  flood(n + 1)
}
"#;
    vm.load_source("atoms", "atoms.reef", src).unwrap();
    let r = vm.run_main("atoms", vec![]).map_err(|c| c.report).unwrap();
    // An atom that exists is found even when the table is full.
    assert_eq!(
        r.to_string(),
        "(:system_limit, :system_limit, :fresh_atom_0, :badarg)"
    );
    assert!(atom_count() <= limit, "{} atoms", atom_count());
    assert!(reef_vm::Atom::existing(&format!("fresh_atom_{}", room + 10)).is_none());
}

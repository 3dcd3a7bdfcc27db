//! The VM-wide memory ceiling (its own test binary: the ceiling is judged
//! by the program's resident set size, which other tests would share).

use reef_vm::Vm;

/// Both cases run in one test, one after the other: the ceiling is judged
/// by the program's resident set, which two VMs at once would share.
#[test]
fn near_the_ceiling_the_biggest_process_is_killed_and_the_rest_go_on() {
    flood_is_stopped(true);
    // The ceiling's own thread may get no CPU on a loaded machine: the
    // scheduler threads, which do the allocating, sample it too.
    flood_is_stopped(false);
}

fn flood_is_stopped(ceiling_thread: bool) {
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<usize>().ok()
        });
    let Some(kb) = rss else {
        return; // no /proc here: nothing to measure by
    };
    let vm = Vm::builder()
        .env_path(false)
        .stdout(std::io::sink())
        .stderr(std::io::sink())
        .max_memory(kb * 1024 + (150 << 20))
        .ceiling_thread(ceiling_thread)
        .build();
    let src = r#"
pub fn main() {
  let (rx, r) = spawn_monitor(fn() { receive { :never => :ok } })
  let payload = lists.seq(1, 100)
  spawn(fn() { flood(rx, payload) })
  spawn(fn() { flood(rx, payload) })
  let small = spawn(fn() { receive { :stop => :ok } })
  receive {
    (:DOWN, ^r, :process, ^rx, reason) =>
      (reason, process.alive(small), process.alive(self()))
  } after 30000 => :not_killed
}

fn flood(to, payload) {
  to ! payload
  flood(to, payload)
}
"#;
    vm.load_source("ceiling", "ceiling.reef", src).unwrap();
    let r = vm
        .run_main("ceiling", vec![])
        .map_err(|c| c.report)
        .unwrap();
    assert_eq!(
        r.to_string(),
        "((:system_limit, :memory), true, true)",
        "with the ceiling's thread: {ceiling_thread}"
    );
}

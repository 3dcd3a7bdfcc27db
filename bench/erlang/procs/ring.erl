%% A token passed around a ring (erl -noshell -run ring main 10000 1000):
%% Procs processes pass a counter that starts at Procs * Laps and goes down
%% by one per hop; the one that receives 0 tells the parent. Prints the cost
%% per hop. Same as bench/reef/procs/ring.reef.
-module(ring).
-export([main/1]).

main(Args) ->
    Procs = arg(Args, 1, 10000),
    Laps = arg(Args, 2, 1000),
    Me = self(),
    Pids = spawn_members(Procs, Me, []),
    wire(Pids, hd(Pids)),
    Hops = Procs * Laps,
    T0 = now_us(),
    hd(Pids) ! Hops,
    receive done -> ok end,
    T1 = now_us(),
    metric("ring_hop_ns", (T1 - T0) * 1000 / Hops, "ns"),
    halt(0).

spawn_members(0, _Me, Acc) -> Acc;
spawn_members(K, Me, Acc) ->
    P = spawn(fun() -> receive {next, Next} -> relay(Next, Me) end end),
    spawn_members(K - 1, Me, [P | Acc]).

wire([P], First) -> P ! {next, First};
wire([P, Q | Rest], First) ->
    P ! {next, Q},
    wire([Q | Rest], First).

relay(Next, Me) ->
    receive
        0 ->
            Me ! done,
            relay(Next, Me);
        K ->
            Next ! K - 1,
            relay(Next, Me)
    end.

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.

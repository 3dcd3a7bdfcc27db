%% Distribution benchmarks between two nodes on loopback, the same program
%% as bench/dist/reef/dist_bench.reef. One node runs the server role, the
%% other the client role, which measures and prints `metric NAME VALUE UNIT`
%% lines, then stops the server.
%%
%%   erl -name s@127.0.0.1 -setcookie C -noshell -run dist_bench server
%%   erl -name c@127.0.0.1 -setcookie C -noshell -run dist_bench client s@127.0.0.1 \
%%       CONNECTS ROUND_TRIPS MESSAGES MB_TRANSFERS SPAWNS
-module(dist_bench).
-export([main/1, server/0, client/1, hello/1]).

main(["server"]) -> server();
main(["client" | Args]) -> client(Args).

%% ---- the server ----

server() ->
    register(echo, spawn(fun echo/0)),
    register(sink, spawn(fun sink/0)),
    register(bigsink, spawn(fun bigsink/0)),
    register(main, self()),
    io:format("ready~n"),
    receive
        {stop, From} -> From ! stopped
    after 600000 -> timeout
    end,
    %% Give the reply time to leave before the node goes.
    timer:sleep(100),
    halt(0).

echo() ->
    receive
        {From, big, _Bin} -> From ! ack;
        {From, pid} -> From ! {echo_pid, self()};
        {From, K} -> From ! K
    end,
    echo().

%% Takes the head-of-line benchmark's big message.
bigsink() ->
    receive {From, big, _Bin} -> From ! big_ack end,
    bigsink().

%% Counts {msg, K} messages; {expect, N, From} starts a count of N.
sink() ->
    receive
        {expect, N, From} -> From ! ready, count(N, From)
    end,
    sink().

count(0, From) -> From ! done;
count(N, From) -> receive {msg, _} -> count(N - 1, From) end.

%% A process spawned from the client: answers and ends.
hello(From) -> From ! {hi, self()}.

%% ---- the client ----

client([ServerS, ConnectsS, RttS, MsgsS, MbS, SpawnsS]) ->
    Server = list_to_atom(ServerS),
    [Connects, Rtt, Msgs, Mb, Spawns] =
        [list_to_integer(S) || S <- [ConnectsS, RttS, MsgsS, MbS, SpawnsS]],
    connect_bench(Server, Connects),
    {echo, Server} ! {self(), pid},
    Echo = receive {echo_pid, P} -> P after 5000 -> exit(no_echo) end,
    rtt_bench(Echo, Rtt),
    throughput_bench(Server, Msgs),
    mb_bench(Echo, Mb),
    hol_bench(Echo, Server, 50),
    spawn_bench(Server, Spawns),
    {main, Server} ! {stop, self()},
    receive stopped -> ok after 5000 -> exit(no_stop) end,
    halt(0).

%% Connection set-up: connect (EPMD look-up and handshake), then disconnect
%% and wait a little, N times; the median.
connect_bench(Server, N) ->
    Times = [connect_once(Server) || _ <- lists:seq(1, N)],
    metric("connect_us", median(Times), "us"),
    true = net_kernel:connect_node(Server).

connect_once(Server) ->
    T0 = now_us(),
    true = net_kernel:connect_node(Server),
    T = now_us() - T0,
    erlang:disconnect_node(Server),
    timer:sleep(100),
    T.

rtt_bench(Echo, N) ->
    ping(Echo, 1000),
    T0 = now_us(),
    ping(Echo, N),
    metric("rtt_us", (now_us() - T0) / N, "us").

ping(_Echo, 0) -> ok;
ping(Echo, K) ->
    Echo ! {self(), K},
    receive K -> ping(Echo, K - 1) end.

%% One-way throughput: N small messages, timed until the sink has them all.
throughput_bench(Server, N) ->
    Sink = {sink, Server},
    Sink ! {expect, N, self()},
    receive ready -> ok after 5000 -> exit(no_sink) end,
    T0 = now_us(),
    send_n(Sink, N),
    receive done -> ok after 60000 -> exit(sink_timeout) end,
    metric("throughput_msgs_s", N * 1000000 / max(now_us() - T0, 1), "msg/s").

send_n(_Sink, 0) -> ok;
send_n(Sink, K) -> Sink ! {msg, K}, send_n(Sink, K - 1).

%% A 1 MB binary sent, and a small acknowledgement back, N times.
mb_bench(Echo, N) ->
    Bin = binary:copy(<<"x">>, 1000000),
    big(Echo, Bin, 2),
    T0 = now_us(),
    big(Echo, Bin, N),
    metric("mb_transfer_ms", (now_us() - T0) / N / 1000, "ms").

big(_Echo, _Bin, 0) -> ok;
big(Echo, Bin, K) ->
    Echo ! {self(), big, Bin},
    receive ack -> big(Echo, Bin, K - 1) end.

%% spawn(Node, M, F, Args) and the new process's first message, N times.
spawn_bench(Server, N) ->
    spawn_n(Server, 10),
    T0 = now_us(),
    spawn_n(Server, N),
    metric("spawn_us", (now_us() - T0) / N, "us").

spawn_n(_Server, 0) -> ok;
spawn_n(Server, K) ->
    Pid = spawn(Server, dist_bench, hello, [self()]),
    receive {hi, Pid} -> spawn_n(Server, K - 1) end.

median(Xs) -> lists:nth((length(Xs) + 1) div 2, lists:sort(Xs)).

now_us() -> erlang:monotonic_time(microsecond).

%% Head-of-line blocking: while a Mb MB binary goes to another process of
%% the server node, round trips to echo; the slowest one.
hol_bench(Echo, Server, Mb) ->
    Me = self(),
    Bin = binary:copy(<<"x">>, Mb * 1000000),
    spawn(fun() -> {bigsink, Server} ! {Me, big, Bin} end),
    Worst = hol_pings(Echo, 0, 0),
    metric("hol_max_ms", Worst / 1000, "ms").

hol_pings(Echo, Worst, K) ->
    T = now_us(),
    Echo ! {self(), K},
    receive K -> ok end,
    W = max(Worst, now_us() - T),
    receive big_ack -> W after 0 -> hol_pings(Echo, W, K + 1) end.

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

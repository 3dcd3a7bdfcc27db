%% A tail-recursive loop summing 1..N.
-module(loop).
-export([main/1]).

main(Args) ->
    N = arg(Args, 100000000),
    io:format("sum(~w) = ~w~n", [N, sum(N, 0)]),
    halt(0).

sum(0, Acc) -> Acc;
sum(N, Acc) -> sum(N - 1, Acc + N).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.

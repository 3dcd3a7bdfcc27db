%% The benchmarks-game binary-trees program, trees as {Left, Right} tuples.
-module(binary_trees).
-export([main/1]).

main(Args) ->
    N = arg(Args, 16),
    MinDepth = 4,
    MaxDepth = max(MinDepth + 2, N),
    Stretch = MaxDepth + 1,
    io:format("stretch tree of depth ~w\t check: ~w~n", [Stretch, check(make(Stretch))]),
    LongLived = make(MaxDepth),
    depths(MinDepth, MaxDepth),
    io:format("long lived tree of depth ~w\t check: ~w~n", [MaxDepth, check(LongLived)]),
    halt(0).

depths(D, MaxDepth) when D > MaxDepth -> ok;
depths(D, MaxDepth) ->
    Iterations = 1 bsl (MaxDepth - D + 4),
    Total = repeat_check(Iterations, D, 0),
    io:format("~w\t trees of depth ~w\t check: ~w~n", [Iterations, D, Total]),
    depths(D + 2, MaxDepth).

repeat_check(0, _D, Acc) -> Acc;
repeat_check(I, D, Acc) -> repeat_check(I - 1, D, Acc + check(make(D))).

make(0) -> {nil, nil};
make(D) -> {make(D - 1), make(D - 1)}.

check(nil) -> 0;
check({L, R}) -> 1 + check(L) + check(R).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.

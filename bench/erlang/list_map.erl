%% Maps + 1 over a list of N integers ten times with a body-recursive map.
%% erl -noshell -run list_map main 200000
-module(list_map).
-export([main/1]).

main(Args) ->
    N = arg(Args, 200000),
    Xs = rounds(10, range(N, [])),
    io:format("sum = ~w~n", [sum(Xs, 0)]),
    halt(0).

rounds(0, Xs) -> Xs;
rounds(K, Xs) -> rounds(K - 1, inc(Xs)).

inc([]) -> [];
inc([H | T]) -> [H + 1 | inc(T)].

range(0, Acc) -> Acc;
range(I, Acc) -> range(I - 1, [I | Acc]).

sum([], Acc) -> Acc;
sum([H | T], Acc) -> sum(T, Acc + H).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.

%% The Erlang half of the erlang_interop example: a process registered as
%% `echo` on an Erlang node, which a Reef node talks to.
%%
%%   erlc echo.erl
%%   erl -name erl@127.0.0.1 -setcookie secret -noshell -s echo start
%%
%% It answers
%%   {From, {echo, Term}}       with {echo, Term, Shown}: the term as it
%%                              arrived, and how Erlang prints it (~p), as a
%%                              UTF-8 binary (a string on the Reef side);
%%   {From, bytes}              with {bytes, <<1, 2, 255>>}: a binary that is
%%                              not text;
%%   {From, {greet, Node}}      by sending {self(), <<"hello from Erlang">>}
%%                              to the process registered as `greeter` on
%%                              Node, and answering {greeted, Reply} with
%%                              the greeter's answer;
%%   {From, stop}               with stopped, and then stops the node.
%% hello/1 is for remote spawn: spawn(:"erl@127.0.0.1", :echo, :hello, [pid]).
-module(echo).
-export([start/0, hello/1]).

start() ->
    Pid = spawn(fun loop/0),
    register(echo, Pid),
    io:format("~s: echo is up~n", [node()]).

loop() ->
    receive
        {From, {echo, Term}} ->
            From ! {echo, Term, unicode:characters_to_binary(io_lib:format("~tp", [Term]))},
            loop();
        {From, bytes} ->
            From ! {bytes, <<1, 2, 255>>},
            loop();
        {From, {greet, Node}} ->
            {greeter, Node} ! {self(), <<"hello from Erlang">>},
            Reply = receive
                        {greeting, R} -> R
                    after 5000 -> no_answer
                    end,
            io:format("the Reef greeter on ~s answered ~p~n", [Node, Reply]),
            From ! {greeted, Reply},
            loop();
        {From, stop} ->
            io:format("~s: stopping~n", [node()]),
            From ! stopped,
            init:stop()
    end.

%% Runs in a process that a Reef node spawned here: tells the Reef process
%% who and where it is, then waits for `stop`. (It prints nothing: the
%% group leader of a process spawned from another node is on that node.)
hello(ReefPid) ->
    ReefPid ! {hello_from, node(), self()},
    receive
        stop -> ok
    after 10000 -> timeout
    end.

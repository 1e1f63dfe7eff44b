# source: written in English for portqueue by the development team; this is the source text the other catalogs translate
# reviewed-by:
#
# Short, plain sentences: people read this tired and under stress, some read very little.
# Every catalog has exactly these messages with exactly these variables (a test checks).

## Printed and HTML ticket

ticket-title = Your number
ticket-wait-here = Wait here. Stay in this area.
ticket-watch-board = Watch the screen for your number.
ticket-go-to-counter = When you see your number, go to the counter shown.
ticket-keep-ticket = Keep this ticket. Do not lose it.
ticket-ask-officer = Questions? Ask an officer.
ticket-party-size = People in your group: { $count }
ticket-estimate = Expected call time: between { $earliest } and { $latest }
ticket-interpreter = Please ask an officer for an interpreter.
ticket-scan-status = Scan the code to see your place in line.

## Public status page

status-your-ticket = Your ticket
status-status = Status
status-waiting = Waiting
status-called = Called: go to counter { $counter }
status-served = Served
status-no-show = No-show: you did not come when called
status-withdrawn = Withdrawn
status-people-before-you = People before you
status-estimated-call-time = Estimated call time
status-between = between { $earliest } and { $latest }
status-no-counter = No counter is open now
status-auto-refresh = This page updates itself; reload to refresh.
status-language = Language

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Now serving
board-counter = Counter
board-next = Next
board-announce = Ticket { $ticket }, counter { $counter }

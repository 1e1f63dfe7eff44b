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
status-no-show = Not here when your number was called: ask an officer what to do now.
status-withdrawn = No longer in line: if you still need help, ask an officer.
status-people-before-you = People before you
status-estimated-call-time = Estimated call time
status-between = between { $earliest } and { $latest }
status-no-counter = No counter is open now
status-beyond-estimate = You are far back in the line: no time can be given yet. Check again later.
status-auto-refresh = This page updates itself; reload to refresh.
status-language = Language

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Now serving
board-counter = Counter
board-next = Next
board-announce = Ticket { $ticket }, counter { $counter }
board-number = Number

## Status page: stopping and restarting its own reloads

status-stop-updating = Stop updating
status-keep-updating = Update by itself every 30 seconds

## Public error pages (with the "ask an officer" pictogram)

error-not-found = There is nothing at this address. If you scanned a ticket, ask an officer.
error-failed = Something went wrong. Try again in a minute, or ask an officer.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Ticket { $ticket } at { $port }. See your place in line: { $link }
sms-near = Ticket { $ticket }: { $ahead ->
        [0] you are next.
        [one] 1 party ahead of you.
       *[other] about { $ahead } ahead of you.
    } Come back to the waiting area now.
sms-called = Ticket { $ticket }: go to counter { $counter } now.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Listen
status-listen-stop = Stop
status-listen-no-voice = This phone has no voice for { $language }. Listen in another language:
status-listen-unavailable = This phone cannot read this page aloud.
listen-digits = zero, one, two, three, four, five, six, seven, eight, nine

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Sound
board-voice = Voice
board-no-voice = No voice, chime only

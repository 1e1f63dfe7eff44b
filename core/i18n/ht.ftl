# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Nimewo ou
ticket-wait-here = Tann isit la. Pa kite zòn sa a.
ticket-watch-board = Gade ekran an. Chèche nimewo ou.
ticket-go-to-counter = Lè ou wè nimewo ou, ale nan gichè yo montre a.
ticket-keep-ticket = Kenbe tikè sa a. Pa pèdi l.
ticket-ask-officer = Ou gen kesyon? Mande yon ofisye.
ticket-party-size = Kantite moun nan gwoup ou: { $count }
ticket-estimate = Lè yo kwè y ap rele ou: ant { $earliest } ak { $latest }
ticket-interpreter = Tanpri mande yon ofisye yon entèprèt.
ticket-scan-status = Eskane kòd la pou wè plas ou nan liy la.

## Public status page

status-your-ticket = Tikè ou
status-status = Sitiyasyon
status-waiting = Ap tann
status-called = Yo rele ou: ale nan gichè { $counter }
status-served = Yo fin sèvi ou
status-no-show = Ou pa t vini lè yo te rele ou
status-withdrawn = Yo retire ou nan liy la
status-people-before-you = Moun ki devan ou
status-estimated-call-time = Lè yo kwè y ap rele ou
status-between = ant { $earliest } ak { $latest }
status-no-counter = Pa gen okenn gichè ki louvri kounye a
status-beyond-estimate = Ou lwen nan liy lan: yo poko ka ba ou yon lè. Gade ankò pita.
status-auto-refresh = Paj sa a mete tèt li ajou; rechaje l pou wè dènye nouvèl yo.
status-language = Lang

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Y ap sèvi kounye a
board-counter = Gichè
board-next = Pwochen
board-announce = Tikè { $ticket }, gichè { $counter }
board-number = Nimewo

## Status page: stopping and restarting its own reloads

status-stop-updating = Sispann mete ajou
status-keep-updating = Mete ajou poukont li chak 30 segonn

## Public error pages (with the "ask an officer" pictogram)

error-not-found = Pa gen anyen nan adrès sa a. Si ou te eskane yon tikè, mande yon ofisye.
error-failed = Gen yon pwoblèm. Eseye ankò nan yon minit, oswa mande yon ofisye.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Tikè { $ticket } nan { $port }. Gade plas ou nan liy la: { $link }
sms-near = Tikè { $ticket }: gen anviwon { $ahead } moun devan ou. Tounen nan zòn datant lan kounye a.
sms-called = Tikè { $ticket }: ale nan gichè { $counter } kounye a.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Koute
status-listen-stop = Kanpe
status-listen-no-voice = Telefòn sa a pa gen vwa pou { $language }. Koute nan yon lòt lang:
status-listen-unavailable = Telefòn sa a pa ka li paj sa a fò.
listen-digits = zewo, en, de, twa, kat, senk, sis, sèt, uit, nèf

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Son
board-voice = Vwa
board-no-voice = Pa gen vwa, se yon son sèlman

# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Votre numéro
ticket-wait-here = Attendez ici. Restez dans cette zone.
ticket-watch-board = Regardez l'écran. Cherchez votre numéro.
ticket-go-to-counter = Quand vous verrez votre numéro, allez au guichet indiqué.
ticket-keep-ticket = Gardez ce ticket. Ne le perdez pas.
ticket-ask-officer = Des questions ? Demandez à un agent.
ticket-party-size = Personnes dans votre groupe : { $count }
ticket-estimate = Heure d'appel prévue : entre { $earliest } et { $latest }
ticket-interpreter = Demandez un interprète à un agent.
ticket-scan-status = Scannez le code pour voir votre place dans la file.

## Public status page

status-your-ticket = Votre ticket
status-status = État
status-waiting = En attente
status-called = Appelé : allez au guichet { $counter }
status-served = Terminé : vous êtes passé au guichet
status-no-show = Absent à l'appel
status-withdrawn = Retiré de la file
status-people-before-you = Personnes avant vous
status-estimated-call-time = Heure d'appel prévue
status-between = entre { $earliest } et { $latest }
status-no-counter = Aucun guichet n'est ouvert pour le moment
status-beyond-estimate = Vous êtes loin dans la file : on ne peut pas encore donner d'heure. Regardez plus tard.
status-auto-refresh = Cette page se met à jour toute seule ; rechargez-la pour l'actualiser.
status-language = Langue

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Au guichet maintenant
board-counter = Guichet
board-next = Suivant
board-announce = Ticket { $ticket }, guichet { $counter }
board-number = Numéro

## Status page: stopping and restarting its own reloads

status-stop-updating = Arrêter la mise à jour
status-keep-updating = Mettre à jour toute seule toutes les 30 secondes

## Public error pages (with the "ask an officer" pictogram)

error-not-found = Il n'y a rien à cette adresse. Si vous avez scanné un ticket, demandez à un agent.
error-failed = Un problème est survenu. Réessayez dans une minute ou demandez à un agent.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Ticket { $ticket } à { $port }. Voir votre place dans la file : { $link }
sms-near = Ticket { $ticket } : environ { $ahead } personnes avant vous. Revenez maintenant dans la zone d'attente.
sms-called = Ticket { $ticket } : allez maintenant au guichet { $counter }.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Écouter
status-listen-stop = Arrêter
status-listen-no-voice = Ce téléphone n'a pas de voix pour { $language }. Écoutez dans une autre langue :
status-listen-unavailable = Ce téléphone ne peut pas lire cette page à voix haute.
listen-digits = zéro, un, deux, trois, quatre, cinq, six, sept, huit, neuf

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Son
board-voice = Voix
board-no-voice = Pas de voix, carillon seulement

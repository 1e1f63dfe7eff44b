# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Su número
ticket-wait-here = Espere aquí. No se vaya de esta zona.
ticket-watch-board = Mire la pantalla. Busque su número.
ticket-go-to-counter = Cuando vea su número, vaya a la ventanilla indicada.
ticket-keep-ticket = Guarde este papel. No lo pierda.
ticket-ask-officer = ¿Tiene preguntas? Pregunte a un oficial.
ticket-party-size = Personas en su grupo: { $count }
ticket-estimate = Hora aproximada para pasar a la ventanilla: entre las { $earliest } y las { $latest }
ticket-interpreter = Pida a un oficial un intérprete.
ticket-scan-status = Escanee el código para ver su lugar en la fila.

## Public status page

status-your-ticket = Su número
status-status = Estado
status-waiting = En espera
status-called = Le llaman: vaya a la ventanilla { $counter }
status-served = Atendido
status-no-show = No se presentó cuando le llamaron
status-withdrawn = Retirado de la fila
status-people-before-you = Personas antes que usted
status-estimated-call-time = Hora aproximada para pasar a la ventanilla
status-between = entre { $earliest } y { $latest }
status-no-counter = Ningún mostrador está abierto ahora
status-beyond-estimate = Usted está muy atrás en la fila: todavía no se puede dar una hora. Vuelva a mirar más tarde.
status-auto-refresh = Esta página se actualiza sola; recárguela para ver lo más reciente.
status-language = Idioma

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Atendiendo ahora
board-counter = Ventanilla
board-next = Siguiente
board-announce = Número { $ticket }, ventanilla { $counter }
board-number = Número

## Status page: stopping and restarting its own reloads

status-stop-updating = Dejar de actualizar
status-keep-updating = Actualizar sola cada 30 segundos

## Public error pages (with the "ask an officer" pictogram)

error-not-found = No hay nada en esta dirección. Si escaneó su papel, pregunte a un oficial.
error-failed = Algo salió mal. Inténtelo de nuevo en un minuto o pregunte a un oficial.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Número { $ticket } en { $port }. Vea su lugar en la fila: { $link }
sms-near = Número { $ticket }: { $ahead ->
        [0] usted es el siguiente.
        [one] hay 1 persona antes que usted.
       *[other] hay unas { $ahead } personas antes que usted.
    } Vuelva ahora a la zona de espera.
sms-called = Número { $ticket }: vaya ahora a la ventanilla { $counter }.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Escuchar
status-listen-stop = Parar
status-listen-no-voice = Este teléfono no tiene voz en { $language }. Escuche en otro idioma:
status-listen-unavailable = Este teléfono no puede leer esta página en voz alta.
listen-digits = cero, uno, dos, tres, cuatro, cinco, seis, siete, ocho, nueve

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Sonido
board-voice = Voz
board-no-voice = Sin voz, solo sonido

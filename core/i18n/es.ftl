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

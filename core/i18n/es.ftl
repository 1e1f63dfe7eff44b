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
ticket-estimate = Hora estimada de llamada: entre { $earliest } y { $latest }
ticket-interpreter = Pida a un oficial un intérprete.
ticket-scan-status = Escanee el código para ver su lugar en la fila.

## Public status page

status-your-ticket = Su turno
status-status = Estado
status-waiting = En espera
status-called = Le llaman: vaya a la ventanilla { $counter }
status-served = Atendido
status-no-show = No se presentó cuando le llamaron
status-withdrawn = Retirado de la fila
status-people-before-you = Personas antes que usted
status-estimated-call-time = Hora estimada de llamada
status-between = entre { $earliest } y { $latest }
status-no-counter = Ningún mostrador está abierto ahora
status-auto-refresh = Esta página se actualiza sola; recárguela para ver lo más reciente.
status-language = Idioma

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Atendiendo ahora
board-counter = Ventanilla
board-next = Siguiente
board-announce = Turno { $ticket }, ventanilla { $counter }

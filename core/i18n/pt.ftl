# source: drafted for portqueue by the development team (Brazilian usage: "senha", "guichê"); not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Sua senha
ticket-wait-here = Espere aqui. Fique nesta área.
ticket-watch-board = Olhe o painel. Procure o seu número.
ticket-go-to-counter = Quando vir o seu número, vá ao guichê indicado.
ticket-keep-ticket = Guarde esta senha. Não a perca.
ticket-ask-officer = Dúvidas? Pergunte a um agente.
ticket-party-size = Pessoas no seu grupo: { $count }
ticket-estimate = Horário previsto da chamada: entre { $earliest } e { $latest }
ticket-interpreter = Peça um intérprete a um agente.
ticket-scan-status = Escaneie o código para ver a sua posição na fila.

## Public status page

status-your-ticket = Sua senha
status-status = Situação
status-waiting = Aguardando
status-called = Chamado: vá ao guichê { $counter }
status-served = Atendimento concluído
status-no-show = A senha foi chamada e ninguém se apresentou
status-withdrawn = Senha retirada da fila
status-people-before-you = Pessoas na sua frente
status-estimated-call-time = Horário previsto da chamada
status-between = entre { $earliest } e { $latest }
status-no-counter = Nenhum guichê está aberto agora
status-beyond-estimate = Você está longe na fila: ainda não dá para dizer um horário. Olhe de novo mais tarde.
status-auto-refresh = Esta página se atualiza sozinha; recarregue para ver o mais recente.
status-language = Idioma

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Atendendo agora
board-counter = Guichê
board-next = Próximas senhas
board-announce = Senha { $ticket }, guichê { $counter }
board-number = Senha

## Status page: stopping and restarting its own reloads

status-stop-updating = Parar de atualizar
status-keep-updating = Atualizar sozinha a cada 30 segundos

## Public error pages (with the "ask an officer" pictogram)

error-not-found = Não há nada neste endereço. Se você escaneou uma senha, pergunte a um agente.
error-failed = Algo deu errado. Tente de novo daqui a um minuto ou pergunte a um agente.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Senha { $ticket } em { $port }. Veja seu lugar na fila: { $link }
sms-near = Senha { $ticket }: cerca de { $ahead } pessoas antes de você. Volte agora para a área de espera.
sms-called = Senha { $ticket }: vá agora ao guichê { $counter }.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Ouvir
status-listen-stop = Parar
status-listen-no-voice = Este telefone não tem voz em { $language }. Ouça em outro idioma:
status-listen-unavailable = Este telefone não consegue ler esta página em voz alta.
listen-digits = zero, um, dois, três, quatro, cinco, seis, sete, oito, nove

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Som
board-voice = Voz
board-no-voice = Sem voz, só o sinal sonoro

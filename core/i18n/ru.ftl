# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Ваш номер
ticket-wait-here = Ждите здесь. Не уходите из этой зоны.
ticket-watch-board = Смотрите на табло. Ищите свой номер.
ticket-go-to-counter = Когда увидите свой номер, идите к указанному окну.
ticket-keep-ticket = Сохраните этот талон. Не теряйте его.
ticket-ask-officer = Есть вопросы? Обратитесь к сотруднику.
ticket-party-size = Человек в вашей группе: { $count }
ticket-estimate = Ожидаемое время вызова: с { $earliest } до { $latest }
ticket-interpreter = Попросите сотрудника пригласить переводчика.
ticket-scan-status = Отсканируйте код, чтобы увидеть своё место в очереди.

## Public status page

status-your-ticket = Ваш талон
status-status = Статус
status-waiting = Ожидание
status-called = Вас вызывают: идите к окну { $counter }
status-served = Приём завершён
status-no-show = Не явились по вызову
status-withdrawn = Талон снят с очереди
status-people-before-you = Человек перед вами
status-estimated-call-time = Ожидаемое время вызова
status-between = с { $earliest } до { $latest }
status-no-counter = Сейчас ни одно окно не открыто
status-beyond-estimate = Вы далеко в очереди: время пока нельзя назвать. Проверьте позже.
status-auto-refresh = Страница обновляется сама; перезагрузите её, чтобы увидеть новое.
status-language = Язык

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Сейчас обслуживаются
board-counter = Окно
board-next = Следующие
board-announce = Талон { $ticket }, окно { $counter }
board-number = Номер

## Status page: stopping and restarting its own reloads

status-stop-updating = Остановить обновление
status-keep-updating = Обновлять автоматически каждые 30 секунд

## Public error pages (with the "ask an officer" pictogram)

error-not-found = По этому адресу ничего нет. Если вы сканировали талон, обратитесь к сотруднику.
error-failed = Что-то пошло не так. Попробуйте снова через минуту или обратитесь к сотруднику.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = Талон { $ticket }, { $port }. Ваше место в очереди: { $link }
sms-near = Талон { $ticket }: перед вами примерно { $ahead }. Вернитесь в зону ожидания сейчас.
sms-called = Талон { $ticket }: подойдите сейчас к окну { $counter }.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Слушать
status-listen-stop = Стоп
status-listen-no-voice = На этом телефоне нет голоса для языка: { $language }. Слушайте на другом языке:
status-listen-unavailable = Этот телефон не может прочитать страницу вслух.
listen-digits = ноль, один, два, три, четыре, пять, шесть, семь, восемь, девять

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Звук
board-voice = Голос
board-no-voice = Нет голоса, только сигнал
